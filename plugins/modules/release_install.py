#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: release_install
short_description: Unpack a release's archive into its own directory and virtualenv, on the host
version_added: "0.1.0"
description:
  - Removes whatever an interrupted deploy left in O(dest), then unpacks O(archive) (the C(release.tar)
    M(roost.wsgi.wheelhouse) builds, pushed beside it) into it, owned by root and writable by root only.
    Every member must be a file, directory or symlink inside O(dest); anything else (an absolute path,
    C(..), a link out of the release, a device) fails the install before a file is written.
  - Creates the release's virtualenv (C(venv/), without pip) with O(python), and installs the wheels
    with O(uv) from C(wheels/) alone (C(--offline --no-index --require-hashes --no-config)), compiled to
    bytecode. Without O(uv) the virtualenv is left empty, for pip to install from an index.
  - A tree's code (C(code/) in the archive) is put on the virtualenv's path by a relative C(.pth) line,
    C(../../../../code), which Python resolves against the path it was started through, so
    C(<root>/current/venv) finds C(<root>/current/code) after each switch.
  - Leaves nothing in O(dest) that group or others can write (uv's lock file is removed), and removes
    O(archive) once unpacked. In check mode it reports the change and does nothing.
options:
  archive:
    description: The release's archive on the host.
    type: path
    required: true
  dest:
    description: The release's directory, C(<root>/releases/<id>).
    type: path
    required: true
  python:
    description: The Python the virtualenv is made from.
    type: path
    default: /usr/bin/python3
  uv:
    description: The uv binary to install the wheels with; without it no wheel is installed.
    type: path
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Install the release
  roost.wsgi.release_install:
    archive: /srv/perch/releases/0123456789ab.tar
    dest: /srv/perch/releases/0123456789ab
    uv: /usr/local/lib/roost-wsgi-uv-0.13.9
"""

RETURN = r"""
tree:
  description: Whether the release has a tree's code (C(code/)), now on the virtualenv's path.
  returned: success
  type: bool
site_packages:
  description: The virtualenv's site-packages directory.
  returned: success
  type: str
  sample: /srv/perch/releases/0123456789ab/venv/lib/python3.11/site-packages
"""

import glob
import os
import posixpath
import shutil
import stat
import tarfile

from ansible.module_utils.basic import AnsibleModule

CODE_PTH = "roost-app-code.pth"
# From <venv>/lib/pythonX.Y/site-packages to the release's code/.
CODE_FROM_SITE_PACKAGES = "../../../../code"
TOP_LEVEL = ("wheels", "code")


def unsafe(member):
    """Why a member of the archive may not be unpacked, or None."""
    name = member.name
    parts = name.split("/")
    if name.startswith("/") or ".." in parts or posixpath.normpath(name) != name or parts[0] not in TOP_LEVEL:
        return f"{name!r} is not a path under {' or '.join(TOP_LEVEL)}"
    if member.issym():
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
        if member.linkname.startswith("/") or target == ".." or target.startswith("../"):
            return f"{name!r} links out of the release (to {member.linkname!r})"
    elif not (member.isfile() or member.isdir()):
        return f"{name!r} is neither a file, a directory nor a symlink"
    return None


def root_owned(member):
    """Owned by root; never writable but by root, never setuid."""
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    if not member.issym():
        member.mode &= 0o755
    return member


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        problems = [problem for problem in map(unsafe, members) if problem]
        if problems:
            raise ValueError(f"{archive} cannot be unpacked: " + "; ".join(problems[:3]))
        if os.path.lexists(dest):
            shutil.rmtree(dest)
        os.makedirs(dest, mode=0o755)
        os.chmod(dest, 0o755)
        # Checked above; Python's own filters (3.12 on) would drop the ownership set here.
        trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
        for member in members:
            tar.extract(root_owned(member), dest, numeric_owner=True, **trusted)


def read_only_to_others(top):
    """Take the write bits of group and others off everything under top (links aside): uv leaves its
    lock file (venv/.lock) writable by anyone, and nothing of a release is anyone's to change but root's."""
    for directory, dirs, files in os.walk(top):
        for path in [directory] + [os.path.join(directory, name) for name in files]:
            info = os.lstat(path)
            if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022:
                os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o022)


def main():
    module = AnsibleModule(
        argument_spec={
            "archive": {"type": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "python": {"type": "path", "default": "/usr/bin/python3"},
            "uv": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    dest, archive = params["dest"].rstrip("/"), params["archive"]
    if not os.path.isfile(archive):
        module.fail_json(msg=f"archive: {archive} does not exist on the host")
    if module.check_mode:
        module.exit_json(changed=True, tree=False, site_packages="")
    try:
        unpack(archive, dest)
    except (ValueError, tarfile.TarError, OSError) as exc:
        module.fail_json(msg=str(exc))

    venv = os.path.join(dest, "venv")
    module.run_command([params["python"], "-m", "venv", "--without-pip", venv], check_rc=True)
    (site_packages,) = glob.glob(os.path.join(venv, "lib", "python*", "site-packages"))
    if params["uv"]:
        rc, out, err = module.run_command(
            [params["uv"], "pip", "install", "--quiet", "--no-config", "--no-cache", "--offline", "--no-index",
             "--require-hashes", "--compile-bytecode", "--python", os.path.join(venv, "bin", "python"),
             "--find-links", os.path.join(dest, "wheels"), "--requirement", os.path.join(dest, "wheels", "requirements.txt")],
            environ_update={"UV_NO_PROGRESS": "1"})
        if rc != 0:
            said = " ".join(line.strip() for line in err.splitlines() if line.strip())[-1500:]
            module.fail_json(msg=f"installing the wheels of {dest} failed: {said}", stdout=out, stderr=err)
        # uv's lock of the environment while it installed; nothing installs into a release again.
        if os.path.isfile(os.path.join(venv, ".lock")):
            os.remove(os.path.join(venv, ".lock"))
    tree = os.path.isdir(os.path.join(dest, "code"))
    if tree:
        with open(os.path.join(site_packages, CODE_PTH), "w") as handle:
            handle.write(CODE_FROM_SITE_PACKAGES + "\n")
        os.chmod(os.path.join(site_packages, CODE_PTH), 0o644)
    read_only_to_others(dest)
    os.remove(archive)
    module.exit_json(changed=True, tree=tree, site_packages=site_packages)


if __name__ == "__main__":
    main()
