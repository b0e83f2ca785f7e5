"""The case as Turtle in the house format: what a web save writes, the same bytes for the same graph.

The format is made so that a save changes only the lines of the fields that changed: one predicate
per line (a multi-valued one with each further value on a line of its own, in a fixed order), the
top-3 in rank order, the project's sources and outside links as two statements, `dcterms:modified`
and `prov:wasAttributedTo` each on a line of their own at the end, and the knelpunt reports after
the case, one block each, in IRI order (docs/editing.md). `format_case_file` brings a hand-written
file into that format (`toolbox format`). Other modules (drafts) call these functions: keep their names stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from toolbox.config import CANONICAL_BASE
from toolbox.editing.form import CASES, IRI_RE, _id, rank_of
from toolbox.files import atomic_write
from toolbox.graph.content import decode, parse_turtle
from toolbox.namespaces import SCHEMA, TOR

# Turtle output: the prefix block of the existing case files, in the same style.
PREFIXES: list[tuple[str, str]] = [
    ("tor", str(TOR)),
    ("skos", str(SKOS)),
    ("dcterms", str(DCTERMS)),
    ("xsd", str(XSD)),
    ("schema", str(SCHEMA)),
    ("prov", str(PROV)),
] + [(seg, _id(seg)) for seg in (
    "bron", "stap", "tool", "hulpmiddel", "organisatietype", "knelpunt", "projecttype", "thema", "schaal",
    "casus", "gemeente", "cluster", "ontwikkelteam", "melding", "bronplaats", "organisatie",
)]
PREDICATE_ORDER = [
    RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.notation, TOR.status, TOR.municipality, TOR.cluster, TOR.scale,
    TOR.taskType, TOR.projectType, TOR.startYear, TOR.endYear, TOR.theme, DCTERMS.abstract, TOR.whatIsNew,
    TOR.lessons, TOR.challengesText, TOR.methods, TOR.usedTool, TOR.usedStep, TOR.developmentTeam,
    TOR.stakeholderType, TOR.topKnelpunt, TOR.reportsKnelpunt, SCHEMA.url,
]
TAIL_ORDER = [DCTERMS.source, DCTERMS.modified, PROV.wasAttributedTo]
REPORT_ORDER = [TOR.reportingCase, TOR.reportedKnelpunt, TOR.rank, TOR.keyword, PROV.wasDerivedFrom,
                PROV.wasAttributedTo, PROV.generatedAtTime, SKOS.editorialNote]
LOCAL_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$")
INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
INDENT, CONTINUATION = "    ", "        "

# ---------------------------------------------------------------------------
# Terms

def _escape(text: str, long: bool) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    if long:
        return '"""' + text + '"""'
    return '"' + text.replace("\n", "\\n").replace("\t", "\\t") + '"'


def _term(term) -> str:
    if isinstance(term, URIRef):
        iri = str(term)
        if iri == str(RDF.type):
            return "a"
        for prefix, ns in PREFIXES:
            if iri.startswith(ns) and LOCAL_RE.match(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        if not IRI_RE.match(iri) and not iri.startswith("https://") and not iri.startswith("http://"):
            raise ValueError(f"IRI kan niet in Turtle: {iri!r}")
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = str(term)
        if term.datatype == XSD.integer and INTEGER_RE.match(text):
            return text  # a plain number, as in the hand-written files (same literal)
        body = _escape(text, "\n" in text)
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype:
            return f"{body}^^{_term(URIRef(term.datatype))}"
        return body
    raise ValueError(f"Onverwachte term in een casus: {term!r}")


def _sort_object(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1, str(term))


def ordered_objects(graph: Graph, subject: URIRef, predicate: URIRef) -> list:
    """The values of one predicate in house order: the top-3 by rank, everything else sorted."""
    objects = sorted(graph.objects(subject, predicate), key=_sort_object)
    if predicate == TOR.topKnelpunt:
        objects.sort(key=lambda k: rank_of(graph, subject, k))  # stable: equal ranks keep IRI order
    return objects


def _statement(predicate: URIRef, objects: list) -> str:
    """One predicate: on one line, a multi-valued one with each further value on a line of its own."""
    rendered = [_term(o) for o in objects]
    return f"{INDENT}{_term(predicate)} " + f" ,\n{CONTINUATION}".join(rendered)


def _block(head: str, statements: list[str]) -> list[str]:
    if not statements:
        return [head + " ."]
    return [head + " ;", " ;\n".join(statements) + " ."]


# ---------------------------------------------------------------------------
# The case file

def _reports(graph: Graph, uri: URIRef) -> list[str]:
    """The case's knelpunt reports after the case, one block each, in IRI order."""
    out = []
    for report in sorted(set(graph.subjects(TOR.reportingCase, uri)), key=str):
        order = REPORT_ORDER + sorted(set(graph.predicates(report, None)) - set(REPORT_ORDER) - {RDF.type}, key=str)
        body = [_statement(p, sorted(graph.objects(report, p), key=_sort_object))
                for p in order if (report, p, None) in graph]
        out += [""] + _block(f"{_term(report)} a tor:KnelpuntReport", body)
    return out


