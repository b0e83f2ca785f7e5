"""Cookie flags and redirect targets (webapp/beheer/security.py), pinned with the Flask test client."""

from __future__ import annotations

from dataclasses import replace

import pytest

from webapp import create_app
from webapp.beheer.security import safe_next


@pytest.mark.parametrize("secure, headers, expected", [
    (False, {}, False),
    (False, {"X-Forwarded-Proto": "https"}, True),
    (False, {"Forwarded": "for=10.0.0.1; proto=https"}, True),
    (True, {}, True),
])
def test_login_cookie_secure_by_setting_or_proxy(minimal_settings, minimal_app, tmp_path, secure, headers, expected):
    settings = replace(minimal_settings, secure_cookies=secure, instance_dir=tmp_path)
    app = create_app(settings, state=minimal_app.extensions["toolbox"])
    response = app.test_client().get("/beheer/inloggen", base_url="http://127.0.0.1", headers=headers)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert ("Secure" in cookie) is expected
    assert app.config["SESSION_COOKIE_SECURE"] is secure


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "/beheer//x",
                                    "/beheer/\t/x", "/beheer/\r\nX: 1", "/beheerder", "/beheer/../x",
                                    "/beheer/%2F%2Fevil", "/beheer/..", "", None, "/beheer/" + "a" * 2000])
def test_unsafe_next_targets_are_dropped(target):
    assert safe_next(target, "/beheer") is None


@pytest.mark.parametrize("target", ["/beheer", "/beheer/", "/beheer/casussen/nieuw", "/beheer/?melding=bewerkt"])
def test_next_targets_inside_the_editor_are_kept(target):
    assert safe_next(target, "/beheer") == target
