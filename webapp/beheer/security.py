"""Small security decisions shared by the site: when cookies are Secure, where a redirect may go."""

from __future__ import annotations

import re

from flask import request

from toolbox.config import Settings

UNSAFE_IN_TARGET = re.compile(r"[\x00-\x20\x7f\\]|//|%(?:2f|5c|0d|0a|09|00)", re.I)


def cookie_secure(settings: Settings) -> bool:
    """Secure when the request came over HTTPS, when a proxy in front says so (X-Forwarded-Proto,
    Forwarded: proto=https), or always with TOOLBOX_SECURE_COOKIES. Trusting the proxy header here
    can only make a cookie stricter, never weaker."""
    if settings.secure_cookies or request.is_secure:
        return True
    if request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https":
        return True
    return "proto=https" in request.headers.get("Forwarded", "").lower().replace(" ", "")


def safe_next(target: str | None, prefix: str) -> str | None:
    """A redirect target after login: a path on this site under prefix, or None.

    No scheme or host, no `//` or backslash (browsers read `/\\evil` as `//evil`), no whitespace or
    control characters (browsers drop tabs and newlines, and CR/LF would split the header), no
    encoded slashes, and no `..` that climbs out of prefix."""
    if not target or len(target) > 1000 or not target.startswith(prefix):
        return None
    if UNSAFE_IN_TARGET.search(target) or "/../" in target + "/" or target.split("?")[0].endswith("/.."):
        return None
    rest = target[len(prefix):]
    if rest and rest[0] not in "/?":  # /beheerder.evil is not under /beheer
        return None
    return target