def prefix_block() -> list[str]:
    width = 11
    return [f"@prefix {(name + ':').ljust(width)} <{ns}> ." for name, ns in PREFIXES]


def serialize_case(graph: Graph, uri: URIRef) -> str:
    """The case as Turtle in the house format; same graph, same bytes (checked by parsing it back)."""
    lines = prefix_block() + [""]
    predicates = set(graph.predicates(uri, None))
    extras = sorted(predicates - set(PREDICATE_ORDER) - set(TAIL_ORDER), key=str)
    order = [p for p in PREDICATE_ORDER + extras + TAIL_ORDER if p in predicates and p != RDF.type]
    types = sorted(graph.objects(uri, RDF.type), key=str)
    head = _term(uri) + (" a " + " , ".join(_term(t) for t in types) if types else "")
    statements = []
    for p in order:
        objects = ordered_objects(graph, uri, p)
        if p == DCTERMS.source:  # two form fields: sources of the project and links, each a group of its own
            ours = [o for o in objects if str(o).startswith(CANONICAL_BASE + "/id/")]
            groups = [g for g in (ours, [o for o in objects if o not in ours]) if g]
            statements += [_statement(p, g) for g in groups]
        else:
            statements.append(_statement(p, objects))
    lines += _block(head, statements)
    lines += _reports(graph, uri)
    text = "\n".join(lines) + "\n"
    check, problem = parse_turtle(text, "casus", CANONICAL_BASE)
    if problem or set(check) != set(graph):
        raise ValueError("De Turtle van de casus komt niet overeen met de graaf (fout in de schrijver).")
    return text


# ---------------------------------------------------------------------------
# Bringing hand-written files into the house format (`toolbox format`): only when the graph stays isomorphic

@dataclass
class Formatted:
    path: Path
    changed: bool
    problem: str = ""


def format_case_file(path: Path, write: bool = True) -> Formatted:
    """One case file in the house format; `changed` says whether it was (or would be) rewritten."""
    text, problem = decode(path.read_bytes(), path.name)
    if problem:
        return Formatted(path, False, problem.message)
    graph, problem = parse_turtle(text, path.name, CANONICAL_BASE)
    if problem:
        return Formatted(path, False, problem.message)
    uri = URIRef(f"{CANONICAL_BASE}/id/casus/{path.stem}")
    try:
        out = serialize_case(graph, uri)
    except ValueError as exc:
        return Formatted(path, False, str(exc))
    again, _ = parse_turtle(out, path.name, CANONICAL_BASE)
    if again is None or not isomorphic(graph, again):
        return Formatted(path, False, "de betekenis zou veranderen; niet herschreven")
    if out == text:
        return Formatted(path, False)
    if write:
        atomic_write(path, out.encode("utf-8"))
    return Formatted(path, True)


def format_cases(content_dir: Path, write: bool = True) -> list[Formatted]:
    return [format_case_file(p, write) for p in sorted((Path(content_dir) / CASES).glob("*.ttl"))]
