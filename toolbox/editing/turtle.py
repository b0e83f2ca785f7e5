"""The case as deterministic Turtle in the house style of the content files (prefixes, order, escapes)."""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from toolbox.config import CANONICAL_BASE
from toolbox.editing.form import IRI_RE, _id
from toolbox.graph.content import parse_turtle
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
LOCAL_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$")

# ---------------------------------------------------------------------------
# Deterministic Turtle in the house style

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
        body = _escape(text, "\n" in text)
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype:
            return f"{body}^^{_term(URIRef(term.datatype))}"
        return body
    raise ValueError(f"Onverwachte term in een casus: {term!r}")


def _sort_object(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1, str(term))


REPORT_ORDER = [TOR.reportingCase, TOR.reportedKnelpunt, TOR.rank, TOR.keyword, PROV.wasDerivedFrom,
                PROV.wasAttributedTo, PROV.generatedAtTime, SKOS.editorialNote]


def _reports(graph: Graph, uri: URIRef) -> list[str]:
    """The case's knelpunt reports after the case, one block each, in IRI order."""
    out = []
    for report in sorted(set(graph.subjects(TOR.reportingCase, uri)), key=str):
        body = []
        for p in REPORT_ORDER + sorted(set(graph.predicates(report, None)) - set(REPORT_ORDER) - {RDF.type}, key=str):
            objects = sorted(graph.objects(report, p), key=_sort_object)
            if objects:
                body.append(f"    {_term(p)} " + " , ".join(_term(o) for o in objects))
        out += ["", f"{_term(report)} a tor:KnelpuntReport ;", " ;\n".join(body) + " ."]
    return out


ATTRIBUTION_ORDER = [RDF.type, PROV.agent, PROV.hadRole]


def attributions(graph: Graph, uri: URIRef) -> list[str]:
    """Who approved the thing (prov:qualifiedAttribution, a blank node), one block after the rest."""
    out = []
    for node in sorted((n for n in graph.objects(uri, PROV.qualifiedAttribution) if isinstance(n, BNode)),
                       key=lambda n: sorted(str(o) for o in graph.objects(n, None))):
        body = []
        for p in ATTRIBUTION_ORDER + sorted(set(graph.predicates(node, None)) - set(ATTRIBUTION_ORDER), key=str):
            objects = sorted(graph.objects(node, p), key=_sort_object)
            if objects:
                body.append(f"        {_term(p)} " + " , ".join(_term(o) for o in objects))
        out += ["", f"{_term(uri)} prov:qualifiedAttribution [", " ;\n".join(body), "    ] ."]
    return out


def serialize_case(graph: Graph, uri: URIRef) -> str:
    """The case as Turtle: fixed prefix block, fixed property order, sorted values; same input, same bytes."""
    width = 11
    lines = [f"@prefix {(name + ':').ljust(width)} <{ns}> ." for name, ns in PREFIXES]
    lines.append("")
    predicates = set(graph.predicates(uri, None)) - {PROV.qualifiedAttribution}
    extras = sorted(predicates - set(PREDICATE_ORDER) - set(TAIL_ORDER), key=str)
    order = [p for p in PREDICATE_ORDER + extras + TAIL_ORDER if p in predicates]
    statements = []
    for p in order:
        objects = sorted(graph.objects(uri, p), key=_sort_object)
        rendered = [_term(o) for o in objects]
        head = f"    {_term(p)} "
        one_line = head + " , ".join(rendered)
        if "\n" in one_line or len(one_line) <= 118 or len(rendered) == 1:
            statements.append(one_line)
        else:
            statements.append(head + (" ,\n        ").join(rendered))
    lines.append(f"{_term(uri)} a tor:Case ;" if statements and order[0] == RDF.type else f"{_term(uri)}")
    body = [s for p, s in zip(order, statements, strict=True) if p != RDF.type]
    lines.append(" ;\n".join(body) + " .")
    lines += _reports(graph, uri)
    lines += attributions(graph, uri)
    text = "\n".join(lines) + "\n"
    check, problem = parse_turtle(text, "casus", CANONICAL_BASE)
    if problem or not isomorphic(check, graph):
        raise ValueError("De Turtle van de casus komt niet overeen met de graaf (fout in de schrijver).")
    return text


