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
  - A project with no C(pyproject.toml) but a requirements file (a Django or Flask project as
    C(django-admin startproject) makes it) is a I(tree); its files become the release's code, under
    C(code/) in the archive, and its requirements file gives the dependencies.
  - Writes C(requirements.txt) pinning every wheel by version and sha256, for
    C(pip install --no-index --require-hashes) on a host that cannot reach an index.
  - With O(lock), the dependencies are exactly the hash-pinned versions of that file (as written by
    C(uv pip compile --universal --generate-hashes) or C(pip-compile --generate-hashes)), so a new
    upstream release never changes a deploy. Without it they are resolved at each build.
  - The wheelhouse is stored under O(dest)/RELEASE_ID, where the release id is derived from the
    wheels' content, so the same code always gives the same id and any change gives a new one.
  - A build is remembered by a fingerprint of the project's files, the lock and the options; when none
    of them changed, the earlier wheelhouse is returned at once, without running pip.
  - The files of a lock are kept for each target under O(dest)C(/.downloads/); a build of changed code
    with the same lock links them from there, each checked against its recorded sha256, without asking
    the index.
  - "Run it on the controller (C(delegate_to: localhost)); it needs pip and access to a package index there."
options:
  project:
    description:
      - Directory of the Python project. With a C(pyproject.toml) it is built into a wheel; without
        one it is a tree, and O(requirements_file) must exist.
    type: path
    required: true
  requirements_file:
    description:
      - A tree's requirements file (pinned, or hash-pinned as C(pip-compile --generate-hashes) or
        C(uv export) write it); defaults to C(requirements.txt) in O(project).
      - With C(--hash) lines it is the lock (as O(lock) is for a package); without, its requirements
        are resolved at each build.
    type: path
  exclude:
    description:
      - Glob patterns of a tree's files and directories to leave out of the release, matched against
        the path relative to O(project) and against the name alone.
      - Always left out - version control, caches, virtualenvs, C(tests/) at the top, C(.env) files,
        C(*.sqlite3) databases and the build outputs.
    type: list
    elements: str
    default: []
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
  lock:
    description:
      - A requirements file that pins every dependency of the project with C(--hash) lines.
      - Each pinned wheel is checked against its hash, and the build fails when the lock does not cover
        a dependency of the project.
    type: path
  dependencies:
    description:
      - V(wheels) fetches every dependency as a wheel (the host then installs without an index).
      - V(index) puts only the project's wheel in the wheelhouse; the host's pip installs the
        dependencies from its index (still pinned by hash when O(lock) is given).
    type: str
    choices: [wheels, index]
    default: wheels
  host_uv:
    description:
      - A uv version (for example C(0.13.9)) to fetch for the target as well, once; its binary is what
        the host installs the wheels with (C(uv pip install --offline), about 4 times faster than pip).
      - Kept under O(dest)C(/.tools/); returned as RV(host_uv).
    type: str
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Build the wheelhouse for this host
  roost.wsgi.wheelhouse:
    project: "{{ playbook_dir }}/../sample_app"
    lock: "{{ playbook_dir }}/../sample_app/requirements.lock"
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
  description: Directory holding the wheels, C(requirements.txt) and the archive of both.
  returned: success
  type: str
  sample: /home/me/.cache/roost-wsgi/perch/3f2a9c41b7de
archive:
  description:
    - An uncompressed tar of the wheels and C(requirements.txt) under C(wheels/), and of a tree's code
      under C(code/), to unpack into the release directory in one transfer.
  returned: success
  type: str
  sample: /home/me/.cache/roost-wsgi/perch/3f2a9c41b7de/release.tar
project_wheel:
  description: File name of the project's own wheel; empty for a tree.
  returned: success
  type: str
  sample: perch-0.1.0-py3-none-any.whl
wheels:
  description: File names of every wheel in the wheelhouse.
  returned: success
  type: list
  elements: str
code_files:
  description: How many files of a tree the release's code has; 0 for a package.
  returned: success
  type: int
