"""Absolute URLs never come from the request's Host (issue 24, finding 4): a forged Host header
ended up in a cached canonical link that every later visitor got."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from webapp import create_app

FORGED = ["evil.example", "evil.example:80", "toolbox-openbare-ruimte.nl.evil.example", "localhost.evil", "[::2]"]


def _canonical(html: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]*)"', html)


@pytest.mark.parametrize("host", FORGED)
def test_a_forged_host_is_refused_and_never_cached(app, host):
    client = app.test_client()
    for path in ("/tools?page=1", "/tools", "/casussen", "//tools", "/sparql", "/sparql?query=ASK%7B%7D",
                 "/doc/tool/ambitieweb", "/data/"):
        forged = client.get(path, headers={"Host": host, "Accept": "text/html"})
        assert forged.status_code == 400, (path, forged.status_code)
        assert "evil" not in forged.text and "Onbekende host" in forged.text
        assert "X-Toolbox-Cache" not in forged.headers
    ordinary = client.get("/tools?page=1", headers={"Accept": "text/html"})
    assert _canonical(ordinary.text) == [f"{app.config['TOOLBOX'].base_uri}/tools"]
    assert "evil" not in ordinary.text


def test_absolute_urls_come_from_the_base_uri(app):
    base = app.config["TOOLBOX"].base_uri
    client = app.test_client()
    assert _canonical(client.get("/casussen", headers={"Accept": "text/html"}).text) == [f"{base}/casussen"]
    twin = client.get("/tools?format=jsonld&page=1").json
    assert twin["@id"] == f"{base}/tools?format=jsonld&page=1"
    description = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert f"sd:endpoint <{base}/sparql>" in description and "localhost" not in description
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert f"<code>{base}/sparql</code>" in page and "http://localhost" not in page
    plan = client.get("/aanpak?stap=richting-do", headers={"Accept": "text/html"}).text
    assert f'value="{base}/aanpak?' in plan and "http://localhost" not in plan
    redirect = client.get("//", headers={"Accept": "text/html"})
    assert redirect.status_code in (301, 308) and redirect.headers["Location"] == "/"


def test_a_configured_trusted_host_is_served_with_the_base_uri_in_its_links(app, real_settings):
    trusting = create_app(replace(real_settings, trusted_hosts=("*.example.nl", "toolbox.intern")),
                          state=app.extensions["toolbox"])
    client = trusting.test_client()
    for host in ("www.example.nl", "toolbox.intern:8080"):
        page = client.get("/tools", headers={"Host": host, "Accept": "text/html"})
        assert page.status_code == 200 and _canonical(page.text) == [f"{real_settings.base_uri}/tools"]
    assert client.get("/tools", headers={"Host": "example.nl.evil"}).status_code == 400
    assert client.get("/tools", headers={"Host": "example.nl"}).status_code == 400


def test_health_answers_any_host_without_using_it(app):
    response = app.test_client().get("/health", headers={"Host": "10.0.0.7:5000"})
    assert response.status_code == 200 and "10.0.0.7" not in response.text
