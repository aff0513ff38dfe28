import pytest

from conftest import csrf_token, post_entry


@pytest.mark.parametrize("path", ["/admin/", "/admin/new/page", "/admin/new/post", "/admin/1/edit"])
def test_login_required_to_read(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("path", ["/admin/new/page", "/admin/1/edit", "/admin/1/delete"])
def test_login_required_to_write(client, path):
    token = csrf_token(client, "/auth/login")
    response = client.post(path, data={"title": "x", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/blog/welcome").status_code == 200


def test_create_publish_edit_delete(client, auth):
    auth.login()
    response = post_entry(client, title="About us", body="We *write*.")
    assert response.status_code == 302
    assert client.get("/about-us").status_code == 200
    assert b"<em>write</em>" in client.get("/about-us").data
    assert b'href="/about-us"' in client.get("/").data  # in the navigation

    entry_id = 2  # the welcome post is 1
    token = csrf_token(client, f"/admin/{entry_id}/edit")
    response = client.post(f"/admin/{entry_id}/edit", data={
        "title": "About", "slug": "about", "body": "Changed.", "status": "published", "save": "Save",
        "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/about-us").status_code == 404
    assert b"Changed." in client.get("/about").data

    token = csrf_token(client, "/admin/")
    assert client.post(f"/admin/{entry_id}/delete", data={"csrf_token": token}).status_code == 302
    assert client.get("/about").status_code == 404
    assert client.post(f"/admin/{entry_id}/delete", data={"csrf_token": token}).status_code == 404


def test_drafts_are_not_public(client, auth):
    auth.login()
    post_entry(client, "post", title="Secret plans", status="draft")
    assert b"Secret plans" in client.get("/admin/").data
    auth.logout()
    assert client.get("/blog/secret-plans").status_code == 404
    assert b"Secret plans" not in client.get("/").data
    assert b"Secret plans" not in client.get("/feed.xml").data


def test_preview_renders_without_saving(client, auth):
    auth.login()
    response = post_entry(client, title="Preview me", body="# Heading\n<script>alert(1)</script>",
                          save="", preview="Preview")
    assert response.status_code == 200
    assert b"<h1>Heading</h1>" in response.data
    assert b"<script>alert(1)" not in response.data
    assert client.get("/preview-me").status_code == 404


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, b"This field is required."),
    ({"title": "!!!"}, b"the title has no letters or digits"),
    ({"slug": "Not A Slug"}, b"lowercase letters, digits and single hyphens"),
    ({"slug": "admin"}, b"reserved for the site"),
    ({"title": "Welcome", "slug": "welcome", "status": "published"}, None),
])
def test_invalid_entries_are_refused(client, auth, fields, message):
    auth.login()
    response = post_entry(client, "page", **fields)
    if message is None:  # a page may share a slug with a post
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        assert message in response.data


def test_duplicate_slug_is_refused(client, auth):
    auth.login()
    post_entry(client, "post", title="Twice")
    response = post_entry(client, "post", title="Twice")
    assert response.status_code == 400
    assert b"another post already uses" in response.data


def test_unknown_kind_and_entry(client, auth):
    auth.login()
    assert client.get("/admin/new/video").status_code == 404
    assert client.get("/admin/99/edit").status_code == 404


def test_forged_post_without_csrf_token_is_rejected(client, auth):
    auth.login()
    forged = {"title": "Forged", "body": "x", "status": "published", "save": "Save"}
    response = client.post("/admin/new/page", data=forged)
    assert response.status_code == 400
    assert client.get("/forged").status_code == 404
    response = client.post("/admin/1/delete", data={"csrf_token": "not-the-token"})
    assert response.status_code == 400
    assert client.get("/blog/welcome").status_code == 200


def test_edit_keeps_first_publication_date(app, client, auth):
    auth.login()
    post_entry(client, "post", title="Dated", status="draft")
    token = csrf_token(client, "/admin/2/edit")
    form = {"title": "Dated", "slug": "dated", "body": "x", "save": "Save", "csrf_token": token}
    client.post("/admin/2/edit", data=dict(form, status="published"))
    first = client.get("/api/posts/dated").json["published_at"]
    client.post("/admin/2/edit", data=dict(form, body="y", status="published"))
    assert client.get("/api/posts/dated").json["published_at"] == first
