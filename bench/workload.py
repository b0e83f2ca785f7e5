"""What the benchmark asks for: page URLs per type, the search query set and the SPARQL research mix.

Slugs come from the generated content directory (file names), so the same workload runs at
every size; at 10x and 100x each entity page type also requests synthetic twins (`-v{k}`).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from toolbox.config import REPO_ROOT

HTML = {"Accept": "text/html"}
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
STATIC_CANDIDATES = ("webapp/static/css/site.css", "webapp/static/bench/baseline.txt")


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict = field(default_factory=dict, hash=False, compare=False)
    expect: str = "any"  # any | json | sparql

    @property
    def label(self) -> str:
        return urllib.parse.unquote_plus(self.path)[:140]


@dataclass
class Target:
    """One row of the report: a kind of request, measured alone."""

    name: str
    kind: str  # static | page | search | sparql
    requests: list[Request]
    server: str = "toolbox"  # toolbox | oxigraph
    title: str = ""
    fresh: bool = False  # make every request's SPARQL text unique (a trailing comment): nothing is cached


def freshen(req: Request, tag: str) -> Request:
    """The same query with a unique trailing comment: identical work, but no cache can answer it."""
    return Request(req.path + urllib.parse.quote_plus(f"\n# {tag}"), req.headers, req.expect)


# Fixed search set: names, topics, a typo, and described situations (the way people type them).
SEARCH_QUERIES = [
    "ambitieweb",
    "opdrachtformulering",
    "participatie",
    "knelpunten financiering",
    "checklist richting DO",
    "klimaatadaptatie",
    "ambitiewebb",
    "We willen een wijk aardgasvrij maken en tegelijk het riool vervangen, maar de budgetten zijn per sector verdeeld",
    "Hoe betrekken we bewoners bij de herinrichting van een straat als de planning al vastligt?",
    "Ons projectteam mist kennis van beheer en onderhoud en de ambities hebben geen uitvoeringsbudget",
]

# Described situations for "Waar sta ik?" (/gids?situatie=), one or more per level, plain and jargon.
GUIDE_SITUATIONS = [
    "we willen riolering vervangen en tegelijk vergroenen",
    "we beginnen net met een nieuw project in de straat",
    "het VO is af, hoe gaan we verder",
    "de aannemer is bezig en bewoners klagen over overlast",
    "een visie voor de hele stad op water, energie en mobiliteit",
    "wie moet er in het projectteam en wie doet wat",
]

_PREFIXES = """PREFIX tor: <https://toolbox-openbare-ruimte.nl/def/tor#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

# Research mix: the questions a researcher asks of the graph (aggregation, joins over the
# case-knelpunt-remedy chain, property paths, text filters, OPTIONAL, ASK).
SPARQL_MIX: list[tuple[str, str]] = [
    ("klassen-tellen", """SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s rdf:type ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class"""),
    ("knelpunten-meest-gemeld", """SELECT ?k ?label (COUNT(DISTINCT ?case) AS ?n) WHERE {
  ?case a tor:Case ; tor:reportsKnelpunt|tor:topKnelpunt ?k . ?k skos:prefLabel ?label
} GROUP BY ?k ?label ORDER BY DESC(?n) ?k LIMIT 25"""),
    ("aanpak-per-thema", """SELECT ?theme ?by (COUNT(DISTINCT ?case) AS ?cases) WHERE {
  ?case a tor:Case ; tor:theme ?theme ; tor:reportsKnelpunt ?k .
  ?k tor:remedy ?r . ?r tor:remedyBy ?by . ?by a tor:Tool
} GROUP BY ?theme ?by ORDER BY ?theme DESC(?cases) ?by"""),
    ("casussen-thema-schaal", """SELECT ?theme ?scale (COUNT(?case) AS ?n) WHERE {
  ?case a tor:Case ; tor:theme ?theme ; tor:scale ?scale
} GROUP BY ?theme ?scale ORDER BY ?theme ?scale"""),
    ("tools-per-niveau-en-stap", """SELECT ?level ?step ?tool WHERE {
  ?step a tor:ProcessStep ; tor:level ?level ; tor:toolRecommendation ?rec .
  ?rec tor:recommendedTool ?tool .
  OPTIONAL { ?tool tor:suitableLevel ?level . BIND(true AS ?fits) }
} ORDER BY ?level ?step ?tool"""),
    ("stappen-hierarchie", """SELECT ?step ?broader WHERE { ?step tor:broaderStep+ ?broader }
ORDER BY ?step ?broader"""),
    ("tekst-zoeken", """SELECT ?s ?label WHERE {
  ?s skos:prefLabel ?label . FILTER(CONTAINS(LCASE(STR(?label)), "participatie"))
} ORDER BY ?s LIMIT 100"""),
    ("casussen-met-periode", """SELECT ?case ?start ?end (COUNT(?tool) AS ?tools) WHERE {
  ?case a tor:Case . OPTIONAL { ?case tor:startYear ?start } OPTIONAL { ?case tor:endYear ?end }
  OPTIONAL { ?case tor:usedTool ?tool }
} GROUP BY ?case ?start ?end ORDER BY ?start ?case LIMIT 200"""),
    ("rollen-en-stappen", """SELECT ?role (COUNT(DISTINCT ?step) AS ?steps) (COUNT(DISTINCT ?k) AS ?knelpunten) WHERE {
  ?role a tor:Role . OPTIONAL { ?step tor:involvesRole ?role }
  OPTIONAL { ?k tor:remedy/tor:remedyBy ?role }
} GROUP BY ?role ORDER BY DESC(?steps) ?role"""),
    ("ask-gedekt", """ASK { ?case a tor:Case ; tor:reportsKnelpunt ?k . FILTER NOT EXISTS { ?k tor:remedy ?r } }"""),
]

