"""The in-memory graph model: the fast read of the embedded store gives the same model as SPARQL."""

from __future__ import annotations

from toolbox.graph.model import GraphModel


class SparqlOnly:
    """The store as a remote endpoint sees it: SELECT only, no direct access to the triples."""

    def __init__(self, store):
        self.store = store

    def select_terms(self, query: str):
        return self.store.select_terms(query)


def _normal(model: GraphModel):
    out = {s: {p: sorted(map(repr, v)) for p, v in props.items()} for s, props in model.out.items()}
    inc = {o: {p: sorted(v) for p, v in props.items()} for o, props in model.inc.items()}
    return out, inc, model.by_class


def test_reading_the_triples_directly_gives_the_same_model_as_sparql(real_store, real_settings):
    assert hasattr(real_store, "distinct_triples")
    direct = GraphModel.from_store(real_store, real_settings.base_uri)
    via_sparql = GraphModel.from_store(SparqlOnly(real_store), real_settings.base_uri)
    assert _normal(direct) == _normal(via_sparql)
    assert len(direct.out) > 500


def test_a_triple_in_two_graphs_is_one_value(real_settings):
    """The same statement in the content and the ontology graph (or stated and inferred) is listed once."""
    import pyoxigraph as ox

    from toolbox.graph.store import EmbeddedStore

    raw = ox.Store()
    thing, label = ox.NamedNode("https://example.org/id/x"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    for graph in ("https://example.org/g1", "https://example.org/g2"):
        raw.add(ox.Quad(thing, label, ox.Literal("X", language="nl"), ox.NamedNode(graph)))
    model = GraphModel.from_store(EmbeddedStore(real_settings, raw), "https://example.org")
    assert [v.value for v in model.values("https://example.org/id/x", "skos:prefLabel")] == ["X"]
