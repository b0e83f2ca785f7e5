"""What a first visit downloads: one pruned stylesheet, fingerprinted and compressed, an icon, compressed pages."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from webapp import stylesheet

BUDGET = 60 * 1024  # the target for all CSS of a first visit, compressed


def _stylesheet_url(html: str) -> str:
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(links) == 1, links
    return links[0]


def test_one_fingerprinted_stylesheet_under_budget(client):
    html = client.get("/").get_data(as_text=True)
    url = _stylesheet_url(html)
    assert re.fullmatch(r"/assets/site\.[0-9a-f]{12}\.css", url)
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(url, headers={"Accept-Encoding": coding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == coding
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert len(response.data) <= BUDGET
        css = decode(response.data).decode("utf-8")
        assert ".utrecht-button{" in css and ".site-header{" in css
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.data.decode("utf-8") == css


def test_stylesheet_keeps_what_pages_use_and_drops_the_rest():
    css = stylesheet.build()
    assert ".utrecht-link{" in css.replace(" ", "") or ".utrecht-link," in css
    assert ".utrecht-heading-4" in css  # named at render time as utrecht-heading-{{ level }}
    assert ".utrecht-accordion" not in css and ".utrecht-calendar" not in css  # components the site lacks
    assert ".utrecht-button--busy" not in css  # a modifier no template uses
    tokens = re.search(r"\.utrecht-theme\{([^}]*)\}", css).group(1)
    declared = set(re.findall(r"(--[\w-]+):", tokens))
    read = set(re.findall(r"var\((--[\w-]+)", css))
    assert declared <= read  # no token that nothing reads
    assert "--utrecht-button-primary-action-background-color" in declared


def test_rules_inside_not_and_media_are_judged_right():
    rules = stylesheet.parse(
        ".utrecht-x:not(.utrecht-x--off){color:red}.utrecht-y{color:blue}"
        ".utrecht-x:hover:not(:disabled, [aria-disabled=true]){color:green}"
        "@media (min-width: 1px){.utrecht-x--big,.utrecht-y{margin:0}}a::before{content:\"{\"}")
    kept = stylesheet.serialize(stylesheet.prune_rules(rules, {"utrecht-x"}, set()))
    assert ".utrecht-x:not(.utrecht-x--off){color:red}" in kept
    assert ".utrecht-x:hover:not(:disabled, [aria-disabled=true]){color:green}" in kept
    assert ".utrecht-y" not in kept and ".utrecht-x--big" not in kept
    assert 'a::before{content:"{"}' in kept


def test_scripts_are_fingerprinted_and_served(client):
    html = client.get("/doc/checklist/opdrachtbrief").get_data(as_text=True)
    src = re.search(r'<script src="(/assets/js/checklist\.[0-9a-f]{12}\.js)" defer>', html).group(1)
    response = client.get(src)
    assert response.status_code == 200 and response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_unknown_or_stale_asset_is_404(client):
    assert client.get("/assets/site.000000000000.css").status_code == 404
    assert client.get("/assets/site.css").status_code == 404


def test_asset_revalidates_with_etag(client):
    url = _stylesheet_url(client.get("/").get_data(as_text=True))
    first = client.get(url, headers={"Accept-Encoding": "br"})
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_favicon_everywhere(client):
    html = client.get("/tools").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    assert client.get(icon).status_code == 200
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


@pytest.mark.parametrize("path", ["/", "/tools", "/doc/stap/opdrachtformulering", "/tools?format=jsonld"])
def test_pages_are_compressed_when_accepted(client, path):
    plain = client.get(path)
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(path, headers={"Accept-Encoding": f"{coding}, deflate"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == coding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(response.data) == plain.data
        assert len(response.data) < len(plain.data) / 2
    assert "Content-Encoding" not in plain.headers


def test_compressed_page_still_revalidates(client):
    first = client.get("/tools", headers={"Accept-Encoding": "gzip"})
    first = client.get("/tools", headers={"Accept-Encoding": "gzip"})  # now from the page cache
    etag = first.headers["ETag"]
    assert etag.startswith("W/")
    again = client.get("/tools", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304


def test_refused_coding_is_not_used(client):
    response = client.get("/", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in response.headers
