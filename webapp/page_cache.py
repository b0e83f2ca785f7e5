"""Finished public pages kept per content version, answered again without rendering.

Public pages depend only on the content version, the URL and what the client accepts, so a
page rendered once can be sent again until the content changes (an edit or a rebuild makes a
new SiteState with an empty cache). Only anonymous GETs of the read-only blueprints are kept,
only 200 answers without cookies, within a byte budget (least recently used out first).
Every cached answer carries an ETag, so browsers revalidate with a 304.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, g, request

from toolbox.lru import LRUCache

CACHEABLE_BLUEPRINTS = {"pages", "search"}
UNCACHEABLE_ENDPOINTS = {"pages.vendor"}  # files: send_file handles these
BUDGET_BYTES = 64 * 1024 * 1024


class PageCache(LRUCache):
    """Entries (body, mimetype, headers, etag) within BUDGET_BYTES; a page over 1/16 of it is not kept."""

    def __init__(self, budget: int = BUDGET_BYTES):
        super().__init__(max_size=budget, size=lambda entry: len(entry[0]), max_entry_size=budget // 16)


def _key(app: Flask) -> tuple | None:
    if request.method != "GET" or request.endpoint is None or request.endpoint in UNCACHEABLE_ENDPOINTS:
        return None
    if request.blueprint not in CACHEABLE_BLUEPRINTS or app.config["SESSION_COOKIE_NAME"] in request.cookies:
        return None
    return (request.script_root, request.full_path, request.headers.get("Accept", ""))


def _state():
    return current_app.extensions["toolbox"]  # webapp.state imports this module


def init_app(app: Flask) -> None:
    @app.before_request
    def answer_from_cache():
        # The key and the state are fixed here, once: a page rendered while an edit swaps in a
        # new state then lands in the old state's cache (dropped with it), never in the new one.
        g.page_cache = None
        key = _key(app)
        if key is None:
            return None
        site = _state()
        g.page_cache = (key, site)
        entry = site.page_cache.get(key)
        if entry is None:
            return None
        body, mimetype, headers, etag = entry
        response = Response(body, mimetype=mimetype, headers=headers)
        response.set_etag(etag)
        response.headers["X-Toolbox-Cache"] = "hit"
        return response.make_conditional(request)

    @app.after_request
    def keep_in_cache(response: Response):
        found = g.get("page_cache")
        if found is None or response.headers.get("X-Toolbox-Cache") == "hit":
            return response
        if response.status_code != 200 or response.direct_passthrough or "Set-Cookie" in response.headers:
            return response
        key, site = found
        body = response.get_data()
        etag = f"{site.version}-{hashlib.sha1(body).hexdigest()[:16]}"
        kept = [(k, v) for k, v in response.headers.items() if k not in ("Content-Type", "Content-Length")]
        site.page_cache.put(key, (body, response.mimetype, kept, etag))
        response.set_etag(etag)
        return response.make_conditional(request)
