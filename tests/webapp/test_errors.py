"""Refusals found by tests/reliability, each pinned here with the Flask test client (fast, no server)."""

from __future__ import annotations

import pytest

from toolbox.config import Settings
from webapp import create_app


@pytest.fixture(scope="module")
def small_app(minimal_settings, minimal_app):
    """The minimal site with a small body limit (TOOLBOX_MAX_BODY)."""
    from dataclasses import replace

    app = create_app(replace(minimal_settings, max_body=4096), state=minimal_app.extensions["toolbox"])
    app.config["TESTING"] = True
    return app


@pytest.fixture
def c(small_app):
    return small_app.test_client()


def test_superscript_page_number_is_404_not_500(c):
    # '²'.isdigit() is True but int('²') raises: this was a 500.
    assert c.get("/tools?pagina=%C2%B2").status_code == 404
    assert c.get("/zoeken?q=a&pagina=%C2%B2").status_code == 404


@pytest.mark.parametrize("url", ["/tools?stap=%zz", "/zoeken?q=%", "/doc/tool/%zz"])
def test_broken_percent_escape_is_400(c, url):
    response = c.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "procentcodering" in response.get_json()["message"]


@pytest.mark.parametrize("url", ["/zoeken?q=a%00b", "/gids?situatie=%1B", "/doc/tool/amb%00itieweb",
                                 "/tools?stap=%FF%FE"])
def test_nul_control_and_invalid_utf8_are_400(c, url):
    response = c.get(url)
    assert response.status_code == 400
    assert 'lang="nl"' in response.text and "<h1" in response.text


def test_overlong_values_and_names_are_400_with_json(c):
    response = c.get("/zoeken?q=" + "a" * 10_000, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["max_length"] == 2000
    assert c.get("/tools?" + "x" * 200 + "=1").status_code == 400


def test_body_over_the_configured_limit_is_413_on_any_route(c):
    for method, url in (("get", "/"), ("post", "/sparql"), ("post", "/beheer/inloggen")):
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        response = getattr(c, method)(url, data=b"x" * 5000, headers=headers)
        assert response.status_code == 413, url
        assert response.get_json()["limit_bytes"] == 4096


def test_max_body_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TOOLBOX_MAX_BODY", "12345")
    monkeypatch.setenv("TOOLBOX_SECURE_COOKIES", "1")
    settings = Settings.from_env()
    assert settings.max_body == 12345 and settings.secure_cookies
    assert Settings.from_env().to_env()["TOOLBOX_MAX_BODY"] == "12345"


def test_wrong_method_is_405_with_allow_and_dutch(c):
    response = c.put("/tools")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "accepteert PUT niet" in response.text
    assert c.delete("/sparql", headers={"Accept": "application/json"}).get_json()["allowed"] == ["GET", "HEAD", "POST"]


def test_editor_post_with_other_content_type_is_415(c):
    response = c.post("/beheer/inloggen", data=b'{"naam": "x"}', headers={"Content-Type": "application/json",
                                                                          "Accept": "application/json"})
    assert response.status_code == 415
    assert response.get_json()["accepted"][0] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("url", ["/tools?format=png", "/over?format=json", "/data/?format=png", "/gids?format=csv"])
def test_format_nobody_serves_is_406(c, url):
    response = c.get(url)
    assert response.status_code == 406
    assert "wordt hier niet geleverd" in response.text


def test_sparql_lane_leaves_bad_input_to_flask(c):
    response = c.get("/sparql?query=ASK%20%7B%7D%00", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_every_response_has_the_security_headers(c):
    for url in ("/", "/sparql?query=ASK%20%7B%7D", "/bestaat-niet", "/beheer/inloggen"):
        headers = c.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
