"""Recent changes from the real content and an audit log, and their Atom feed checked against RFC 4287."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from toolbox.graph.model import GraphModel
from toolbox.readers.atom import FEED_ENTRIES, atom_feed
from toolbox.readers.changes import ARCHIVED, CHANGED, NEW, TYPES, recent_changes

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def model(real_settings, real_store):
    return GraphModel.from_store(real_store, real_settings.base_uri)


@pytest.fixture
def settings(real_settings, tmp_path):
    (tmp_path / "instance").mkdir()
    return replace(real_settings, instance_dir=tmp_path / "instance")


def _audit(settings, *rows):
    with open(settings.instance_dir / "audit.log", "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


def test_changes_come_from_the_content_newest_first_and_per_type(model, settings):
    changes = recent_changes(model, settings)
    assert changes and {c.segment for c in changes} >= {"casus", "tool", "knelpunt"}
    assert [c.timestamp for c in changes] == sorted((c.timestamp for c in changes), reverse=True)
    assert all(c.segment in TYPES and c.kind in (CHANGED, ARCHIVED) for c in changes)
    cases = recent_changes(model, settings, "casus")
    assert cases and all(c.segment == "casus" for c in cases)
    assert len(cases) == len([c for c in changes if c.segment == "casus"])


def test_editor_saves_in_the_audit_log_say_what_happened_to_the_second(model, settings):
    slug = model.slug(model.instances("Case")[0])
    day = max(str(v) for v in model.values(f"{settings.base_uri}/id/casus/{slug}", "dcterms:modified"))[:10]
    _audit(settings,
           {"tijd": f"{day}T09:00:00Z", "gebeurtenis": "casus_aangemaakt", "casus": slug},
           {"tijd": f"{day}T10:30:00Z", "gebeurtenis": "casus_bewerkt", "casus": slug},
           {"tijd": f"{day}T11:00:00Z", "gebeurtenis": "casus_gearchiveerd", "casus": "bestaat-niet"},
           {"tijd": f"{day}T11:05:00Z", "gebeurtenis": "ingelogd", "casus": slug})
    mine = [c for c in recent_changes(model, settings, "casus") if c.slug == slug]
    assert [(c.kind, c.when) for c in mine] == [(CHANGED, f"{day}T10:30:00Z"), (NEW, f"{day}T09:00:00Z")]
    assert not [c for c in recent_changes(model, settings) if c.slug == "bestaat-niet"]  # never published


def test_the_atom_feed_follows_rfc_4287(model, settings):
    _audit(settings, {"tijd": "2099-01-01T08:00:00Z", "gebeurtenis": "casus_gearchiveerd",
                      "casus": model.slug(model.instances("Case")[0])})
    changes = recent_changes(model, settings)
    body = atom_feed(changes, settings.base_uri, "/wijzigingen.atom", "/wijzigingen", "Wijzigingen")
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    feed = ET.fromstring(body)
    assert feed.tag == A + "feed"
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(A + tag)) == 1, tag
    assert feed.find(A + "id").text == settings.base_uri + "/wijzigingen.atom"
    assert feed.find(f"{A}author/{A}name").text
    assert [link.get("href") for link in feed.findall(A + "link") if link.get("rel") == "self"] == [
        settings.base_uri + "/wijzigingen.atom"]
    entries = feed.findall(A + "entry")
    assert len(entries) == min(FEED_ENTRIES, len(changes))
    ids = [e.find(A + "id").text for e in entries]
    assert len(set(ids)) == len(ids)
    updated = [e.find(A + "updated").text for e in entries]
    assert all(RFC3339.match(u) for u in updated) and RFC3339.match(feed.find(A + "updated").text)
    assert feed.find(A + "updated").text == max(updated) == "2099-01-01T08:00:00Z"
    first = entries[0]
    assert "gearchiveerd" in first.find(A + "title").text
    link = [x for x in first.findall(A + "link") if x.get("rel", "alternate") == "alternate"][0]
    assert link.get("href").startswith(settings.base_uri + "/doc/casus/")
    for entry in entries:
        assert entry.find(A + "title").text and entry.find(A + "summary").text
        assert entry.find(A + "link").get("href").startswith(settings.base_uri + "/doc/")


def test_an_empty_feed_is_still_valid(settings):
    feed = ET.fromstring(atom_feed([], settings.base_uri, "/wijzigingen/tools.atom", "/wijzigingen?type=tool", "x"))
    assert feed.find(A + "updated").text and feed.findall(A + "entry") == []
