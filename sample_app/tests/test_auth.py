import pytest

from conftest import ADMIN, csrf_token


def test_login_page(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert b'name="password"' in response.data


def test_login_and_logout(client, auth):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong password!"), ("nobody", ADMIN[1])])
def test_wrong_credentials(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 401
    assert b"Wrong username or password." in response.data
    assert client.get("/admin/").status_code == 302


def test_passwords_are_stored_hashed(app):
    import sqlalchemy as sa

    from perch.db import get_db

    with app.app_context():
        stored = get_db().execute(sa.text("SELECT password_hash FROM user")).scalar()
    assert ADMIN[1] not in stored and stored.startswith("scrypt:")


def test_login_without_csrf_token_is_rejected(client):
    response = client.post("/auth/login", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 400
    assert b"CSRF" in response.data
    assert client.get("/admin/").status_code == 302


def test_logout_without_csrf_token_is_rejected(client, auth):
    auth.login()
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_failed_logins_are_rate_limited(app, client, auth):
    limit = app.config["LOGIN_FAILURE_LIMIT"]
    for _attempt in range(limit):
        assert auth.login(password="wrong password!").status_code == 401
    # Even the right password is refused until the window has passed.
    response = auth.login()
    assert response.status_code == 429
    assert b"Too many failed logins" in response.data


def test_rate_limit_window_expires(app, client, auth):
    app.config["LOGIN_FAILURE_WINDOW"] = 0
    for _attempt in range(app.config["LOGIN_FAILURE_LIMIT"] + 1):
        auth.login(password="wrong password!")
    assert auth.login().status_code == 302


def test_next_redirect_stays_on_site(client, auth):
    assert client.get("/admin/new/page").headers["Location"] == "/auth/login?next=/admin/new/page"
    assert auth.login(query_string={"next": "/admin/new/page"}).headers["Location"] == "/admin/new/page"
    auth.logout()
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert auth.login(query_string={"next": target}).headers["Location"] == "/admin/"
        auth.logout()


def test_session_cookie_flags(app, auth):
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here


def test_session_cookie_is_secure_over_tls(app, client):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
                           base_url="https://perch.test", headers={"Referer": "https://perch.test/auth/login"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_create_admin_reads_password_from_stdin(app, runner, client, auth):
    result = runner.invoke(args=["create-admin", "editor"], input="a long enough password\n")
    assert result.exit_code == 0 and "editor created" in result.output
    assert auth.login("editor", "a long enough password").status_code == 302


def test_create_admin_reads_password_from_environment(runner, auth):
    result = runner.invoke(args=["create-admin", "editor"], env={"PERCH_ADMIN_PASSWORD": "another long password"})
    assert "editor created" in result.output
    result = runner.invoke(args=["create-admin", "editor"], env={"PERCH_ADMIN_PASSWORD": "changed long password"})
    assert "editor updated" in result.output
    assert auth.login("editor", "changed long password").status_code == 302


def test_create_admin_if_missing_keeps_the_password(runner, auth):
    result = runner.invoke(args=["create-admin", "--if-missing", "admin"], env={"PERCH_ADMIN_PASSWORD": "x" * 20})
    assert "admin exists" in result.output
    assert auth.login().status_code == 302


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "editor"], env={"PERCH_ADMIN_PASSWORD": "short"})
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_tokens_can_be_created_once_and_revoked(runner):
    assert runner.invoke(args=["create-token", "ci"]).exit_code == 0
    again = runner.invoke(args=["create-token", "ci"])
    assert again.exit_code != 0 and "exists" in again.output
    assert "revoked ci" in runner.invoke(args=["revoke-token", "ci"]).output
    assert runner.invoke(args=["revoke-token", "ci"]).exit_code != 0
