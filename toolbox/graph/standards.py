"""The Dutch and European standards the published data is checked against, and the checks themselves.

Each profile is a set of our own SHACL shapes in `ontology/`, derived from the standard's text
(not the standard's own shape files): DCAT-AP-NL 3.0 for the dataset description, NL-SBB for the
vocabulary. `check` runs one profile over a graph and counts checks the way a reader of the
conformance page (`/over/standaarden`) can follow: one check is one property shape applied to
one thing the node shape targets; it failed when SHACL reports a violation for it, it warns for a
recommendation not met. The build writes the outcome next to the downloads (`conformance.json`).
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from toolbox.config import REPO_ROOT

ONTOLOGY_DIR = REPO_ROOT / "ontology"
CONFORMANCE_FILE = "conformance.json"


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    version: str
    publisher: str
    url: str
    shapes: Path
    applies_to: str  # in Dutch, for the page


DCAT_AP_NL = Profile("dcat-ap-nl", "DCAT-AP-NL", "3.0", "Geonovum", "https://docs.geostandaarden.nl/dcat/dcat-ap-nl30/",
                     ONTOLOGY_DIR / "dcat-ap-nl.ttl",
                     "de beschrijving van catalogus, dataset, distributies en SPARQL-service (/data/)")
NL_SBB = Profile("nl-sbb", "NL-SBB", "1.0", "Geonovum",
                 "https://docs.geostandaarden.nl/nl-sbb/nl-sbb/", ONTOLOGY_DIR / "nl-sbb.ttl",
                 "de begrippen (skos:Concept) en begrippenkaders (skos:ConceptScheme) van de kennisgraaf")
PROFILES = (DCAT_AP_NL, NL_SBB)


@dataclass
class Outcome:
    """What one profile found in one graph."""

    key: str
    name: str
    version: str
    publisher: str
    url: str
    applies_to: str
    shapes: str
    checks: int
    passed: int
    violations: int
    warnings: int
    messages: list[dict] = field(default_factory=list)  # the first problems, for people

    @property
    def conforms(self) -> bool:
        return self.violations == 0


@functools.cache
def _shapes(path: str, mtime: float) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def shapes_graph(profile: Profile) -> Graph:
    return _shapes(str(profile.shapes), profile.shapes.stat().st_mtime)


_SKOS = "http://www.w3.org/2004/02/skos/core#"
_VOCABULARY_CLASSES = {_SKOS + "Concept", _SKOS + "ConceptScheme"}
_SEMANTIC = {_SKOS + "broader", _SKOS + "narrower", _SKOS + "related"}
_TYPE, _SUBCLASS = str(RDF.type), str(RDFS.subClassOf)


def vocabulary_part(triples, iri=str) -> list:
    """The triples NL-SBB looks at: everything about concepts, schemes and things with a SKOS
    semantic relation, plus every rdf:type and rdfs:subClassOf (for the class checks). A fraction of
    the graph at 100x content, so the check stays quick. `iri` reads a term's IRI (rdflib: str;
    pyoxigraph: its .value)."""
    triples = list(triples)
    parents: dict[str, set[str]] = {}
    for s, p, o in triples:
        if iri(p) == _SUBCLASS:
            parents.setdefault(iri(o), set()).add(iri(s))
    classes, todo = set(_VOCABULARY_CLASSES), list(_VOCABULARY_CLASSES)
    while todo:
        for sub in parents.get(todo.pop(), ()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    focus = {s for s, p, o in triples if (iri(p) == _TYPE and iri(o) in classes) or iri(p) in _SEMANTIC}
    return [(s, p, o) for s, p, o in triples if s in focus or iri(p) in (_TYPE, _SUBCLASS)]


def _instances(data: Graph, cls: URIRef) -> set:
    """Things of a class, also through rdfs:subClassOf in the data (as SHACL's targetClass does)."""
    classes, todo = {cls}, [cls]
    while todo:
        for sub in data.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    return {s for c in classes for s in data.subjects(RDF.type, c)}


def _planned(data: Graph, shapes: Graph) -> list[tuple]:
    """(focus node, shape) for every property shape and every node constraint, per targeted thing."""
    planned = []
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        focus = set()
        for cls in shapes.objects(shape, SH.targetClass):
            focus |= _instances(data, cls)
        for node in shapes.objects(shape, SH.targetNode):
            focus.add(node)
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            focus |= set(data.subjects(prop, None))
        parts = list(shapes.objects(shape, SH.property))
        own = [p for p in (SH["or"], SH["not"], SH["and"], SH.sparql, SH.nodeKind, SH.pattern, SH["class"])
               if shapes.value(shape, p) is not None]
        units = parts + ([shape] if own else [])
        planned += [(node, unit) for node in focus for unit in units]
    return planned


def check(profile: Profile, data: Graph, keep: int = 20) -> Outcome:
    """Run the profile's shapes over data; count checks, violations and warnings."""
    shapes = shapes_graph(profile)
    conforms, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", abort_on_first=False,
                                          allow_warnings=True, advanced=True)
    failed, warned, messages = set(), set(), []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        key = (results.value(result, SH.focusNode), results.value(result, SH.sourceShape))
        severity = results.value(result, SH.resultSeverity)
        (failed if severity == SH.Violation else warned).add(key)
        if len(messages) < keep:
            messages.append({"thing": str(key[0]), "severity": "fout" if severity == SH.Violation else "advies",
                             "message": str(results.value(result, SH.resultMessage) or "")})
    checks = len(_planned(data, shapes))
    warned -= failed
    return Outcome(profile.key, profile.name, profile.version, profile.publisher, profile.url, profile.applies_to,
                   "ontology/" + profile.shapes.name, checks, max(0, checks - len(failed) - len(warned)),
                   len(failed), len(warned), sorted(messages, key=lambda m: (m["severity"], m["thing"])))


def read_conformance(folder: Path) -> dict | None:
    """What the last build found (None before the first build wrote it)."""
    try:
        return json.loads((folder / CONFORMANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def report(outcomes: list[Outcome], version: str = "") -> dict:
    """The conformance document the build writes and the page reads."""
    return {"checked": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "version": version,
            "standards": [{**asdict(o), "conforms": o.conforms} for o in outcomes]}
