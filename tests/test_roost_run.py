"""roost-run's choice of user, directory, command and environment, and what it refuses (multi_app runs it
for real on a host, in a Django project and in perch)."""

import importlib.machinery
import importlib.util
import json
import pwd
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "roles" / "wsgi_app" / "files" / "usr" / "local" / "bin" / "roost-run"
loader = importlib.machinery.SourceFileLoader("roost_run", str(RUN))
run = importlib.util.module_from_spec(importlib.util.spec_from_loader("roost_run", loader))
loader.exec_module(run)

NOBODY = pwd.getpwnam("nobody")


@pytest.fixture
def host(tmp_path):
    """An app 'shop' run by nobody, with two releases, current naming the second; its records dir."""
    records, root = tmp_path / "apps", tmp_path / "srv" / "shop"
    records.mkdir()
    for release in ("aaa111", "bbb222"):
        (root / "releases" / release / "venv" / "bin").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "current").symlink_to(root / "releases" / "bbb222")
    env_file = str(root / "shared" / "environment.json")
    (records / "shop.json").write_text(json.dumps({"user": "nobody", "root": str(root), "env_file": env_file}))
    return records, root, env_file


def test_a_package_runs_in_shared_as_the_app_user_with_the_live_release_first_on_the_path(host):
    records, root, env_file = host
    uid, gid, user, directory, argv, env = run.plan("shop", ["python", "-c", "print(1)"], records, caller_uid=0,
                                                    environ={"TERM": "xterm", "AWS_SECRET": "caller's", "PATH": "/x"})
    release = root / "releases" / "bbb222"
    assert (uid, gid, user) == (NOBODY.pw_uid, NOBODY.pw_gid, "nobody")
    assert directory == str(root / "shared")
    assert argv == ["/usr/bin/python3", "/usr/local/lib/roost-app-env.py", env_file, "python", "-c", "print(1)"]
    # Nothing of the caller's environment but the terminal's: the app's own comes from its file.
    assert env == {"TERM": "xterm", "PATH": f"{release}/venv/bin:/usr/local/bin:/usr/bin:/bin",
                   "VIRTUAL_ENV": f"{release}/venv", "HOME": NOBODY.pw_dir, "USER": "nobody", "LOGNAME": "nobody"}


def test_a_project_tree_runs_in_the_release_code(host):
    records, root, _env_file = host
    (root / "releases" / "bbb222" / "code").mkdir()
    directory = run.plan("shop", ["python", "manage.py", "check"], records, caller_uid=0)[3]
    assert directory == str(root / "releases" / "bbb222" / "code")


def test_the_app_user_may_run_it_and_nobody_else_but_root(host):
    records, _root, _env_file = host
    assert run.plan("shop", ["true"], records, caller_uid=NOBODY.pw_uid)[0] == NOBODY.pw_uid
    with pytest.raises(run.Refused, match=r"run it as root \(sudo roost-run shop \.\.\.\) or as nobody"):
        run.plan("shop", ["true"], records, caller_uid=12345)


@pytest.mark.parametrize("app, command, said", [
    ("blog", ["true"], r"no app named 'blog' on this host \(the apps roost.wsgi deployed here: shop\)"),
    ("../shop", ["true"], r"'../shop' is not an app name"),
    ("shop", [], r"no command given: roost-run shop COMMAND \[ARG...\]"),
])
def test_an_unknown_app_or_no_command_is_refused_by_name(host, app, command, said):
    with pytest.raises(run.Refused, match=said):
        run.plan(app, command, host[0], caller_uid=0)


def test_an_app_never_deployed_or_run_by_root_is_refused(host):
    records, root, env_file = host
    (root / "current").unlink()
    with pytest.raises(run.Refused, match=r"shop has no live release yet .*: deploy it first"):
        run.plan("shop", ["true"], records, caller_uid=0)
    (records / "shop.json").write_text(json.dumps({"user": "root", "root": str(root), "env_file": env_file}))
    with pytest.raises(run.Refused, match="never runs a command as root"):
        run.plan("shop", ["true"], records, caller_uid=0)
    (records / "shop.json").write_text(json.dumps({"user": "nobody"}))
    with pytest.raises(run.Refused, match="must name the app's user, root and env_file"):
        run.plan("shop", ["true"], records, caller_uid=0)


def test_a_refusal_exits_2_with_the_reason_and_no_argument_prints_the_usage(capsys):
    assert run.main(["no-such-app-here", "true"]) == 2
    assert capsys.readouterr().err.startswith("roost-run: no app named 'no-such-app-here' on this host")
    assert run.main([]) == 2
    assert "roost-run APP COMMAND [ARG...]" in capsys.readouterr().err
