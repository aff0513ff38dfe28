import pytest

from perch import create_app, release_of


def test_testing_config(app):
    assert app.testing
    assert not create_app({"TESTING": True, "SECRET_KEY": "x"}).config["DATABASE_URL"]


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "short-but-not-empty"])
def test_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.delenv("PERCH_CONFIG", raising=False)
    monkeypatch.setenv("PERCH_DATABASE", str(tmp_path / "db.sqlite"))
    if key is None:
        monkeypatch.delenv("PERCH_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("PERCH_SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_config_layers_file_then_environment(monkeypatch, tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"SECRET_KEY": "%s", "SITE_NAME": "from file", "DATABASE": "%s"}'
                      % ("k" * 40, tmp_path / "file.sqlite"))
    monkeypatch.setenv("PERCH_CONFIG", str(config))
    monkeypatch.setenv("PERCH_SITE_NAME", "from env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    app = create_app()
    assert app.config["SITE_NAME"] == "from env"
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/env.sqlite"
    assert str(app.extensions["perch.engine"].url).endswith("env.sqlite")


def test_release_is_read_from_the_resolved_path(tmp_path):
    release = tmp_path / "releases" / "20260101T000000Z-abc" / "venv"
    release.mkdir(parents=True)
    (tmp_path / "current").symlink_to(release.parent)
    module = tmp_path / "current" / "venv" / "perch.py"
    module.write_text("")
    assert release_of(str(module)) == "20260101T000000Z-abc"
    assert release_of(str(tmp_path / "elsewhere.py")) == "unreleased"


def test_every_response_names_its_release(client):
    assert client.get("/").headers["X-Perch-Release"] == "test"
    assert client.get("/no-such-page").headers["X-Perch-Release"] == "test"


def test_wsgi_module_builds_the_app(monkeypatch, tmp_path):
    import importlib
    import sys

    monkeypatch.delenv("PERCH_CONFIG", raising=False)
    monkeypatch.setenv("PERCH_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PERCH_DATABASE", str(tmp_path / "wsgi.sqlite"))
    sys.modules.pop("perch.wsgi", None)
    module = importlib.import_module("perch.wsgi")
    assert module.application.name == "perch"
