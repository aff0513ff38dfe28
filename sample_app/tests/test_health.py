import sqlalchemy as sa

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
                             "release": "test", "version": response.json["version"]}
