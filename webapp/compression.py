"""Pages, lists and answers sent compressed (Brotli or gzip) to a browser that accepts it.

On a slow phone line the bytes count more than the server's milliseconds. A page kept in the page
cache has an ETag, so its compressed bytes are kept too (per ETag and coding) and a repeat visit
costs no compression work. Files sent as they are on disk (direct passthrough) and the assets,
which are compressed ahead (webapp.assets), are left alone.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

from toolbox.lru import LRUCache
from webapp.assets import accepted_coding, brotli

MIN_BYTES = 1024  # below this compression gains less than its headers cost
TEXT_TYPES = ("text/", "application/json", "application/ld+json", "application/sparql-results+json",
              "application/sparql-results+xml", "application/n-triples", "application/n-quads",
              "application/rdf+xml", "application/xml", "image/svg+xml", "application/javascript")
CODINGS = ("br", "gzip") if brotli is not None else ("gzip",)
KEPT_BYTES = 16 * 1024 * 1024


def compress(body: bytes, coding: str) -> bytes:
    # Levels that cost about a millisecond for a large page: the answer is sent right away.
    return brotli.compress(body, quality=5) if coding == "br" else gzip.compress(body, 6, mtime=0)


def _compressible(response: Response) -> bool:
    if response.status_code not in (200, 201, 400, 403, 404, 406, 409, 410, 422, 429, 500, 503):
        return False
    if response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers:
        return False
    mimetype = response.mimetype or ""
    return mimetype.startswith(TEXT_TYPES)


def init_app(app: Flask) -> None:
    """Register before the page cache: after_request hooks run last-registered first, so this one
    compresses what the cache has kept (uncompressed) and tagged."""
    kept = LRUCache(max_size=KEPT_BYTES, size=lambda data: len(data), max_entry_size=KEPT_BYTES // 16)

    @app.after_request
    def compress_response(response: Response):
        if request.method == "HEAD" or not _compressible(response):
            return response
        if request.endpoint == "sparql.sparql" and response.mimetype != "text/html":
            return response  # a machine answer: the same bytes and headers as the SPARQL lane sends it

        vary = response.headers.get("Vary", "")
        if "accept-encoding" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
        coding = accepted_coding(CODINGS, request.headers.get("Accept-Encoding", ""))
        body = response.get_data()
        if coding is None or len(body) < MIN_BYTES:
            return response
        etag, weak = response.get_etag()
        data = kept.get((etag, coding)) if etag else None
        if data is None:
            data = compress(body, coding)
            if etag:
                kept.put((etag, coding), data)
        response.set_data(data)
        response.headers["Content-Encoding"] = coding
        if etag:  # the same resource in another coding: a weak validator (If-None-Match still matches)
            response.set_etag(etag, weak=True)
        return response
