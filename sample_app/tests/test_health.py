import sqlalchemy as sa

from perch import create_app
from perch.db import get_db


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["release"] == "test"
    assert response.json["version"]


def test_unhealthy_without_schema(app, client):
    with app.app_context():
        get_db().execute(sa.text("DROP TABLE entry"))
        get_db().commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "error": "database unavailable",
                             "cause": "sqlite3.OperationalError",
                             "release": "test", "version": response.json["version"]}


def test_unhealthy_when_the_database_cannot_be_opened(tmp_path):
    # The database's directory is gone: connecting fails, and so would any second attempt.
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "gone" / "perch.sqlite"), "RELEASE": "test",
                      "SECRET_KEY": "test-key"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json and response.json["error"] == "database unavailable"
    assert response.json["cause"] == "sqlite3.OperationalError"


def test_unhealthy_when_the_connection_breaks_mid_check(app, client, monkeypatch):
    # As when PostgreSQL stops: the query fails, and so does every later use of the connection.
    class Broken(Exception):
        pass

    def fail(*args, **kwargs):
        raise Broken("server closed the connection unexpectedly")

    monkeypatch.setattr(sa.engine.Connection, "execute", fail)
    monkeypatch.setattr(sa.engine.Connection, "rollback", fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["cause"].endswith("Broken")
