"""The same data, the same bytes: blank node labels by RDFC-1.0 and JSON-LD in a fixed order.

Blank node labels are made up anew by every parse and every store, and rdflib writes JSON-LD in the order
of its in-memory index. Two instances of the site (or two builds of the same content) then publish
downloads that differ byte for byte, and the checksums in one instance's DCAT description do not match
the other's files. Relabelling by the W3C RDF Dataset Canonicalization (RDFC-1.0) and sorting what
JSON-LD leaves unordered makes every download a function of the data alone.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef


def canonical_quads(quads) -> list[ox.Quad]:
    """The quads with canonical blank node labels (c14n0, c14n1, ...)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)  # keep the canonical label: rdflib's parsers would invent new ones
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _ordered(value, in_list: bool = False):
    """Sort what JSON-LD leaves unordered (the values of a property, the nodes of @graph), never a @list."""
    if isinstance(value, dict):
        return {key: _ordered(item, key == "@list") for key, item in value.items()}
    if isinstance(value, list):
        items = [_ordered(item) for item in value]
        return items if in_list else sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def ordered_jsonld(text: str) -> bytes:
    """A JSON-LD document rewritten in a fixed order (same meaning: only unordered parts move)."""
    return json.dumps(_ordered(json.loads(text)), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def jsonld(triples, prefixes: dict[str, str]) -> bytes:
    """The triples as compact JSON-LD with the given prefixes as context, in a fixed order."""
    graph = Graph()
    for triple in triples:
        graph.add((_rdflib(triple.subject), URIRef(triple.predicate.value), _rdflib(triple.object)))
    return ordered_jsonld(graph.serialize(format="json-ld", context=prefixes, auto_compact=True))