host_uv:
  description: The controller path of the uv binary for the target, with O(host_uv); empty without.
  returned: success
  type: str
  sample: /home/me/.cache/roost-wsgi/perch/.tools/uv-0.13.9-x86_64/uv
cached:
  description: Whether the wheelhouse came from an earlier build of the same files and options.
  returned: success
  type: bool
"""

import fnmatch
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule

# A fixed timestamp makes the zip entries, and so the wheel's bytes, depend on content only.
SOURCE_DATE_EPOCH = "315532800"
OLDEST_MANYLINUX_GLIBC_MINOR = 17
# The newest manylinux tag uv's --python-platform names.
NEWEST_UV_MANYLINUX_GLIBC_MINOR = 40
SDISTS = (".tar.gz", ".zip")
ARCHIVE = "release.tar"
# Never part of a project's source: caches, virtualenvs and the outputs of earlier builds.
IGNORED_DIRS = frozenset({".git", ".hg", "__pycache__", "build", "dist", ".venv", "venv", ".tox", ".nox",
                          ".pytest_cache", ".mypy_cache", ".ruff_cache"})
# Never part of a tree's release either: the developer's secrets, database and OS litter, its tests.
IGNORED_TREE = (".svn", "node_modules", ".env", ".env.*", "*.sqlite3", "*.pyc", "*.pyo", ".DS_Store", "*.egg-info")
IGNORED_TOP = ("tests",)
# Bumped when the archive's layout changes, so no earlier build's archive is reused.
LAYOUT = 2
# Beside a lock's kept files: each one's sha256.
KEPT_INDEX = ".sha256.json"
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


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


def sha256_text(data):
    return hashlib.sha256(data).hexdigest()


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_version(filename):
    name, version = filename.split("-")[:2]
    return normalize(name), version


def pins(lock_text):
    """{normalized name: version} of the lines of a lock that pin with '=='."""
    found = {}
    for line in lock_text.splitlines():
        match = PINNED.match(line.strip())
        if match:
            found[normalize(match.group(1))] = match.group(2)
    return found


def tree_files(project, exclude):
    """A tree's files that make up its code, relative to it, sorted; virtualenvs are found by pyvenv.cfg."""
    patterns = IGNORED_TREE + tuple(exclude)

    def left_out(rel, name, top):
        return (name in IGNORED_DIRS or (top and name in IGNORED_TOP)
                or any(fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(name, pattern) for pattern in patterns))

    found = []
    for root, dirs, files in os.walk(project):
        rel_root = os.path.relpath(root, project)
        top = rel_root == "."
        rel = (lambda name: name) if top else (lambda name: os.path.join(rel_root, name))
        dirs[:] = sorted(d for d in dirs if not left_out(rel(d), d, top)
                         and not os.path.isfile(os.path.join(root, d, "pyvenv.cfg")))
        # os.walk does not go into a link to a directory: it is kept as the link it is.
        found += [rel(name) for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]
                  if not left_out(rel(name), name, top)]
    return sorted(set(found))


def file_digest(project, relpaths):
    """One line per file: its path and its content's (or its link's) digest."""
    lines = []
    for rel in relpaths:
        path = os.path.join(project, rel)
        content = os.readlink(path) if os.path.islink(path) else sha256(path)
        lines.append(f"{rel}\0{content}\n")
    return "".join(lines)


def package_files(project):
    found = []
    for root, dirs, files in os.walk(project):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.endswith(".egg-info"))
        found += [os.path.relpath(os.path.join(root, name), project) for name in sorted(files)
                  if not name.endswith((".pyc", ".pyo"))]
    return found


def fingerprint(project, files, lock_text, options):
    """A digest of every source file of the project, the lock and the build options."""
    digest = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
    digest.update(b"lock\0" + lock_text.encode() + b"\0")
    digest.update(file_digest(project, files).encode())
    return digest.hexdigest()


def code_member():
    """A tarfile filter for a tree's code: owned by root, never writable but by root."""
    def member(info):
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        if not info.issym():
            info.mode = (info.mode & 0o755) | 0o644
        return info
    return member