# Real slugs named in the site's URL conventions; twins are added from the content dir.
DEFAULT_SLUGS = {
    "stap": "opdrachtformulering",
    "tool": "ambitieweb",
    "casus": "laakhavens",
    "rol": "projectleider",
    "knelpunt": "agenda-externe-partijen",
}
FOLDERS = {"stap": "stappen", "tool": "tools", "casus": "casussen", "rol": "rollen", "knelpunt": "knelpunten"}
CLASSES = {"stap": "ProcessStep", "tool": "Tool", "casus": "Case", "rol": "Role", "knelpunt": "Knelpunt"}
LIBRARY_FILTERS = [("afwegen-op-criteria", "uitvoering"), ("gesprekstool-transitieopgaven", "tactisch")]
CASE_FILTERS = [("woningbouw", "wijk"), ("klimaatadaptatie", "buurt")]


def static_path() -> str:
    """The static baseline file the site serves under /static/."""
    for rel in STATIC_CANDIDATES:
        if (REPO_ROOT / rel).is_file():
            return "/static/" + rel.split("webapp/static/", 1)[1]
    return "/static/css/site.css"


def defines(path: Path, segment: str, slug: str) -> bool:
    """Whether a content file defines the entity {segment}:{slug} (prefixed or full-IRI form)."""
    cls = CLASSES[segment]
    text = path.read_text(encoding="utf-8")
    prefixed = re.search(rf"(?m)^{re.escape(segment)}:{re.escape(slug)}\s+a\s+tor:{cls}\b", text)
    full = f"/id/{segment}/{slug}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://toolbox-openbare-ruimte.nl/def/tor#{cls}>"
    return bool(prefixed) or full in text


def pick_slugs(content_dir: Path, segment: str, factor: int) -> list[str]:
    """The real default slug (or the first real one) plus, when scaled, its middle and last twin."""
    folder = Path(content_dir) / FOLDERS[segment]
    files = {p.stem: p for p in sorted(folder.glob("*.ttl"))}
    slug = DEFAULT_SLUGS[segment]
    if slug not in files or not defines(files[slug], segment, slug):
        slug = next((s for s, p in files.items() if not re.search(r"-v\d+$", s) and defines(p, segment, s)), slug)
    picked = [slug]
    for k in sorted({max(2, factor // 2), factor}):
        twin = f"{slug}-v{k}"
        if factor > 1 and twin in files:
            picked.append(twin)
    return picked


def page_targets(content_dir: Path, factor: int) -> list[Target]:
    def pages(segment):
        return [Request(f"/doc/{segment}/{s}", HTML) for s in pick_slugs(content_dir, segment, factor)]

    def query(params):
        return "?" + urllib.parse.urlencode(params)

    return [
        Target("home", "page", [Request("/", HTML)], title="Home"),
        Target("step", "page", pages("stap"), title="Step"),
        Target("tool", "page", pages("tool"), title="Tool"),
        Target("library", "page", [Request("/tools" + query({"categorie": c, "niveau": n}), HTML)
                                   for c, n in LIBRARY_FILTERS], title="Library with filters"),
        Target("cases", "page", [Request("/casussen" + query({"thema": t, "schaal": s}), HTML)
                                 for t, s in CASE_FILTERS], title="Case list with filters"),
        Target("case", "page", pages("casus"), title="Case"),
        Target("role", "page", pages("rol"), title="Role"),
        Target("knelpunt", "page", pages("knelpunt"), title="Knelpunt"),
    ]


def search_targets() -> list[Target]:
    html = [Request("/zoeken?" + urllib.parse.urlencode({"q": q}), HTML) for q in SEARCH_QUERIES]
    json_ = [Request("/zoeken?" + urllib.parse.urlencode({"q": q, "format": "json"}), {"Accept": "application/json"},
                     expect="json") for q in SEARCH_QUERIES]
    guide = [Request("/gids?" + urllib.parse.urlencode({"situatie": q}), HTML) for q in GUIDE_SITUATIONS]
    return [Target("search_html", "search", html, title="Search (HTML)"),
            Target("search_json", "search", json_, title="Search (JSON)"),
            Target("guide_situation", "search", guide, title="Waar sta ik? with a described situation (HTML)")]


def sparql_requests(endpoint_path: str) -> list[Request]:
    return [Request(endpoint_path + "?" + urllib.parse.urlencode({"query": _PREFIXES + q}), SPARQL_JSON,
                    expect="sparql") for _, q in SPARQL_MIX]


def sparql_targets() -> list[Target]:
    return [Target("sparql_toolbox", "sparql", sparql_requests("/sparql"), title="SPARQL mix, toolbox /sparql"),
            Target("sparql_toolbox_fresh", "sparql", sparql_requests("/sparql"), fresh=True,
                   title="SPARQL mix, toolbox /sparql, every query new (uncached)"),
            Target("sparql_oxigraph", "sparql", sparql_requests("/query"), server="oxigraph",
                   title="SPARQL mix, Oxigraph server")]


def all_targets(content_dir: Path, factor: int) -> list[Target]:
    static = Target("static", "static", [Request(static_path())], title="Static file")
    return [static, *page_targets(content_dir, factor), *search_targets(), *sparql_targets()]
