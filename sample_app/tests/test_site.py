import re
import xml.etree.ElementTree as ET

from conftest import post_entry


def test_home_lists_published_posts_newest_first(client, auth):
    auth.login()
    post_entry(client, "post", title="Older")
    post_entry(client, "post", title="Newer")
    html = client.get("/").get_data(as_text=True)
    assert html.index("Newer") < html.index("Older") < html.index("Welcome to perch")


def test_post_and_page_addresses(client, auth):
    auth.login()
    post_entry(client, "post", title="A post")
    post_entry(client, "page", title="A page")
    assert client.get("/blog/a-post").status_code == 200
    assert client.get("/a-page").status_code == 200
    assert client.get("/a-post").status_code == 404
    assert client.get("/blog/a-page").status_code == 404


def test_not_found_is_a_page(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert b"Not Found" in response.data and b"<!doctype html>" in response.data


def test_atom_feed(client):
    response = client.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["Welcome to perch"]
    assert entries[0].find("a:id", ns).text == "http://perch.test/blog/welcome"
    assert "<p>" in entries[0].find("a:content", ns).text  # escaped HTML, as type="html" wants


def test_empty_feed_is_valid(app, client):
    import sqlalchemy as sa

    from perch.db import get_db

    with app.app_context():
        get_db().execute(sa.text("DELETE FROM entry"))
        get_db().commit()
    feed = ET.fromstring(client.get("/feed.xml").data)
    assert feed.find("{http://www.w3.org/2005/Atom}updated").text == "1970-01-01T00:00:00Z"
    assert b"Nothing published yet." in client.get("/").data


def test_static_files_have_fingerprinted_names(client):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', html).group(1)
    with client.get(href) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert b"--accent" in response.data
    with client.get("/static/style.css") as plain:
        assert plain.status_code == 200 and "max-age=31536000" not in plain.headers.get("Cache-Control", "")
