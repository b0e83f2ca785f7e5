"""The site's stylesheet, scripts and icon under fingerprinted names, compressed once, cached for a year.

A name that changes with the content (`site.3f2a9c1b07de.css`) lets browsers keep a file for a
year without asking again (`immutable`): a new version is a new URL. Each file is compressed
once, when it is first asked for (gzip, and Brotli), so a request only picks the bytes the
browser accepts. Templates name the files with `asset_url('site.css')`. The plain /static/ URLs
keep working (short caching), for links from outside and the benchmark's baseline.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request

from webapp import stylesheet

try:
    import brotli
except ImportError:  # pyproject.toml requires it; without it gzip alone is offered
    brotli = None

STATIC = Path(__file__).resolve().parent / "static"
SCRIPTS = ("js/checklist.js", "js/sparql.js", "js/beheer.js", "js/bewaren.js", "js/samenvoegen.js", "js/picker.js")
FAVICON = "favicon.svg"
IMMUTABLE = "public, max-age=31536000, immutable"
FAVICON_CACHE = "public, max-age=86400"

bp = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Asset:
    name: str
    url_name: str
    mimetype: str
    body: bytes
    encoded: dict  # content coding -> bytes, only where smaller than the body

    @property
    def etag(self) -> str:
        return self.url_name


def _fingerprinted(name: str, body: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}{dot}{ext}"


def make_asset(name: str, body: bytes, mimetype: str | None = None) -> Asset:
    mimetype = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
    encoded = {"gzip": gzip.compress(body, 9, mtime=0)}
    if brotli is not None:
        encoded["br"] = brotli.compress(body, quality=11)
    return Asset(name, _fingerprinted(name, body), mimetype, body,
                 {coding: data for coding, data in encoded.items() if len(data) < len(body)})


class Assets:
    """All assets of the site, made on first use (the stylesheet build reads node_modules)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_name: dict[str, Asset] | None = None
        self._by_url: dict[str, Asset] = {}

    def _load(self) -> dict[str, Asset]:
        with self._lock:
            if self._by_name is None:
                made = [make_asset("site.css", stylesheet.build().encode("utf-8"), "text/css")]
                made += [make_asset(rel, (STATIC / rel).read_bytes()) for rel in SCRIPTS + (FAVICON,)]
                self._by_url = {a.url_name: a for a in made}
                self._by_name = {a.name: a for a in made}
            return self._by_name

    def get(self, name: str) -> Asset:
        return self._load()[name]

    def by_url(self, url_name: str) -> Asset | None:
        self._load()
        return self._by_url.get(url_name)


def accepted_coding(asset_codings, accept_encoding: str) -> str | None:
    """The best content coding both sides have: Brotli before gzip; q=0 refuses."""
    offered = {}
    for part in accept_encoding.split(","):
        token, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[token.strip().lower()] = q
    for coding in ("br", "gzip"):
        if coding in asset_codings and offered.get(coding, offered.get("*", 0)) > 0:
            return coding
    return None


def send(asset: Asset, cache_control: str) -> Response:
    coding = accepted_coding(asset.encoded, request.headers.get("Accept-Encoding", ""))
    body = asset.encoded[coding] if coding else asset.body
    response = Response(body, mimetype=asset.mimetype)
    if coding:
        response.headers["Content-Encoding"] = coding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = cache_control
    response.set_etag(f"{asset.etag}-{coding or 'identity'}")
    return response.make_conditional(request)


def registry() -> Assets:
    return current_app.extensions["assets"]


@bp.route("/assets/<path:name>")
def asset(name: str):
    found = registry().by_url(name)
    if found is None:
        abort(404)
    return send(found, IMMUTABLE)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; answer with the site's icon (SVG)."""
    return send(registry().get(FAVICON), FAVICON_CACHE)


def asset_url(name: str) -> str:
    return f"{request.script_root}/assets/{registry().get(name).url_name}"


def init_app(app: Flask) -> None:
    app.extensions["assets"] = Assets()
    app.jinja_env.globals["asset_url"] = asset_url
    app.register_blueprint(bp)
