"""The wheelhouse module, on this controller with real pip against the real index."""

import re
import shutil
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import module_through_ansible, run_module

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APP = ROOT / "sample_app"
LOCK = SAMPLE_APP / "requirements.lock"
UWSGI = "pyuwsgi==2.0.30.post1"
# Debian 12's CPython and glibc on x86_64.
TARGET = {"python_version": "3.11", "glibc_version": "2.36"}


def wheelhouse(**args):
    """Run roost.wsgi.wheelhouse on localhost; return its result (failed or not)."""
    return run_module("wheelhouse", {**TARGET, **args}, timeout=600)


def wheelhouse_through_ansible(**args):
    """The same, always as a process of its own, as each ansible-playbook run on one laptop is."""
    return module_through_ansible("wheelhouse", {**TARGET, **args}, timeout=600)


@pytest.fixture
def project(tmp_path):
    """A private copy of perch, free to change."""
    copy = tmp_path / "perch"
    shutil.copytree(SAMPLE_APP, copy, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "instance"))
    return copy


@pytest.mark.every_core
def test_a_lock_gives_exactly_its_pinned_wheels_and_is_remembered(project, tmp_path):
    dest = tmp_path / "cache"
    first = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])
    assert not first.get("failed"), first.get("msg")
    assert first["cached"] is False
    locked = (LOCK.read_text())
    for name in first["wheels"]:
        if not name.startswith("perch-"):
            dist, version = name.split("-")[:2]
            assert f"{dist.replace('_', '-').lower()}=={version}" in locked.lower(), name
    assert any(name.startswith("pyuwsgi-") and "manylinux" in name for name in first["wheels"])
    requirements = (Path(first["path"]) / "requirements.txt").read_text()
    assert requirements.count("--hash=sha256:") == len(first["wheels"])

    again = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])
    assert again["cached"] is True and again["changed"] is False
    assert again["release_id"] == first["release_id"]

    # Build leftovers are not source: still the same build.
    (project / "build").mkdir()
    (project / "build" / "junk").write_text("x")
    assert wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])["cached"] is True

    # A changed source file is a new build and a new release.
    (project / "perch" / "__init__.py").write_text((project / "perch" / "__init__.py").read_text() + "\n# changed\n")
    changed = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])
    assert changed["cached"] is False and changed["changed"] is True
    assert changed["release_id"] != first["release_id"]


def test_changed_code_with_the_same_lock_takes_the_kept_wheels_without_the_index(project, tmp_path, monkeypatch):
    dest = tmp_path / "cache"
    first = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])
    assert not first.get("failed"), first.get("msg")
    (project / "perch" / "__init__.py").write_text((project / "perch" / "__init__.py").read_text() + "\n# changed\n")
    # No index from here on: pip would fail, and uv builds from its cache.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("UV_OFFLINE", "1")
    second = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])
    assert not second.get("failed"), second.get("msg")
    assert second["release_id"] != first["release_id"]
    assert sorted(n for n in second["wheels"] if not n.startswith("perch-")) == \
        sorted(n for n in first["wheels"] if not n.startswith("perch-"))

    # A kept file that changed since is never used: it is fetched again (failing here, offline).
    (kept,) = (dest / ".downloads").iterdir()
    flask = next(kept.glob("flask-*.whl"))
    flask.write_bytes(flask.read_bytes() + b"tampered")
    (project / "perch" / "__init__.py").write_text((project / "perch" / "__init__.py").read_text() + "\n# again\n")
    third = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])
    assert third.get("failed") and "could not all be fetched" in third["msg"], third.get("msg")
    assert not kept.exists()


def test_the_hosts_uv_is_the_binary_of_uvs_wheel_for_the_target(project, tmp_path):
    dest = tmp_path / "cache"
    result = wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI], host_uv="0.13.9")
    assert not result.get("failed"), result.get("msg")
    uv = Path(result["host_uv"])
    assert uv == dest / ".tools" / "uv-0.13.9-x86_64" / "uv"
    assert uv.read_bytes()[:4] == b"\x7fELF" and uv.stat().st_mode & 0o777 == 0o755
    # Cached: the same path again, from the remembered build too.
    assert wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI],
                      host_uv="0.13.9")["host_uv"] == str(uv)
    assert wheelhouse(project=str(project), dest=str(dest), lock=str(LOCK), requirements=[UWSGI])["host_uv"] == ""


