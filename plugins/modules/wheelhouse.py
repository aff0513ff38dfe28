#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: wheelhouse
short_description: Build a Python project into a wheelhouse for a target host, on the controller
version_added: "0.1.0"
description:
  - Builds the project's wheel reproducibly (C(SOURCE_DATE_EPOCH) is fixed), then downloads every
    dependency as a binary wheel for the target's Python version, C library and architecture.
  - Writes C(requirements.txt) pinning every wheel by version and sha256, for
    C(pip install --no-index --require-hashes) on a host that cannot reach an index.
  - The wheelhouse is stored under O(dest)/RELEASE_ID, where the release id is derived from the
    wheels' content, so the same code always gives the same id and any change gives a new one.
  - Run it on the controller (C(delegate_to: localhost)); it needs pip and access to a package index there.
options:
  project:
    description: Directory of the Python project (it has a C(pyproject.toml)).
    type: path
    required: true
  dest:
    description: Controller directory that keeps one wheelhouse per release id.
    type: path
    required: true
  python_version:
    description: The target's Python version as C(MAJOR.MINOR), for example C(3.11).
    type: str
    required: true
  glibc_version:
    description: The target's glibc version as C(MAJOR.MINOR), for example C(2.36).
    type: str
    required: true
  architecture:
    description: The target's machine architecture.
    type: str
    choices: [x86_64, aarch64]
    default: x86_64
  requirements:
    description: Further requirements to include, for example the WSGI server (C(pyuwsgi==2.0.30.post1)).
    type: list
    elements: str
    default: []
author:
  - roost.wsgi developers
"""

EXAMPLES = r"""
- name: Build the wheelhouse for this host
  roost.wsgi.wheelhouse:
    project: "{{ playbook_dir }}/../sample_app"
    dest: ~/.cache/roost-wsgi/perch
    python_version: "3.11"
    glibc_version: "2.36"
    requirements: [pyuwsgi==2.0.30.post1]
  delegate_to: localhost
  register: wheelhouse
"""

RETURN = r"""
release_id:
  description: Content-derived id of this set of wheels.
  returned: success
  type: str
  sample: 3f2a9c41b7de
path:
  description: Directory holding the wheels and C(requirements.txt).
  returned: success
  type: str
  sample: /home/me/.cache/roost-wsgi/perch/3f2a9c41b7de
project_wheel:
  description: File name of the project's own wheel.
  returned: success
  type: str
  sample: perch-0.1.0-py3-none-any.whl
wheels:
  description: File names of every wheel in the wheelhouse.
  returned: success
  type: list
  elements: str
"""

import hashlib
import os
import shutil
import sys
import tempfile

from ansible.module_utils.basic import AnsibleModule

# A fixed timestamp makes the zip entries, and so the wheel's bytes, depend on content only.
SOURCE_DATE_EPOCH = "315532800"
OLDEST_MANYLINUX_GLIBC_MINOR = 17


def platform_tags(glibc_version, architecture):
    """Every manylinux tag a host with this glibc accepts, newest first (pip does not expand them)."""
    major, minor = (int(part) for part in glibc_version.split(".")[:2])
    if major != 2:
        raise ValueError(f"unsupported glibc version {glibc_version}")
    tags = [f"manylinux_2_{m}_{architecture}" for m in range(minor, OLDEST_MANYLINUX_GLIBC_MINOR - 1, -1)]
    return tags + [f"manylinux2014_{architecture}"]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_name_version(filename):
    name, version = filename.split("-")[:2]
    return name.replace("_", "-").lower(), version


def main():
    module = AnsibleModule(
        argument_spec=dict(
            project=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            python_version=dict(type="str", required=True),
            glibc_version=dict(type="str", required=True),
            architecture=dict(type="str", default="x86_64", choices=["x86_64", "aarch64"]),
            requirements=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    project = os.path.abspath(params["project"])
    if not os.path.isfile(os.path.join(project, "pyproject.toml")):
        module.fail_json(msg=f"project: {project} has no pyproject.toml; point it at the app's source tree")
    try:
        tags = platform_tags(params["glibc_version"], params["architecture"])
        py_major, py_minor = (int(part) for part in params["python_version"].split(".")[:2])
    except ValueError as exc:
        module.fail_json(msg=f"cannot derive wheel tags: {exc}")

    dest = params["dest"]
    os.makedirs(dest, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".build-", dir=dest)
    try:
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        build_dir = os.path.join(work, "build")
        wheels_dir = os.path.join(work, "wheels")
        # An absolute path: a bare directory name would be looked up on the index as a project name.
        rc, out, err = module.run_command(
            pip + ["wheel", "--no-deps", "--wheel-dir", build_dir, project],
            environ_update={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
        if rc != 0:
            module.fail_json(msg=f"building the wheel of {project} failed", stdout=out, stderr=err)
        (project_wheel,) = os.listdir(build_dir)

        abi = f"cp{py_major}{py_minor}"
        download = pip + ["download", "--dest", wheels_dir, "--only-binary=:all:",
                          "--python-version", f"{py_major}.{py_minor}", "--implementation", "cp",
                          "--abi", abi, "--abi", "abi3", "--abi", "none"]
        for tag in tags:
            download += ["--platform", tag]
        download += [os.path.join(build_dir, project_wheel)] + params["requirements"]
        rc, out, err = module.run_command(download)
        if rc != 0:
            module.fail_json(
                msg=f"no complete set of binary wheels for CPython {py_major}.{py_minor} on "
                    f"{params['architecture']} with glibc {params['glibc_version']}",
                stdout=out, stderr=err)

        wheels = sorted(os.listdir(wheels_dir))
        hashes = {name: sha256(os.path.join(wheels_dir, name)) for name in wheels}
        release_id = hashlib.sha256(
            "".join(f"{hashes[name]}  {name}\n" for name in wheels).encode()).hexdigest()[:12]
        with open(os.path.join(wheels_dir, "requirements.txt"), "w") as handle:
            for name in wheels:
                dist, version = wheel_name_version(name)
                handle.write(f"{dist}=={version} --hash=sha256:{hashes[name]}\n")

        path = os.path.join(dest, release_id)
        changed = not os.path.isdir(path)
        if changed:
            os.rename(wheels_dir, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    module.exit_json(changed=changed, release_id=release_id, path=path,
                     project_wheel=project_wheel, wheels=wheels)


if __name__ == "__main__":
    main()
