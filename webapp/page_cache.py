"""Finished public pages kept per content version, answered again without rendering.

Public pages depend only on the content version, the URL and what the client accepts, so a
page rendered once can be sent again until the content changes (an edit or a rebuild makes a
new SiteState with an empty cache). Only anonymous GETs of the read-only blueprints are kept,
only 200 answers without cookies, within a byte budget (least recently used out first).
Every cached answer carries an ETag, so browsers revalidate with a 304.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import Flask, Response, current_app, g, request

CACHEABLE_BLUEPRINTS = {"pages", "search"}
UNCACHEABLE_ENDPOINTS = {"pages.vendor"}  # files: send_file handles these
BUDGET_BYTES = 64 * 1024 * 1024


class PageCache:
    def __init__(self, budget: int = BUDGET_BYTES):
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[tuple, tuple[bytes, str, list, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, body: bytes, mimetype: str, headers: list, etag: str) -> None:
        if len(body) > self.budget // 16:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (body, mimetype, headers, etag)
            self.size += len(body)
            while self.size > self.budget:
                _, (old, *_rest) = self._entries.popitem(last=False)
                self.size -= len(old)


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
        site.page_cache.put(key, body, response.mimetype, kept, etag)
        response.set_etag(etag)
        return response.make_conditional(request)