def test_a_lock_missing_a_dependency_is_refused(project, tmp_path):
    lock = tmp_path / "partial.lock"
    kept, skipping = [], False
    for line in LOCK.read_text().splitlines():
        if line.startswith("werkzeug=="):
            skipping = True
        elif line and not line.startswith(" "):
            skipping = False
        if not skipping:
            kept.append(line)
    lock.write_text("\n".join(kept) + "\n")
    result = wheelhouse(project=str(project), dest=str(tmp_path / "cache"), lock=str(lock), requirements=[UWSGI])
    assert result.get("failed")
    assert "does not pin every dependency" in result["msg"]
    assert "werkzeug" in result["msg"].lower()


def test_a_lock_that_does_not_pin_the_server_is_refused(project, tmp_path):
    result = wheelhouse(project=str(project), dest=str(tmp_path / "cache"), lock=str(LOCK),
                        requirements=["gunicorn==23.0.0"])
    assert result.get("failed")
    assert "does not pin gunicorn" in result["msg"]


def test_a_lock_without_hashes_is_refused(project, tmp_path):
    lock = tmp_path / "plain.lock"
    lock.write_text("flask==3.1.3\n")
    result = wheelhouse(project=str(project), dest=str(tmp_path / "cache"), lock=str(lock))
    assert result.get("failed") and "pins no hashes" in result["msg"]


def test_index_mode_ships_only_the_project_wheel(project, tmp_path):
    result = wheelhouse(project=str(project), dest=str(tmp_path / "cache"), lock=str(LOCK),
                        requirements=[UWSGI], dependencies="index")
    assert not result.get("failed"), result.get("msg")
    assert [name.split("-")[0] for name in result["wheels"]] == ["perch"]
    assert (Path(result["path"]) / "requirements.txt").read_text() == LOCK.read_text()


def test_plays_building_the_same_release_side_by_side_both_succeed(project, tmp_path):
    # Two inventories deployed from one laptop at once share the build directory.
    args = dict(project=str(project), dest=str(tmp_path / "cache"), lock=str(LOCK), requirements=[UWSGI],
                dependencies="index")
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: wheelhouse_through_ansible(**args), range(3)))
    assert [result.get("msg") for result in results if result.get("failed")] == []
    assert len({result["release_id"] for result in results}) == 1
    assert sum(result["changed"] for result in results) >= 1
    # One record, and no half-written record or build directory left behind.
    assert len(list((tmp_path / "cache" / ".builds").iterdir())) == 1
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == [".builds", results[0]["release_id"]]


def test_a_directory_with_neither_pyproject_nor_requirements_is_refused(tmp_path):
    result = wheelhouse(project=str(tmp_path), dest=str(tmp_path / "cache"))
    assert result.get("failed"), result
    assert "has neither a pyproject.toml nor the requirements file" in result["msg"]
    assert str(tmp_path / "requirements.txt") in result["msg"]


