import pytest

from perch.markup import render, slugify

XSS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '[click](javascript:alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div onclick="alert(1)">x</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_are_stripped(payload):
    html = render(payload).lower()
    for marker in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "data:text", "style="):
        assert marker not in html, html


def test_markdown_is_rendered():
    html = render("# Title\n\nSome *emphasis*, a [link](https://example.org).\n\n```\ncode\n```")
    assert "<h1>Title</h1>" in html
    assert "<em>emphasis</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert "<pre><code>code" in html


@pytest.mark.parametrize(("title", "slug"), [
    ("Hello, World!", "hello-world"), ("Grüße aus Köln", "grusse-aus-koln"), ("  --x--  ", "x"),
    ("!!!", ""), ("a" * 100, "a" * 80)])
def test_slugify(title, slug):
    assert slugify(title) == slug
