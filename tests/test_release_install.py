"""roost.wsgi.release_install, run by ansible on this controller: a real archive, a real virtualenv,
the real uv binary (the one the hosts get is the same program for their platform)."""

import base64
import hashlib
import io
import os
import stat
import subprocess
import tarfile
import zipfile

import pytest
from conftest import run_module

uv_module = pytest.importorskip("uv")
UV = uv_module.find_uv_bin()


def wheel(name="greeting", version="1.0"):
    """A minimal pure-Python wheel: its bytes and its file name."""
    dist_info = f"{name}-{version}.dist-info"
    files = {f"{name}.py": b"HELLO = 'hello'\n",
             f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for path, data in files.items()) + f"{dist_info}/RECORD,,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in {**files, f"{dist_info}/RECORD": record.encode()}.items():
            archive.writestr(path, data)
    return buffer.getvalue(), f"{name}-{version}-py3-none-any.whl"


def add(tar, name, data=b"", **attrs):
    info = tarfile.TarInfo(name)
    for key, value in attrs.items():
        setattr(info, key, value)
    if info.isreg():
        info.size = len(data)
    tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def release_tar(path, code=True, hash_of=None, extra=()):
    data, filename = wheel()
    digest = hashlib.sha256(hash_of if hash_of is not None else data).hexdigest()
    with tarfile.open(path, "w") as tar:
        add(tar, f"wheels/{filename}", data, mode=0o664)
        add(tar, "wheels/requirements.txt", f"greeting==1.0 --hash=sha256:{digest}\n".encode(), mode=0o644)
        if code:
            add(tar, "code/mysite/__init__.py", b"SITE = 'mysite'\n", mode=0o666)
        for name, attrs in extra:
            add(tar, name, **attrs)
    return path


def install(tmp_path, archive, *flags, **args):
    return run_module("release_install", {"archive": str(archive), "dest": str(tmp_path / "releases" / "r1"),
                                          "uv": UV, **args}, *flags, timeout=300)


@pytest.fixture
def releases(tmp_path):
    (tmp_path / "releases" / "r1").mkdir(parents=True)
    (tmp_path / "releases" / "r1" / "left-by-an-interrupted-deploy").write_text("x")
    return tmp_path / "releases"


@pytest.mark.every_core
def test_a_tree_release_is_unpacked_installed_and_on_the_path(tmp_path, releases):
    archive = release_tar(releases / "r1.tar")
    result = install(tmp_path, archive)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["tree"] is True
    dest = releases / "r1"
    assert not (dest / "left-by-an-interrupted-deploy").exists() and not archive.exists()
    python = dest / "venv" / "bin" / "python"
    said = subprocess.run([python, "-c", "import greeting, mysite; print(greeting.HELLO, mysite.SITE)"],
                          capture_output=True, text=True, check=True, cwd="/")
    assert said.stdout.split() == ["hello", "mysite"]
    assert not (dest / "venv" / "bin" / "pip").exists()
    # Compiled to bytecode where root wrote it: the app user cannot write __pycache__ later.
    assert list((dest / "venv").glob("lib/python*/site-packages/__pycache__/greeting.*.pyc"))
    for path in [dest / "code" / "mysite" / "__init__.py", *dest.glob("wheels/*")]:
        if os.getuid() == 0:
            assert path.stat().st_uid == 0 and path.stat().st_gid == 0
    # Nothing anyone but its owner can write, uv's lock file (0666 as uv leaves it) least of all.
    assert not (dest / "venv" / ".lock").exists()
    for path in [dest, *dest.rglob("*")]:
        if not path.is_symlink():
            assert not path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH), path


def test_a_package_release_has_no_code_path(tmp_path, releases):
    result = install(tmp_path, release_tar(releases / "r1.tar", code=False))
    assert not result.get("failed"), result.get("msg")
    assert result["tree"] is False
    assert not list((releases / "r1" / "venv").glob("lib/python*/site-packages/roost-app-code.pth"))


@pytest.mark.parametrize("name, attrs, said", [
    ("../escape", {"mode": 0o644}, "is not a path under"),
    ("/etc/escape", {"mode": 0o644}, "is not a path under"),
    ("shared/config.json", {"mode": 0o644}, "is not a path under"),
    ("code/out", {"type": tarfile.SYMTYPE, "linkname": "../../shared"}, "links out of the release"),
    ("code/abs", {"type": tarfile.SYMTYPE, "linkname": "/etc/shadow"}, "links out of the release"),
    ("code/dev", {"type": tarfile.CHRTYPE}, "neither a file"),
])
def test_a_member_outside_the_release_is_refused_before_anything_changes(tmp_path, releases, name, attrs, said):
    result = install(tmp_path, release_tar(releases / "r1.tar", extra=[(name, attrs)]))
    assert result.get("failed") and said in result["msg"], result.get("msg")
    assert (releases / "r1" / "left-by-an-interrupted-deploy").exists()
    assert not (tmp_path / "escape").exists()


def test_a_wheel_that_does_not_match_its_hash_is_not_installed(tmp_path, releases):
    result = install(tmp_path, release_tar(releases / "r1.tar", hash_of=b"other bytes"))
    assert result.get("failed") and "installing the wheels of" in result["msg"], result.get("msg")
    assert "hash" in result["msg"].lower()


@pytest.mark.every_core
def test_check_mode_changes_nothing(tmp_path, releases):
    archive = release_tar(releases / "r1.tar")
    result = install(tmp_path, archive, "--check")
    assert result["changed"] is True and not result.get("failed")
    assert archive.exists() and (releases / "r1" / "left-by-an-interrupted-deploy").exists()


def test_a_missing_archive_is_named(tmp_path, releases):
    result = install(tmp_path, releases / "nothing.tar")
    assert result.get("failed") and "nothing.tar does not exist" in result["msg"]
