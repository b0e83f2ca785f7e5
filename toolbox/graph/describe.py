"""RDF descriptions of single things, in every format the site offers (one place for all twins)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef

from toolbox.config import Settings
from toolbox.graph.export import bind_prefixes, serialise
from toolbox.graph.model import GraphModel, Value

# Media type per format name; the first type is what we send.
RDF_MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}
MEDIA_TYPE_FORMATS = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "xml",
}


def _term(value: Value | str, model: GraphModel):
    if isinstance(value, str):
        return BNode(model.stable_id(value)) if value.startswith("_:") else URIRef(value)
    if value.kind == "iri":
        return URIRef(value.value)
    if value.kind == "bnode":
        return BNode(model.stable_id(value.value))
    if value.lang:
        return Literal(value.value, lang=value.lang)
    return Literal(value.value, datatype=URIRef(value.datatype) if value.datatype else None)


def describe_graph(model: GraphModel, uri: str, with_labels: bool = True) -> Graph:
    """The thing's statements, its blank nodes, and the labels of what it links to."""
    graph = Graph()
    linked = set()
    for s, p, v in model.statements(uri):
        graph.add((_term(s, model), URIRef(p), _term(v, model)))
        if v.kind == "iri":
            linked.add(v.value)
    for p, subjects in model.inc.get(uri, {}).items():
        for s in subjects:
            if not s.startswith("_:"):
                graph.add((URIRef(s), URIRef(p), URIRef(uri)))
                linked.add(s)
    is_part_of = URIRef("http://purl.org/dc/terms/isPartOf")
    for place in [other for other in linked if model.is_a(other, "SourcePlace")]:
        document = model.one(place, "dcterms:isPartOf")  # "Bron: plaats in document" travels with the twin
        if document:
            graph.add((URIRef(place), is_part_of, URIRef(document)))
            linked.add(document)
    if with_labels:
        label_p = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
        name_p = URIRef("https://schema.org/name")
        for other in linked:
            text = model.text(other, "skos:prefLabel")
            if text:
                graph.add((URIRef(other), label_p, Literal(text, lang="nl")))
            name = model.text(other, "schema:name")  # the label a source gives an outside link
            if name:
                graph.add((URIRef(other), name_p, Literal(name, lang="nl")))
    return graph


def describe(model: GraphModel, uri: str, fmt: str, settings: Settings) -> bytes:
    return serialise(bind_prefixes(describe_graph(model, uri), settings), fmt, settings)
