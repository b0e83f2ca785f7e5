"""Integrity (issue 24): no save, file or request can break the site or silently change what it shows.

Against a real `toolbox serve` over a copy of the real content, with one editor:

* crafted saves: form posts that bypass the pickers, with a valid session and CSRF token, linking to
  things that do not exist in every reference field (alone and next to a valid value); none may be
  accepted, and the content must still pass `toolbox validate` afterwards;
* damaged and mis-encoded files: a syntax error, Windows-1252, UTF-16 and a file cut off halfway in
  files of several kinds, each followed by an unrelated save; no page of what the file held may be
  lost, and the file must be named in /health;
* forged Host headers on pages, lists, search, SPARQL and redirects: refused, and never in what any
  visitor gets afterwards (canonical links, redirects, cached pages).

The counts go to docs/reliability.md (the "integriteit" table, `python -m tests.reliability.report`).
"""

from __future__ import annotations

import re

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from toolbox.config import CANONICAL_BASE, REPO_ROOT

from .live_site import Editor, Site
from .support import FIGURES

pytestmark = [pytest.mark.reliability, pytest.mark.server]

ANCHOR = "integriteit-anker"
VALID = {
    "title": "Integriteit Anker", "municipality": ["gemeente/leiden"], "scale": "schaal/wijk",
    "theme": ["thema/woningbouw"], "abstract": "Een casus die de proef steeds opnieuw opslaat.",
    "source": ["bron/werkboek"], "knelpunt": ["knelpunt/tactisch-gat"], "used_tool": ["tool/ambitieweb"],
    "used_step": ["stap/gebieds-wijkplan"], "development_team": ["ontwikkelteam/ot1"],
    "stakeholder_type": ["organisatietype/gemeente"], "project_type": ["projecttype/herstructurering"],
    "cluster": "cluster/a", "start_year": "2021",
}
# field -> (a valid value, segments the field accepts)
REFERENCES = {
    "municipality": ("gemeente/leiden", ["gemeente"]), "cluster": ("cluster/a", ["cluster"]),
    "scale": ("schaal/wijk", ["schaal"]), "project_type": ("projecttype/herstructurering", ["projecttype"]),
    "theme": ("thema/woningbouw", ["thema"]), "knelpunt": ("knelpunt/tactisch-gat", ["knelpunt"]),
    "top_knelpunt": ("knelpunt/tactisch-gat", ["knelpunt"]),
    "used_tool": ("tool/ambitieweb", ["tool", "hulpmiddel"]), "used_step": ("stap/gebieds-wijkplan", ["stap"]),
    "development_team": ("ontwikkelteam/ot1", ["ontwikkelteam"]),
    "stakeholder_type": ("organisatietype/gemeente", ["organisatietype"]), "source": ("bron/werkboek", ["bron"]),
}
ONE = {"cluster", "scale"}
DAMAGED = ["casussen/laakhavens.ttl", "tools/groenblauwe-netwerken.ttl", "hulpmiddelen/bim-datamanagement.ttl",
           "knelpunten/tactisch-gat.ttl", "gemeenten/leiden.ttl"]
FORGED = ["evil.example", "evil.example:80", "toolbox-openbare-ruimte.nl.evil.example", "127.0.0.1.evil.example",
          "localhost.evil", "[::2]:5000", "evil.example\t", "%65vil.example"]
PATHS = ["/", "/tools?page=1", "/tools", "/casussen", "/knelpunten", "/doc/tool/ambitieweb", "/zoeken?q=water",
         "/sparql", "//tools", "/data/", "/.well-known/void", "/gids", "/health"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("integriteit"), editors=1, content=REPO_ROOT / "content")
    site.start()
    editor = Editor(site, site.editor_names[0])
    editor.login()
    response = editor.save(None, dict(VALID, slug=ANCHOR))
    assert response.status_code == 303, response.text[:1000]
    yield site, editor
    site.stop()


def _crafted() -> list[tuple[str, dict, bool]]:
    """(what, form values, has an invalid link) for every reference field."""
    out = []
    for name, (valid, segments) in REFERENCES.items():
        out.append((f"{name}: geldig", dict(VALID, **{name: valid if name in ONE else [valid]}), False))
        for segment in segments:
            unknown = f"{segment}/bestaat-niet-{name.replace('_', '-')}"
            out.append((f"{name}: onbekend in {segment}", dict(VALID, **{name: unknown if name in ONE else [unknown]}),
                        True))
            if name not in ONE:
                out.append((f"{name}: geldig en onbekend", dict(VALID, **{name: [valid, unknown]}), True))
    out.append(("gebruikte tool uit de melding (ambitiewiel)", dict(VALID, used_tool=["tool/ambitieweb",
                                                                                       "tool/ambitiewiel"]), True))
    return out


