"""/wijzigingen: what changed lately on the site, newest first, with Atom feeds and a JSON twin.

The list comes from toolbox.readers.changes (the things' dcterms:modified and the editors' saves in
the audit log); it is computed once per content version and audit log size. Per type: ?type=casus on
the page, /wijzigingen/casussen.atom as a feed.
"""

from __future__ import annotations

import json
import os

from flask import Blueprint, Response, abort, render_template, request, url_for

from toolbox.readers.atom import atom_feed, doc_url, entry_id
from toolbox.readers.changes import FEEDS, TYPES, recent_changes
from webapp.errors import Refusal
from webapp.filters import prefers_over_html
from webapp.pages.paging import paginate
from webapp.state import state

bp = Blueprint("wijzigingen", __name__)

PAGE_SIZE = 50
ATOM_TYPE = "application/atom+xml"


def _changes(segment: str | None):
    s = state()
    try:
        stat = os.stat(s.settings.instance_dir / "audit.log")
        audit_key = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        audit_key = None
    return s.cached(("wijzigingen", segment, audit_key), lambda: recent_changes(s.model, s.settings, segment))


def _segment() -> str | None:
    wanted = request.args.get("type") or None
    if wanted is not None and wanted not in TYPES:
        raise Refusal(400, f"Onbekend type ‘{wanted[:40]}’. Kies een van: {', '.join(TYPES)}.", field="type",
                      types=list(TYPES))
    return wanted


@bp.route("/wijzigingen")
def changes():
    segment = _segment()
    fmt = request.args.get("format")
    if fmt not in (None, "json", "html"):
        raise Refusal(406, f"Het formaat ‘{fmt[:20]}’ wordt hier niet geleverd. Mogelijke waarden voor format: "
                      "json, html.", formats=["json", "html"])
    items, pager = paginate(_changes(segment), PAGE_SIZE)
    base = state().settings.base_uri
    feed = url_for("wijzigingen.type_feed", feed=TYPES[segment][2]) if segment else url_for("wijzigingen.feed")
    if fmt == "json" or (fmt is None and prefers_over_html("application/json")):
        body = {
            "@id": base + request.full_path.rstrip("?"), "type": segment, "page": pager["page"],
            "pages": pager["pages"], "total": pager["total"], "feed": base + feed,
            "next": base + pager["next"] if pager["next"] else None,
            "items": [{"id": entry_id(base, c), "thing": c.uri, "page": doc_url(base, c), "title": c.title,
                       "type": c.segment, "typeLabel": c.type_label, "kind": c.kind, "date": c.when}
                      for c in items],
        }
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json", headers={"Vary": "Accept"})
    alternates = [{"type": ATOM_TYPE, "href": feed}, {"type": "application/json",
                                                      "href": request.path + "?" + _query(segment, "json")}]
    response = Response(render_template(
        "pages/wijzigingen.html", items=items, pager=pager, segment=segment, types=TYPES, feed=feed,
        alternates=alternates, canonical=base + request.path + (f"?type={segment}" if segment else ""),
        breadcrumb=[{"label": "Over deze toolbox", "url": url_for("pages.about")},
                    {"label": "Wijzigingen", "url": None}]))
    response.headers["Vary"] = "Accept"
    return response


def _query(segment: str | None, fmt: str) -> str:
    return (f"type={segment}&" if segment else "") + f"format={fmt}"


def _feed(segment: str | None) -> Response:
    base = state().settings.base_uri
    title = "Wijzigingen in de Toolbox Openbare Ruimte"
    if segment:
        title += f": {TYPES[segment][1].lower()}"
    page = url_for("wijzigingen.changes", type=segment) if segment else url_for("wijzigingen.changes")
    body = atom_feed(_changes(segment), base, request.path, page, title)
    return Response(body, content_type=f"{ATOM_TYPE}; charset=utf-8")


@bp.route("/wijzigingen.atom")
def feed():
    return _feed(None)


@bp.route("/wijzigingen/<feed>.atom")
def type_feed(feed: str):
    if feed not in FEEDS:
        abort(404)
    return _feed(FEEDS[feed])