@pytest.fixture
def tree(tmp_path):
    """A project as django-admin makes them: code, a requirements.txt, and the litter of a checkout."""
    root = tmp_path / "site"
    for rel, text in {
        "manage.py": "print('manage')\n",
        "mysite/__init__.py": "",
        "mysite/wsgi.py": "application = None\n",
        "mysite/static/site.css": "body {}\n",
        "requirements.txt": "itsdangerous==2.2.0\n",
        "tests/test_it.py": "",
        "blog/tests.py": "",
        ".git/HEAD": "ref\n",
        ".env": "SECRET=1\n",
        "db.sqlite3": "data",
        "mysite/__pycache__/wsgi.cpython-311.pyc": "x",
        "env/pyvenv.cfg": "home = /usr\n",
        "env/lib/site.py": "",
        "notes/draft.md": "",
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def members(result):
    with tarfile.open(result["archive"]) as archive:
        return {info.name: info for info in archive.getmembers()}


@pytest.mark.every_core
def test_a_tree_with_requirements_ships_its_code_and_its_dependencies(tree, tmp_path):
    dest = tmp_path / "cache"
    first = wheelhouse(project=str(tree), dest=str(dest), exclude=["notes"], requirements=[UWSGI])
    assert not first.get("failed"), first.get("msg")
    assert first["project_wheel"] == "" and first["code_files"] == 6
    assert any(name.startswith("itsdangerous-2.2.0-") for name in first["wheels"])
    assert any(name.startswith("pyuwsgi-") for name in first["wheels"])
    found = members(first)
    code = sorted(name for name in found if name.startswith("code/"))
    # Kept: the code, its static files, an app's tests.py. Left out: VCS, secrets, the developer's
    # database, caches, a virtualenv, top-level tests and what the user excluded.
    assert code == ["code/blog/tests.py", "code/manage.py", "code/mysite/__init__.py",
                    "code/mysite/static/site.css", "code/mysite/wsgi.py", "code/requirements.txt"], code
    assert all(info.uid == 0 and info.uname == "root" and not info.mode & 0o022
               for name, info in found.items() if name.startswith("code/"))
    assert "wheels/requirements.txt" in found
    requirements = (Path(first["path"]) / "requirements.txt").read_text()
    assert requirements.count("--hash=sha256:") == len(first["wheels"])

    # The same tree is the same release; a litter file changes nothing; code does.
    (tree / "mysite" / "__pycache__" / "other.pyc").write_text("y")
    again = wheelhouse(project=str(tree), dest=str(dest), exclude=["notes"], requirements=[UWSGI])
    assert again["cached"] is True and again["release_id"] == first["release_id"]
    (tree / "mysite" / "wsgi.py").write_text("application = 1\n")
    changed = wheelhouse(project=str(tree), dest=str(dest), exclude=["notes"], requirements=[UWSGI])
    assert changed["cached"] is False and changed["release_id"] != first["release_id"]
    assert changed["wheels"] == first["wheels"]


def test_a_tree_with_a_hash_pinned_requirements_file_installs_exactly_it(tree, tmp_path):
    wheel = tmp_path / "probe"
    probe = wheelhouse(project=str(tree), dest=str(wheel))
    (name,) = probe["wheels"]
    digest = re.search(r"sha256:([0-9a-f]{64})", (Path(probe["path"]) / "requirements.txt").read_text()).group(1)
    (tree / "requirements.txt").write_text(f"itsdangerous==2.2.0 \\\n    --hash=sha256:{digest}\n")
    locked = wheelhouse(project=str(tree), dest=str(tmp_path / "cache"))
    assert not locked.get("failed"), locked.get("msg")
    assert locked["wheels"] == [name]
    # A wrong hash is caught on the controller.
    (tree / "requirements.txt").write_text(f"itsdangerous==2.2.0 --hash=sha256:{'0' * 64}\n")
    wrong = wheelhouse(project=str(tree), dest=str(tmp_path / "cache"))
    assert wrong.get("failed") and "could not all be fetched" in wrong["msg"], wrong


def test_dependencies_are_resolved_for_the_targets_python_not_the_controllers(tree, tmp_path):
    # typing-extensions is wanted below Python 3.12 only: a 3.11 host needs it whatever runs here.
    (tree / "requirements.txt").write_text('itsdangerous==2.2.0\ntyping-extensions==4.12.2; python_version < "3.12"\n')
    older = wheelhouse(project=str(tree), dest=str(tmp_path / "cache"))
    newer = wheelhouse(project=str(tree), dest=str(tmp_path / "cache"), python_version="3.13", glibc_version="2.41")
    assert not older.get("failed") and not newer.get("failed"), (older.get("msg"), newer.get("msg"))
    assert any(name.startswith("typing_extensions-4.12.2-") for name in older["wheels"]), older["wheels"]
    assert not any(name.startswith("typing_extensions") for name in newer["wheels"]), newer["wheels"]


def test_a_pure_python_sdist_is_built_into_a_wheel_here(tree, tmp_path):
    # docopt 0.6.2 publishes an sdist only.
    (tree / "requirements.txt").write_text("docopt==0.6.2\n")
    result = wheelhouse(project=str(tree), dest=str(tmp_path / "cache"))
    assert not result.get("failed"), result.get("msg")
    assert result["wheels"] == ["docopt-0.6.2-py2.py3-none-any.whl"]
    assert not [name for name in members(result) if name.endswith((".tar.gz", ".zip"))]
    requirements = (Path(result["path"]) / "requirements.txt").read_text()
    assert requirements.startswith("docopt==0.6.2 --hash=sha256:")
