def test_index_lists_pages_and_links_the_stylesheet(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Welcome to perch" in response.data
    assert b'href="/static/style.css"' in response.data
    assert response.headers["X-Perch-Release"] == "test"


def test_page_by_slug(client):
    assert b"deployed by roost.wsgi" in client.get("/welcome").data


def test_unknown_page_is_404(client):
    assert client.get("/no-such-page").status_code == 404


def test_title_is_escaped(app, client):
    from perch.db import get_db

    with app.app_context():
        db = get_db()
        db.execute("INSERT INTO page (slug, title) VALUES ('x', '<script>alert(1)</script>')")
        db.commit()
    body = client.get("/x").data
    assert b"<script>alert(1)" not in body
    assert b"&lt;script&gt;" in body
