import pytest


def auth_header(token):
    return {"Authorization": f"Bearer {token}"}


def test_public_read(client):
    listing = client.get("/api/posts")
    assert listing.status_code == 200
    assert [item["slug"] for item in listing.json] == ["welcome"]
    assert "body" not in listing.json[0]
    one = client.get("/api/posts/welcome")
    assert one.json["title"] == "Welcome to perch"
    assert one.json["url"] == "http://perch.test/blog/welcome"
    assert one.json["html"].startswith("<p>")
    assert client.get("/api/pages").json == []


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/posts"), ("put", "/api/posts/welcome"), ("delete", "/api/posts/welcome")])
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_writes_need_a_valid_token(client, method, path, token):
    headers = auth_header(token) if token else {}
    response = getattr(client, method)(path, json={"title": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.json["error"].startswith("a valid API token is required")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/posts/welcome").json["title"] == "Welcome to perch"


def test_create_update_delete(client, api_token):
    created = client.post("/api/pages", json={"title": "Contact", "body": "Write to **us**."},
                          headers=auth_header(api_token))
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/pages/contact")
    assert created.json["html"] == "<p>Write to <strong>us</strong>.</p>"
    assert client.get("/contact").status_code == 200

    updated = client.put("/api/pages/contact", json={"status": "draft"}, headers=auth_header(api_token))
    assert updated.status_code == 200 and updated.json["status"] == "draft"
    assert client.get("/api/pages/contact").status_code == 404

    assert client.delete("/api/pages/contact", headers=auth_header(api_token)).status_code == 204
    assert client.delete("/api/pages/contact", headers=auth_header(api_token)).status_code == 404
    assert client.put("/api/pages/contact", json={}, headers=auth_header(api_token)).status_code == 404


def test_api_is_not_blocked_by_csrf(app, client, api_token):
    # The API authenticates with a token, never with the session cookie: CSRF does not apply.
    assert client.post("/api/posts", json={"title": "Via API"}, headers=auth_header(api_token)).status_code == 201


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"body": "no title"}, 422, "title"),
    ({"title": 5}, 422, "title"),
    ({"title": "x", "status": "maybe"}, 422, "status"),
    ({"title": "x", "slug": "../etc"}, 422, "slug"),
    ({"title": "Welcome"}, 409, "slug"),
])
def test_invalid_writes(client, api_token, payload, status, field):
    response = client.post("/api/posts", json=payload, headers=auth_header(api_token))
    assert response.status_code == status
    assert field in response.json["details"]


def test_body_must_be_a_json_object(client, api_token):
    response = client.post("/api/posts", data="title=x", headers=auth_header(api_token))
    assert response.status_code == 415
    response = client.post("/api/posts", json=["a list"], headers=auth_header(api_token))
    assert response.status_code == 400 and response.json["error"] == "the body must be a JSON object"


def test_errors_are_json(client):
    for path, status in (("/api/videos", 404), ("/api/posts/missing", 404), ("/api/nothing/here/at/all", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert response.is_json and "error" in response.json
    response = client.patch("/api/posts/welcome")
    assert response.status_code == 405 and response.is_json
    assert "PUT" in response.headers["Allow"]
