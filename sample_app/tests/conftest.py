import re

import pytest

from perch import create_app
from perch.auth import set_password
from perch.db import get_db, upgrade

ADMIN = ("admin", "correct horse battery")


@pytest.fixture
def app(tmp_path):
    # CSRF protection stays on: tests post forms the way a browser does, token included.
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "perch.sqlite"), "RELEASE": "test",
                      "SECRET_KEY": "test-key", "SERVER_NAME": "perch.test"})
    upgrade(app)
    with app.app_context():
        set_password(*ADMIN)
        get_db().commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path):
    """The CSRF token of the form on the page at path, as a browser would find it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token in the form at {path}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username=ADMIN[0], password=ADMIN[1], **kwargs):
        token = csrf_token(self.client, "/auth/login")
        return self.client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token},
                                **kwargs)

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/auth/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def api_token(runner):
    result = runner.invoke(args=["create-token", "tests"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def post_entry(client, kind="page", **fields):
    """Create an entry through the admin form (logged in), return the response."""
    token = csrf_token(client, f"/admin/new/{kind}")
    data = {"title": "About", "slug": "", "body": "Hello", "status": "published", "save": "Save",
            "csrf_token": token}
    data.update(fields)
    return client.post(f"/admin/new/{kind}", data=data)
