import json

import pytest

from perch import create_app

GOOD_KEY = "k" * 40


def test_testing_flag():
    assert not create_app({"SECRET_KEY": GOOD_KEY}).testing
    assert create_app({"TESTING": True}).testing


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "short-but-random"])
def test_refuses_to_start_without_a_real_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key})


def test_reads_config_file_then_environment(tmp_path, monkeypatch):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"SECRET_KEY": GOOD_KEY, "SITE_NAME": "from file"}))
    monkeypatch.setenv("PERCH_CONFIG", str(config))
    monkeypatch.setenv("PERCH_DATABASE", str(tmp_path / "db.sqlite"))
    app = create_app()
    assert app.config["SITE_NAME"] == "from file"
    assert app.config["DATABASE"] == str(tmp_path / "db.sqlite")

    monkeypatch.setenv("PERCH_SITE_NAME", "from env")
    assert create_app().config["SITE_NAME"] == "from env"


def test_release_is_named_by_the_release_directory_the_code_lives_in(tmp_path):
    from perch import release_of

    release = tmp_path / "srv" / "app" / "releases" / "0123456789ab" / "venv"
    release.mkdir(parents=True)
    (release / "module.py").write_text("")
    current = tmp_path / "srv" / "app" / "current"
    current.symlink_to(release.parent)
    assert release_of(str(current / "venv" / "module.py")) == "0123456789ab"
    assert release_of(str(tmp_path / "elsewhere.py")) == "unreleased"


def test_release_from_environment_wins(monkeypatch):
    monkeypatch.setenv("ROOST_RELEASE", "from-env")
    assert create_app({"TESTING": True}).config["RELEASE"] == "from-env"
