"""Recent changes as an Atom 1.0 feed (RFC 4287): feed id, title, updated, author, self link; per entry
an id that never changes, a title, the time, a link to the thing's /doc/ page and a summary."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from toolbox.readers.changes import Change

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
AUTHOR = "Redactie Toolbox Openbare Ruimte"


def doc_url(base_uri: str, change: Change) -> str:
    url = f"{base_uri}/doc/{change.segment}/{change.slug}"
    return url + "?archief=1" if change.archived else url


def entry_id(base_uri: str, change: Change) -> str:
    """The same change always has the same id: the page of the thing and the time of the change."""
    stamp = change.timestamp.replace("-", "").replace(":", "")
    return f"{base_uri}/doc/{change.segment}/{change.slug}#wijziging-{stamp}"


def atom_feed(changes: list[Change], base_uri: str, self_path: str, page_path: str, title: str) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "nl"})
    shown = changes[:FEED_ENTRIES]
    sub(feed, "id", base_uri + self_path)
    sub(feed, "title", title)
    sub(feed, "subtitle", "Nieuwe, gewijzigde en gearchiveerde onderdelen van de toolbox, nieuwste eerst.")
    sub(feed, "updated", shown[0].timestamp if shown else "1970-01-01T00:00:00Z")
    sub(feed, "link", rel="self", type="application/atom+xml", href=base_uri + self_path)
    sub(feed, "link", rel="alternate", type="text/html", href=base_uri + page_path)
    sub(sub(feed, "author"), "name", AUTHOR)
    sub(feed, "generator", "Toolbox Openbare Ruimte")
    for change in shown:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(base_uri, change))
        sub(entry, "title", f"{change.type_label} {change.kind}: {change.title}")
        sub(entry, "updated", change.timestamp)
        sub(entry, "link", rel="alternate", type="text/html", href=doc_url(base_uri, change))
        sub(entry, "category", term=change.segment, label=change.type_label)
        sub(entry, "summary", f"{change.type_label} ‘{change.title}’ is {change.kind} op {change.when[:10]}.")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")).encode("utf-8")
