"""Serialise the whole graph (ontology, content and inferences) as Turtle, N-Triples or JSON-LD."""

from __future__ import annotations

from rdflib import Graph

from toolbox.config import Settings
from toolbox.graph.canonical import ordered_jsonld
from toolbox.namespaces import PREFIXES, id_prefixes

ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}


def full_graph(store) -> Graph:
    graph = Graph()
    graph.parse(data=store.construct_ntriples(ALL_TRIPLES), format="nt")
    return graph


def bind_prefixes(graph: Graph, settings: Settings) -> Graph:
    for prefix, ns in {**PREFIXES, **id_prefixes(settings.base_uri)}.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def serialise(graph: Graph, fmt: str, settings: Settings) -> bytes:
    if fmt == "nt":
        return "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True))).encode("utf-8")
    if fmt == "jsonld-expanded":  # JSON-LD in expanded form: full IRIs, no context
        return graph.serialize(format="json-ld").encode("utf-8")
    bind_prefixes(graph, settings)
    if fmt == "jsonld":
        context = {**PREFIXES, **id_prefixes(settings.base_uri)}
        return ordered_jsonld(graph.serialize(format="json-ld", context=context, auto_compact=True))
    return graph.serialize(format=RDFLIB_FORMATS[fmt]).encode("utf-8")


def export_bytes(store, fmt: str, settings: Settings) -> bytes:
    return serialise(full_graph(store), fmt, settings)
