"""A case's knelpunt links as qualified relations (tor:KnelpuntReport): one report per link, kept with its
provenance when the editor keeps the link, made editorial (who, when, why) when the editor adds it."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from toolbox.editing.form import _id, account_iri, rank_of
from toolbox.graph.content import SLUG_RE
from toolbox.namespaces import TOR

REPORT_SEGMENT = "melding"
EDITED_NOTE = "Gekoppeld via het beheerscherm; bij het opslaan is geen plek in de bronnen genoemd."
REPORT_PREDICATES = {RDF.type, TOR.reportingCase, TOR.reportedKnelpunt, TOR.rank, TOR.keyword,
                     PROV.wasDerivedFrom, PROV.wasAttributedTo, PROV.generatedAtTime, SKOS.editorialNote}


def report_iri(slug: str, knelpunt: URIRef) -> URIRef:
    return URIRef(f"{_id(REPORT_SEGMENT)}{slug}--{str(knelpunt).rsplit('/', 1)[1]}")


def is_report_of(subject, slug: str) -> bool:
    """A knelpunt report of this case: the only other subject a case file may hold."""
    return isinstance(subject, URIRef) and str(subject).startswith(f"{_id(REPORT_SEGMENT)}{slug}--")


def top_order(values: dict) -> list[URIRef]:
    """The top-3 knelpunten of the form values as IRIs, in the order the editor put them."""
    out = []
    for value in dict.fromkeys(values.get("top_knelpunt") or []):
        segment, _, slug = value.partition("/")
        if segment == "knelpunt" and SLUG_RE.match(slug):
            out.append(URIRef(_id(segment) + slug))
    return out


def add_reports(graph: Graph, uri: URIRef, slug: str, previous: Graph | None, account_id: str, modified: str,
                order: list[URIRef] | None = None) -> None:
    """One tor:KnelpuntReport per knelpunt link: the previous report (with its provenance) for links the
    editor kept, an editorial one (this editor's account, this moment) for links the editor added. The top-3
    `order` of the form becomes tor:rank 1-3 when it differs from the file's; else ranks stay (or stay absent)."""
    top = set(graph.objects(uri, TOR.topKnelpunt))
    ranked = [k for k in (order or []) if k in top] + sorted(top - set(order or []), key=str)
    before = [] if previous is None else sorted(previous.objects(uri, TOR.topKnelpunt),
                                                key=lambda k: (rank_of(previous, uri, k), str(k)))
    new_ranks = {} if ranked == before else {k: i for i, k in enumerate(ranked, start=1)}
    for knelpunt in sorted(top | set(graph.objects(uri, TOR.reportsKnelpunt)), key=str):
        report = report_iri(slug, knelpunt)
        old = previous if previous is not None and (report, TOR.reportedKnelpunt, knelpunt) in previous else None
        if old is not None:
            for p, o in old.predicate_objects(report):
                if p in REPORT_PREDICATES and not (p == TOR.rank and (knelpunt not in top or new_ranks)):
                    graph.add((report, p, o))
        else:
            graph.add((report, RDF.type, TOR.KnelpuntReport))
            graph.add((report, TOR.reportingCase, uri))
            graph.add((report, TOR.reportedKnelpunt, knelpunt))
            graph.add((report, PROV.wasAttributedTo, account_iri(account_id)))
            graph.add((report, PROV.generatedAtTime, Literal(modified, datatype=XSD.dateTime)))
            graph.add((report, SKOS.editorialNote, Literal(EDITED_NOTE, lang="nl")))
        if knelpunt in new_ranks:
            graph.add((report, TOR.rank, Literal(new_ranks[knelpunt])))
