"""/over/standaarden (issue 25): which standards, which version, how many checks passed, from the
build's own checks (build/data/conformance.json), for people and as JSON."""

from __future__ import annotations

import json

from toolbox.graph.dataset import data_dir
from toolbox.graph.standards import CONFORMANCE_FILE


def test_the_page_shows_the_builds_figures(client, app):
    settings = app.extensions["toolbox"].settings
    written = json.loads((data_dir(settings) / CONFORMANCE_FILE).read_text(encoding="utf-8"))
    page = client.get("/over/standaarden")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for standard in written["standards"]:
        assert standard["name"] in text and standard["version"] in text
        assert f'<td class="utrecht-table__cell utrecht-table__cell--numeric">{standard["checks"]}</td>' in text
    assert "DCAT-AP-NL" in text and "NL-SBB" in text and "voldoet" in text


def test_the_json_twin_is_the_same_report(client, app):
    settings = app.extensions["toolbox"].settings
    written = json.loads((data_dir(settings) / CONFORMANCE_FILE).read_text(encoding="utf-8"))
    for response in (client.get("/over/standaarden?format=json"),
                     client.get("/over/standaarden", headers={"Accept": "application/json"})):
        assert response.status_code == 200 and response.mimetype == "application/json"
        body = response.get_json()
        assert body["standards"] == written["standards"]
        assert {s["key"] for s in body["standards"]} == {"dcat-ap-nl", "nl-sbb"}
        assert all(s["violations"] == 0 and s["passed"] + s["warnings"] == s["checks"] for s in body["standards"])
        assert body["version"] == app.extensions["toolbox"].manifest["version"]


def test_a_failing_check_shows_as_such(client, app, monkeypatch):
    """The page shows what the build found, not a fixed 'all is well'."""
    import webapp.pages.views as views

    report = {"checked": "", "version": "", "standards": [{
        "key": "nl-sbb", "name": "NL-SBB", "version": "1.0", "publisher": "Geonovum", "url": "https://example.org/",
        "applies_to": "de begrippen", "shapes": "ontology/nl-sbb.ttl", "checks": 10, "passed": 8, "violations": 2,
        "warnings": 0, "conforms": False,
        "messages": [{"thing": "https://x/id/thema/a", "severity": "fout",
                      "message": "Een begrip heeft een definitie."}],
    }]}
    monkeypatch.setattr(views, "read_conformance", lambda folder: report)
    text = client.get("/over/standaarden?x=1").get_data(as_text=True)
    assert "voldoet niet" in text and "Een begrip heeft een definitie." in text


def test_an_unknown_format_is_refused(client):
    assert client.get("/over/standaarden?format=ttl").status_code == 406