def test_crafted_saves_with_invalid_links_are_refused(site):
    server, editor = site
    accepted_invalid = []
    for i, (what, values, invalid) in enumerate(_crafted()):
        response = editor.save(None, dict(values, title=f"Proefopslag {i}", slug=f"proefopslag-{i}"))
        outcome = {303: "geaccepteerd (303)", 422: "geweigerd (422)"}.get(response.status_code,
                                                                         str(response.status_code))
        FIGURES.count("integrity-saves", ("ongeldige link: " if invalid else "geldig: ") + outcome)
        if invalid and response.status_code != 422:
            accepted_invalid.append((what, response.status_code))
        if invalid and response.status_code == 422:
            assert "field-error" in response.text and not server.case_file(f"proefopslag-{i}").exists()
        if not invalid:
            assert response.status_code == 303, (what, response.text[:500])
    FIGURES.note("integrity-saves", "velden", len(REFERENCES))
    assert accepted_invalid == []
    checked = server.validate(owl=False)
    assert checked.returncode == 0, checked.stdout[-2000:]


def _pages_of(path) -> list[str]:
    graph = Graph().parse(path, format="turtle")
    pages = []
    for subject in set(graph.subjects(RDF.type, None)):
        if isinstance(subject, URIRef) and str(subject).startswith(CANONICAL_BASE + "/id/"):
            segment, _, slug = str(subject)[len(CANONICAL_BASE + "/id/"):].partition("/")
            if slug and "/" not in slug:
                pages.append(f"/doc/{segment}/{slug}")
    return sorted(pages)


DAMAGES = {
    "syntaxfout": lambda data: data.replace(b" ;\n", b" ;;; ]\n", 1),
    "windows-1252": lambda data: ("# caf\u00e9 met een accent\n" + data.decode("utf-8")).encode("cp1252", "replace"),
    "utf-16": lambda data: data.decode("utf-8").encode("utf-16"),
    "afgebroken": lambda data: data[: len(data) // 2],
}


def test_damaged_and_mis_encoded_files_lose_no_page(site):
    server, editor = site
    lost, named = [], 0
    for n, name in enumerate(DAMAGED):
        path = server.content / name
        original = path.read_bytes()
        pages = [p for p in _pages_of(path) if requests.get(server.base + p, timeout=30).status_code == 200]
        assert pages, name
        for kind, damage in DAMAGES.items():
            path.write_bytes(damage(original))
            saved = editor.save(ANCHOR, dict(VALID, abstract=f"Opgeslagen na schade {n}-{kind} aan een ander bestand."))
            assert saved.status_code == 303, saved.text[:500]
            for page in pages:
                status = requests.get(server.base + page, timeout=30).status_code
                FIGURES.count("integrity-files", "pagina behouden" if status == 200 else "pagina verloren")
                if status != 200:
                    lost.append((name, kind, page, status))
            health = requests.get(server.base + "/health", timeout=30).json()
            reported = {p["bestand"] for p in health["controles"]["inhoud"]["problemen"]}
            if f"content/{name}" in reported:
                named += 1
            FIGURES.count("integrity-files-tried", kind)
            path.write_bytes(original)
        assert editor.save(ANCHOR, dict(VALID, abstract=f"Hersteld na de proef met bestand {n}.")).status_code == 303
        assert requests.get(server.base + "/health", timeout=30).json()["status"] == "ok"
    tried = len(DAMAGED) * len(DAMAGES)
    FIGURES.note("integrity-files", "bestanden × schades", f"{len(DAMAGED)} × {len(DAMAGES)}")
    FIGURES.note("integrity-files", "genoemd in /health", f"{named} van {tried}")
    assert lost == []
    assert named == tried


def _leaks(text: str, headers: dict) -> bool:
    blob = text + " " + " ".join(f"{k}: {v}" for k, v in headers.items())
    return bool(re.search(r"evil|\[::2\]", blob, re.I))


def test_forged_hosts_are_refused_and_never_reach_another_visitor(site):
    server, _ = site
    leaked = []
    for host in FORGED:
        for path in PATHS:
            try:
                response = requests.get(server.base + path, headers={"Host": host, "Accept": "text/html"},
                                        allow_redirects=False, timeout=30)
            except requests.RequestException as exc:  # refused by the HTTP layer itself
                FIGURES.count("integrity-hosts", f"verbinding geweigerd ({type(exc).__name__})")
                continue
            FIGURES.count("integrity-hosts", str(response.status_code))
            if response.status_code != 400 and path != "/health":
                leaked.append((host, path, response.status_code, "niet geweigerd"))
            if _leaks(response.text, dict(response.headers)) and response.status_code != 400:
                leaked.append((host, path, response.status_code, "in het antwoord"))
    for path in PATHS:  # what an ordinary visitor gets afterwards, from the page cache too
        for _ in range(2):
            response = requests.get(server.base + path, headers={"Accept": "text/html"}, allow_redirects=False,
                                    timeout=30)
            if _leaks(response.text, dict(response.headers)):
                leaked.append(("gewone bezoeker", path, response.status_code, response.headers.get("x-toolbox-cache")))
    FIGURES.count("integrity-hosts-leaked", "gelekt", len(leaked))
    FIGURES.note("integrity-hosts", "hosts × adressen", f"{len(FORGED)} × {len(PATHS)}")
    assert leaked == []
