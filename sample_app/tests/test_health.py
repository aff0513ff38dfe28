def test_healthz_reports_version_and_release(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["release"] == "test"
    assert response.json["version"]


def test_healthz_fails_when_the_database_is_broken(app, client):
    from perch.db import get_db

    with app.app_context():
        get_db().execute("DROP TABLE page")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
