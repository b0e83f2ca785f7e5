"""Finished public pages kept per content version, answered again without rendering.

Public pages depend only on the content version, the URL and what the client accepts, so a
page rendered once can be sent again until the content changes (an edit or a rebuild makes a
new SiteState with an empty cache). Only anonymous GETs of the read-only blueprints are kept,
only 200 answers without cookies, within a byte budget (least recently used out first).
Every cached answer carries an ETag, so browsers revalidate with a 304.

After a save, `warm` renders the pages most asked for against the new state before it is swapped
in: readers keep getting the old state's pages meanwhile, and do not all render the same page at
once on an empty cache (under load that storm cost the readers half their throughput). A page the
warm-up did not reach is rendered once as well: the first reader who misses renders it, the readers
who ask for it meanwhile wait for that answer (`PageCache.claim`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from flask import Flask, Response, current_app, g, has_request_context, request

from toolbox.lru import LRUCache

CACHEABLE_BLUEPRINTS = {"pages", "search"}
UNCACHEABLE_ENDPOINTS = {"pages.standards"}  # figures the downloads child writes after a save
BUDGET_BYTES = 64 * 1024 * 1024
STATE_ENVIRON = "toolbox.state"  # a warm-up request names the state it renders against
WARM_PAGES = 200  # pages rendered ahead of a swap, the most recently asked first
WARM_SECONDS = 20.0  # and for at most this long: the editor's change is not held back for long
RENDER_WAIT = 60.0  # a request waits this long at most for another that renders the same page


class PageCache(LRUCache):
    """Entries (body, content type, headers, etag) within BUDGET_BYTES; a page over 1/16 of it is not kept."""

    def __init__(self, budget: int = BUDGET_BYTES):
        super().__init__(max_size=budget, size=lambda entry: len(entry[0]), max_entry_size=budget // 16)
        self._rendering: dict[tuple, threading.Event] = {}
        self._rendering_lock = threading.Lock()

    def claim(self, key: tuple) -> threading.Event | None:
        """None: the caller renders this page and calls `release` after; otherwise another request is
        rendering it, and the event is set when that one is done. Right after a save every reader of a
        page misses at once: one of them renders it, the others wait for its answer."""
        with self._rendering_lock:
            rendering = self._rendering.get(key)
            if rendering is None:
                self._rendering[key] = threading.Event()
            return rendering

    def release(self, key: tuple) -> None:
        with self._rendering_lock:
            rendering = self._rendering.pop(key, None)
        if rendering is not None:
            rendering.set()


def _key(app: Flask) -> tuple | None:
    if request.method != "GET" or request.endpoint is None or request.endpoint in UNCACHEABLE_ENDPOINTS:
        return None
    if request.blueprint not in CACHEABLE_BLUEPRINTS or app.config["SESSION_COOKIE_NAME"] in request.cookies:
        return None
    return (request.script_root, request.full_path, request.headers.get("Accept", ""))


def current_state():
    """The state a request renders against: the site's, or the one a warm-up names."""
    if has_request_context():
        named = request.environ.get(STATE_ENVIRON)
        if named is not None:
            return named
    return current_app.extensions["toolbox"]  # webapp.state imports this module


def warm(app: Flask, new, old, pages: int = WARM_PAGES, seconds: float = WARM_SECONDS) -> int:
    """Render the old state's most recently asked pages against `new` (into its cache); returns how many."""
    until = time.monotonic() + seconds
    client = app.test_client()
    done = 0
    for script_root, full_path, accept in old.page_cache.recent_keys(pages):
        if time.monotonic() > until:
            break
        try:
            client.get(full_path, base_url=f"http://localhost{script_root}/",
                       headers={"Accept": accept} if accept else {}, environ_base={STATE_ENVIRON: new})
        except Exception:  # noqa: BLE001 - a page that fails now is rendered (and fails) on request
            logging.getLogger(__name__).exception("Voorverwarmen van %s mislukt", full_path)
            continue
        done += 1
    return done


def init_app(app: Flask) -> None:
    @app.before_request
    def answer_from_cache():
        # The key and the state are fixed here, once: a page rendered while an edit swaps in a
        # new state then lands in the old state's cache (dropped with it), never in the new one.
        g.page_cache = None
        key = _key(app)
        if key is None:
            return None
        site = current_state()
        g.page_cache = (key, site)
        entry = site.page_cache.get(key)
        if entry is None:
            rendering = site.page_cache.claim(key)
            if rendering is None:
                g.page_cache_claim = (key, site)
                return None
            rendering.wait(RENDER_WAIT)
            entry = site.page_cache.get(key)
            if entry is None:  # not kept (an error, too large) or still rendering: render it here
                return None
        body, content_type, headers, etag = entry
        response = Response(body, content_type=content_type, headers=headers)
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
        site.page_cache.put(key, (body, response.content_type, kept, etag))  # with its parameters (a profile)
        response.set_etag(etag)
        return response.make_conditional(request)

    @app.teardown_request
    def release_claim(_exc=None):
        claimed = g.pop("page_cache_claim", None)
        if claimed is not None:
            key, site = claimed
            site.page_cache.release(key)