class Build:
    """One build of a wheelhouse in a scratch directory under dest."""

    def __init__(self, module, work):
        self.module = module
        self.params = module.params
        self.pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        self.build_dir = os.path.join(work, "build")
        self.wheels_dir = os.path.join(work, "wheels")
        os.makedirs(self.wheels_dir)
        py_major, py_minor = (int(part) for part in self.params["python_version"].split(".")[:2])
        # Without --only-binary (allowed with --no-deps only): a dependency with an sdist alone is
        # fetched, then built on the controller.
        self.target_any = ["--python-version", f"{py_major}.{py_minor}",
                           "--implementation", "cp", "--abi", f"cp{py_major}{py_minor}", "--abi", "abi3",
                           "--abi", "none"]
        for tag in platform_tags(self.params["glibc_version"], self.params["architecture"]):
            self.target_any += ["--platform", tag]
        self.target = ["--only-binary=:all:"] + self.target_any
        glibc_minor = int(self.params["glibc_version"].split(".")[1])
        # uv evaluates environment markers for the target; pip would use the controller's Python.
        self.uv_target = ["--python-version", f"{py_major}.{py_minor}", "--python-platform",
                          f"{self.params['architecture']}-manylinux_2_{min(glibc_minor, NEWEST_UV_MANYLINUX_GLIBC_MINOR)}"]
        self.uv = uv_command()
        self.describe = (f"CPython {py_major}.{py_minor} on {self.params['architecture']} with glibc "
                         f"{self.params['glibc_version']}")

    def run(self, argv, msg, **kwargs):
        rc, out, err = self.module.run_command(argv, **kwargs)
        if rc != 0:
            # uv explains a conflict over several lines ("Because X depends on Y ..."); pip in its last.
            lines = [line.strip() for line in err.splitlines() if line.strip()]
            said = " ".join(lines[-6:] if lines and "because" in err.lower() else lines[-1:]) or rc
            self.module.fail_json(msg=f"{msg}: {said}", stdout=out, stderr=err)

    def project_wheel(self, project):
        # uv keeps the build backend's environment between builds (perch: 0.6 s, pip 2.7 s); the bytes
        # are the same either way. An absolute path: pip would look a bare name up on the index.
        argv = (self.uv + ["build", "--quiet", "--wheel", "--out-dir", self.build_dir, project] if self.uv
                else self.pip + ["wheel", "--no-deps", "--wheel-dir", self.build_dir, project])
        self.run(argv, f"building the wheel of {project} failed", environ_update={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
        (name,) = (name for name in os.listdir(self.build_dir) if name.endswith(".whl"))
        return os.path.join(self.build_dir, name)

    def roots_file(self, wheel, requirements_file):
        """What the release needs, as a requirements file for uv: the project's wheel or a tree's
        requirements, and the extra requirements."""
        lines = [f"-r {requirements_file}"] if requirements_file else [f"{wheel_name_version(os.path.basename(wheel))[0]} @ file://{wheel}"]
        path = os.path.join(self.build_dir, "roots.in")
        os.makedirs(self.build_dir, exist_ok=True)
        with open(path, "w") as handle:
            handle.write("".join(f"{line}\n" for line in lines + self.params["requirements"]))
        return path

    def resolve(self, roots, project_name):
        """A hash-pinned lock of every dependency, resolved for the target's Python and platform."""
        if not self.uv:
            self.module.fail_json(msg="resolving the dependencies for the host needs uv on the controller "
                                      "(pip install uv), or a hash-pinned lock (wsgi_app_lock)")
        lock = os.path.join(self.build_dir, "resolved.txt")
        exclude = ["--no-emit-package", project_name] if project_name else []
        self.run(self.uv + ["pip", "compile", "--quiet", "--no-header", "--generate-hashes", "--output-file", lock]
                 + exclude + self.uv_target + [roots],
                 f"the dependencies cannot be resolved for {self.describe}")
        return lock

    def download_locked(self, lock):
        """Exactly the lock's files, each checked against its hash: a wheel for the target, or else an
        sdist, built here into a wheel that must be pure Python (the host has no compiler).

        The files of a lock are kept for its target: a redeploy of changed code with the same lock
        takes them from there (each checked against the sha256 recorded) instead of asking the index."""
        with open(lock, "rb") as handle:
            key = hashlib.sha256(handle.read() + json.dumps(self.target_any).encode()).hexdigest()
        kept = os.path.join(self.params["dest"], ".downloads", key)
        if not link_kept(kept, self.wheels_dir):
            fetched = os.path.join(self.build_dir, "downloads")
            self.run(self.pip + ["download", "--no-deps", "--require-hashes", "--dest", fetched]
                     + self.target_any + ["--requirement", lock],
                     f"the wheels pinned in {lock} could not all be fetched for {self.describe}")
            for name in sorted(os.listdir(fetched)):
                if name.endswith(SDISTS):
                    self.build_sdist(os.path.join(fetched, name))
            keep(fetched, kept)
            link_kept(kept, self.wheels_dir)

    def host_uv(self, version, tool):
        """Extract to tool the uv binary of uv's wheel for the target, which the host installs releases with."""
        fetched = os.path.join(self.build_dir, "uv")
        self.run(self.pip + ["download", "--no-deps", "--dest", fetched] + self.target + [f"uv=={version}"],
                 f"uv {version} has no wheel for {self.describe}")
        (wheel,) = (os.path.join(fetched, name) for name in os.listdir(fetched) if name.endswith(".whl"))
        with zipfile.ZipFile(wheel) as archive:
            (member,) = (name for name in archive.namelist() if name.endswith(".data/scripts/uv"))
            os.makedirs(os.path.dirname(tool), exist_ok=True)
            handle, partial = tempfile.mkstemp(prefix=".uv-", dir=os.path.dirname(tool))
            with archive.open(member) as source, os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(source, out)
        os.chmod(partial, 0o755)
        os.replace(partial, tool)

    def build_sdist(self, sdist):
        out = os.path.join(self.build_dir, "sdist-" + os.path.basename(sdist))
        self.run(self.pip + ["wheel", "--no-deps", "--wheel-dir", out, sdist],
                 f"{os.path.basename(sdist)} has no wheel for {self.describe}, and building its sdist failed",
                 environ_update={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
        (built,) = os.listdir(out)
        abi, platform = built[:-len(".whl")].split("-")[-2:]
        if abi != "none" or platform != "any":
            self.module.fail_json(msg=f"{os.path.basename(sdist)} has no wheel for {self.describe}, and its sdist "
                                      f"builds a compiled one here ({built}), which that host cannot use: it has no "
                                      "compiler, so a wheel for it must come from the index or a lock")
        os.replace(os.path.join(out, built), os.path.join(self.wheels_dir, built))
        os.remove(sdist)

    def check_complete(self, roots, lock):
        """The wheels alone satisfy the release for the target (with uv, markers evaluated for it)."""
        said = f"{lock} does not pin every dependency of the project and of {self.params['requirements']}"
        if self.uv:
            self.run(self.uv + ["pip", "compile", "--quiet", "--no-header", "--offline", "--no-index",
                                "--find-links", self.wheels_dir, "--output-file", os.devnull] + self.uv_target + [roots],
                     said)
        else:
            self.run(self.pip + ["download", "--no-index", "--find-links", self.wheels_dir,
                                 "--dest", os.path.join(self.build_dir, "check")] + self.target
                     + ["--requirement", roots], said)


def keep(fetched, kept):
    """Keep the downloaded (and built) files of a lock under kept/, with their sha256."""
    files = {name: sha256(os.path.join(fetched, name)) for name in os.listdir(fetched)}
    with open(os.path.join(fetched, KEPT_INDEX), "w") as handle:
        json.dump(files, handle)
    os.makedirs(os.path.dirname(kept), exist_ok=True)
    try:
        os.rename(fetched, kept)
    except OSError:
        # Another host of the same play kept the same files a moment before.
        if not os.path.isdir(kept):
            raise


def link_kept(kept, wheels_dir):
    """Link the kept files into wheels_dir, each checked against its recorded sha256; False (and
    nothing linked) when there are none, or one no longer matches (that copy is then forgotten)."""
    try:
        with open(os.path.join(kept, KEPT_INDEX)) as handle:
            files = json.load(handle)
    except (OSError, ValueError):
        return False
    if any(not os.path.isfile(os.path.join(kept, name)) or sha256(os.path.join(kept, name)) != digest
           for name, digest in files.items()):
        shutil.rmtree(kept, ignore_errors=True)
        return False
    for name in files:
        try:
            os.link(os.path.join(kept, name), os.path.join(wheels_dir, name))
        except OSError:
            shutil.copy(os.path.join(kept, name), os.path.join(wheels_dir, name))
    return True


def uv_command():
    """How to run uv on the controller: the one installed beside this Python, or on PATH; None."""
    if importlib.util.find_spec("uv"):
        return [sys.executable, "-m", "uv"]
    found = shutil.which("uv")
    return [found] if found else None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            project=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            python_version=dict(type="str", required=True),
            glibc_version=dict(type="str", required=True),
            architecture=dict(type="str", default="x86_64", choices=["x86_64", "aarch64"]),
            requirements=dict(type="list", elements="str", default=[]),
            lock=dict(type="path"),
            dependencies=dict(type="str", default="wheels", choices=["wheels", "index"]),
            requirements_file=dict(type="path"),
            exclude=dict(type="list", elements="str", default=[]),
            host_uv=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    project = os.path.abspath(params["project"])
    tree = not os.path.isfile(os.path.join(project, "pyproject.toml"))
    requirements_file = os.path.abspath(params["requirements_file"] or os.path.join(project, "requirements.txt"))
    if tree and not os.path.isfile(requirements_file):
        module.fail_json(msg=f"project: {project} has neither a pyproject.toml nor the requirements file "
                             f"{requirements_file}; point it at the app's source tree")
    try:
        platform_tags(params["glibc_version"], params["architecture"])
        [int(part) for part in params["python_version"].split(".")[:2]]
    except ValueError as exc:
        module.fail_json(msg=f"cannot derive wheel tags: {exc}")

    lock, lock_text = params["lock"], ""
    if tree and not lock:
        with open(requirements_file) as handle:
            lock = requirements_file if "--hash=" in handle.read() else None
    if lock:
        lock = os.path.abspath(lock)
        if not os.path.isfile(lock):
            module.fail_json(msg=f"lock: {lock} does not exist")
        with open(lock) as handle:
            lock_text = handle.read()
        if "--hash=" not in lock_text:
            module.fail_json(msg=f"lock: {lock} pins no hashes; compile it with --generate-hashes")
        pinned = pins(lock_text)
        for requirement in params["requirements"]:
            match = PINNED.match(requirement) or re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
            if match and normalize(match.group(1)) not in pinned:
                module.fail_json(msg=f"lock: {lock} does not pin {match.group(1)} (required as {requirement}); "
                                     "add it to the lock's inputs and compile the lock again")

    dest = params["dest"]
    os.makedirs(os.path.join(dest, ".builds"), exist_ok=True)
    options = {key: params[key] for key in ("python_version", "glibc_version", "architecture",
                                            "requirements", "dependencies", "exclude")}
    options.update(layout=LAYOUT, tree=tree)
    if tree:
        files = tree_files(project, params["exclude"])
        with open(requirements_file, "rb") as handle:
            options["requirements_file"] = sha256_text(handle.read())
    else:
        files = package_files(project)
    record = os.path.join(dest, ".builds", fingerprint(project, files, lock_text, options) + ".json")
    if os.path.isfile(record):
        with open(record) as handle:
            result = json.load(handle)
        if os.path.basename(result.get("archive", "")) == ARCHIVE and os.path.isfile(result["archive"]):
            module.exit_json(changed=False, cached=True, host_uv=with_host_uv(module), **result)

    work = tempfile.mkdtemp(prefix=".build-", dir=dest)
    try:
        build = Build(module, work)
        wheels_dir = build.wheels_dir
        wheel = "" if tree else build.project_wheel(project)
        if wheel:
            shutil.copy(wheel, wheels_dir)
        if params["dependencies"] == "wheels":
            roots = build.roots_file(wheel, requirements_file if tree else "")
            resolved = lock or build.resolve(roots, "" if tree else wheel_name_version(os.path.basename(wheel))[0])
            build.download_locked(resolved)
            build.check_complete(roots, lock or "the resolved lock")

        wheels = sorted(name for name in os.listdir(wheels_dir) if name.endswith(".whl"))
        hashes = {name: sha256(os.path.join(wheels_dir, name)) for name in wheels}
        with open(os.path.join(wheels_dir, "requirements.txt"), "w") as handle:
            if params["dependencies"] == "index":
                # What the host's pip installs from its index before the project's own wheel.
                if tree and not lock:
                    with open(requirements_file) as source:
                        handle.write(source.read().rstrip("\n") + "\n")
                handle.write(lock_text if lock else "".join(f"{req}\n" for req in params["requirements"]))
            else:
                for name in wheels:
                    dist, version = wheel_name_version(name)
                    handle.write(f"{dist}=={version} --hash=sha256:{hashes[name]}\n")
        with open(os.path.join(wheels_dir, "requirements.txt"), "rb") as handle:
            content = "".join(f"{hashes[name]}  {name}\n" for name in wheels) + sha256_text(handle.read())
        if tree:
            content += "code\n" + file_digest(project, files)
        release_id = hashlib.sha256(content.encode()).hexdigest()[:12]
        # The whole release as one file: one transfer to the host instead of one per wheel.
        with tarfile.open(os.path.join(work, ARCHIVE), "w") as archive:
            for name in sorted(os.listdir(wheels_dir)):
                archive.add(os.path.join(wheels_dir, name), arcname=f"wheels/{name}")
            for rel in files if tree else ():
                archive.add(os.path.join(project, rel), arcname=f"code/{rel}", recursive=False,
                            filter=code_member())
        os.rename(os.path.join(work, ARCHIVE), os.path.join(wheels_dir, ARCHIVE))

        path = os.path.join(dest, release_id)
        changed = not os.path.isdir(path)
        if changed:
            try:
                os.rename(wheels_dir, path)
            except OSError:
                # Another host of the same play built the same release a moment before.
                if not os.path.isdir(path):
                    raise
                changed = False
        if not os.path.isfile(os.path.join(path, ARCHIVE)):
            # The same wheels, built before the archive had its present layout.
            os.replace(os.path.join(wheels_dir, ARCHIVE), os.path.join(path, ARCHIVE))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = dict(release_id=release_id, path=path, archive=os.path.join(path, ARCHIVE),
                  project_wheel=os.path.basename(wheel), wheels=wheels, code_files=len(files) if tree else 0)
    # A temporary name of its own: another play may be recording the same build at this moment.
    handle, partial = tempfile.mkstemp(prefix=".record-", dir=os.path.dirname(record))
    with os.fdopen(handle, "w") as handle:
        json.dump(result, handle)
    os.replace(partial, record)
    module.exit_json(changed=changed, cached=False, host_uv=with_host_uv(module), **result)


def with_host_uv(module):
    """The path of the host's uv binary on the controller (fetched once per version), or ""."""
    version, dest = module.params["host_uv"], module.params["dest"]
    if not version:
        return ""
    tool = os.path.join(dest, ".tools", f"uv-{version}-{module.params['architecture']}", "uv")
    if not os.path.isfile(tool):
        work = tempfile.mkdtemp(prefix=".uv-", dir=dest)
        try:
            Build(module, work).host_uv(version, tool)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return tool


if __name__ == "__main__":
    main()
