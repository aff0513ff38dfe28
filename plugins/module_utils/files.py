# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""Files, directories, links and removals put in place in order, each only when it differs: what the
files module does, and what other modules do before acting on what changed (supervisor_programs)."""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_text

# Diffs of files bigger than this are summarised rather than shown.
MAX_DIFF_BYTES = 64 * 1024


def _ids(module, entry):
    try:
        uid = pwd.getpwnam(entry["owner"]).pw_uid
    except KeyError:
        module.fail_json(msg=f"{entry['path']}: no user named {entry['owner']!r} on this host")
    try:
        gid = grp.getgrnam(entry["group"]).gr_gid
    except KeyError:
        module.fail_json(msg=f"{entry['path']}: no group named {entry['group']!r} on this host")
    return uid, gid


def _mode(module, entry):
    mode = entry.get("mode")
    if mode is None:
        module.fail_json(msg=f"{entry['path']}: mode is required with state={entry['state']}")
    if isinstance(mode, int) and not isinstance(mode, bool):
        value = mode
    else:
        try:
            value = int(str(mode), 8)
        except ValueError:
            value = -1
    if not 0 <= value <= 0o7777:
        module.fail_json(msg=f"{entry['path']}: mode must be an octal string such as \"0644\", not {mode!r}")
    return value


def plan(module, entries):
    """Check every entry before anything changes; return them with uid, gid, mode and bytes resolved."""
    planned, directories = [], set()
    for entry in entries:
        path = entry["path"]
        if not os.path.isabs(path):
            module.fail_json(msg=f"{path}: must be an absolute path")
        step = dict(entry)
        if entry["state"] == "link" and not entry.get("src"):
            module.fail_json(msg=f"{path}: src is required with state=link")
        if entry["state"] in ("file", "directory"):
            step["uid"], step["gid"] = _ids(module, entry)
            step["mode"] = _mode(module, entry)
        if entry["state"] != "absent":
            parent = os.path.dirname(path.rstrip("/"))
            if not os.path.isdir(parent) and parent not in directories:
                module.fail_json(msg=f"{path}: the directory {parent} does not exist")
        if entry["state"] == "file":
            if entry.get("content") is None:
                module.fail_json(msg=f"{path}: content is required with state=file")
            if entry.get("validate") and "%s" not in entry["validate"]:
                module.fail_json(msg=f"{path}: validate must contain %s, the path of the file to check")
            step["data"] = to_bytes(entry["content"], errors="surrogate_or_strict")
        if entry["state"] == "directory":
            directories.add(path.rstrip("/"))
        planned.append(step)
    return planned


def _attributes_diff(path, current, uid, gid, mode):
    """What differs in owner, group and mode, as the file module shows it; {} when nothing does."""
    before, after = {}, {}
    if current.st_uid != uid or current.st_gid != gid:
        before["owner:group"] = f"{current.st_uid}:{current.st_gid}"
        after["owner:group"] = f"{uid}:{gid}"
    if stat.S_IMODE(current.st_mode) != mode:
        before["mode"] = f"{stat.S_IMODE(current.st_mode):04o}"
        after["mode"] = f"{mode:04o}"
    if not after:
        return {}
    return {"before": dict(before, path=path), "after": dict(after, path=path)}


def _content_diff(path, old, new):
    if max(len(old or b""), len(new)) > MAX_DIFF_BYTES:
        return {"before_header": path, "after_header": path,
                "before": f"({len(old or b'')} bytes)\n", "after": f"({len(new)} bytes)\n"}
    return {"before_header": path if old is not None else "/dev/null", "after_header": path,
            "before": to_text(old or b"", errors="surrogate_or_replace"),
            "after": to_text(new, errors="surrogate_or_replace")}


def _write(module, step):
    """Write the new content beside the path, check it, then rename it over the path."""
    path = step["path"]
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(step["data"])
            handle.flush()
            os.fchown(handle.fileno(), step["uid"], step["gid"])
            os.fchmod(handle.fileno(), step["mode"])
            os.fsync(handle.fileno())
        if step.get("validate"):
            command = step["validate"].replace("%s", shlex.quote(tmp))
            rc, out, err = module.run_command(command)
            if rc != 0:
                module.fail_json(msg=f"{path}: the new content failed its check ({step['validate']}); "
                                     "the file was left as it was",
                                 rc=rc, stdout=out, stderr=err)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)


def _set_attributes(module, step, current, diffs):
    difference = _attributes_diff(step["path"], current, step["uid"], step["gid"], step["mode"])
    if not difference:
        return False
    diffs.append(difference)
    if not module.check_mode:
        os.chown(step["path"], step["uid"], step["gid"])
        os.chmod(step["path"], step["mode"])
    return True


def _lstat(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def ensure_file(module, step, diffs):
    path = step["path"]
    current = _lstat(path)
    if current is not None and not stat.S_ISREG(current.st_mode):
        module.fail_json(msg=f"{path}: exists and is not a regular file; remove it first")
    old = None
    if current is not None:
        with open(path, "rb") as handle:
            old = handle.read()
    if old != step["data"]:
        diffs.append(_content_diff(path, old, step["data"]))
        if not module.check_mode:
            _write(module, step)
        return True
    return _set_attributes(module, step, current, diffs)


def ensure_directory(module, step, diffs):
    path = step["path"]
    current = _lstat(path)
    if current is None:
        diffs.append({"before": {"path": path, "state": "absent"}, "after": {"path": path, "state": "directory"}})
        if not module.check_mode:
            os.mkdir(path, step["mode"])
            os.chown(path, step["uid"], step["gid"])
            os.chmod(path, step["mode"])  # mkdir's mode is masked by the umask
        return True
    if not stat.S_ISDIR(current.st_mode):
        module.fail_json(msg=f"{path}: exists and is not a directory")
    return _set_attributes(module, step, current, diffs)


def ensure_link(module, step, diffs):
    path, src = step["path"], step["src"]
    current = _lstat(path)
    if current is not None and not stat.S_ISLNK(current.st_mode):
        module.fail_json(msg=f"{path}: exists and is not a symbolic link; remove it first")
    if current is not None and os.readlink(path) == src:
        return False
    diffs.append({"before": {"path": path, "src": os.readlink(path) if current is not None else None},
                  "after": {"path": path, "src": src}})
    if not module.check_mode:
        tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.link")
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(src, tmp)
        os.replace(tmp, path)
    return True


def ensure_absent(module, step, diffs):
    path = step["path"]
    current = _lstat(path)
    if current is None:
        return False
    if stat.S_ISDIR(current.st_mode):
        module.fail_json(msg=f"{path}: is a directory; this module removes only files and links")
    diffs.append({"before": {"path": path, "state": "file"}, "after": {"path": path, "state": "absent"}})
    if not module.check_mode:
        os.unlink(path)
    return True


HANDLERS = {"file": ensure_file, "directory": ensure_directory, "link": ensure_link, "absent": ensure_absent}


# The argument spec of the paths option (documented in the doc fragment roost.wsgi.paths).
PATHS_SPEC = dict(
    type="list", elements="dict", required=True, options=dict(
        path=dict(type="path", required=True),
        state=dict(type="str", choices=list(HANDLERS), default="file"),
        src=dict(type="str"),
        content=dict(type="str"),
        owner=dict(type="str", default="root"),
        group=dict(type="str", default="root"),
        mode=dict(type="raw"),
        validate=dict(type="str"),
    ))


def put(module, paths):
    """Put paths in place, in order, after checking all of them: (the paths changed, their diffs)."""
    changed_paths, diffs = [], []
    for step in plan(module, paths):
        if HANDLERS[step["state"]](module, step, diffs):
            changed_paths.append(step["path"])
    return changed_paths, diffs
