"""One content file's change applied to a live store: its triples and the inferences that involve them.

A full build materialises every rule over all content (seconds at 100x). After a save only one file
changed, so only the inferred triples whose derivation used one of its old or new triples can
change. That set is bounded when the change stays within the one-premise rules (subclass types,
superproperties, inverses, symmetry, top concepts): each of them keeps the things of its premise,
so everything that can change names only things the changed triples name, and whether such a
triple still follows can be decided from the statements of those things alone. The rules that join
two things (relevant tool, addressed by, suitable level) or follow chains (broader transitive), and
schema statements in content, are not bounded that way: such a change raises `Unbounded`, and the
caller recomputes all inferences (the full build's `materialise`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from toolbox.build.pipeline import materialise
from toolbox.graph.reasoning import inference_rules
from toolbox.namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY, TOR

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode(_RDF + "type")

LOCAL_RULES = frozenset({"01-subclass-types", "02-subproperties", "05-inverses", "06-symmetric",
                         "09-in-scheme-from-top"})
JOIN_RULES = frozenset({"03-relevant-tool", "04-addressed-by", "07-suitable-level-from-steps",
                        "08-broader-transitive"})
# What the joining rules read and write (toolbox/queries/inference/03, 04, 07, 08).
JOIN_PREDICATES = frozenset(ox.NamedNode(str(TOR) + p) for p in (
    "toolRecommendation", "recommendedTool", "remedy", "remedyBy", "relevantTool", "level", "suitableLevel",
    "addressedBy")) | frozenset(ox.NamedNode(_SKOS + p) for p in (
    "broader", "narrower", "broaderTransitive", "narrowerTransitive"))
JOIN_CLASSES = frozenset({ox.NamedNode(str(TOR) + "Tool")})  # rule 07: `?tool a tor:Tool`
# Schema in content would change what the one-premise rules do to everything.
SCHEMA_PREDICATES = frozenset(ox.NamedNode(x) for x in (
    _RDFS + "subClassOf", _RDFS + "subPropertyOf", _OWL + "inverseOf", _OWL + "equivalentProperty",
    _OWL + "equivalentClass"))
SCHEMA_CLASSES = frozenset(ox.NamedNode(_OWL + x) for x in ("SymmetricProperty", "TransitiveProperty"))


class Unbounded(Exception):
    """The change reaches inferences outside the things it names: recompute all of them."""


@dataclass
class Applied:
    """What one change did to the store, quad by quad (content and inferred graphs)."""

    removed: list[ox.Quad] = field(default_factory=list)
    added: list[ox.Quad] = field(default_factory=list)
    full_inference: bool = False  # the inferences were recomputed over all content

    def nodes(self) -> tuple[set, set]:
        """(subjects, non-literal objects) of every quad that changed."""
        subjects, objects = set(), set()
        for quad in (*self.removed, *self.added):
            subjects.add(quad.subject)
            if not isinstance(quad.object, ox.Literal):
                objects.add(quad.object)
        return subjects, objects


class LiveGraph:
    """The built dataset in memory, changed in place one content file at a time."""

    def __init__(self, store: ox.Store, base_uri: str):
        self.store = store
        self.content = ox.NamedNode(base_uri + GRAPH_CONTENT)
        self.inferred = ox.NamedNode(base_uri + GRAPH_INFERRED)
        self.ontology = ox.NamedNode(base_uri + GRAPH_ONTOLOGY)
        self._ontology = [q.triple for q in store.quads_for_pattern(None, None, None, self.ontology)]
        self._rules = {name for name, _ in inference_rules()}
        self._by_itself = self._closure([])  # what the ontology alone implies: no change touches it
        self._join_reach = self._reach()

    # -- the one-premise closure of a few triples ---------------------------------
    def _closure(self, triples) -> set:
        """Everything the rules derive from the ontology plus these triples (the triples included)."""
        sub = ox.Store()
        sub.extend(ox.Quad(t.subject, t.predicate, t.object, self.ontology) for t in self._ontology)
        sub.extend(ox.Quad(t.subject, t.predicate, t.object, self.content) for t in triples)
        materialise(sub, self.inferred.value)
        return {q.triple for q in sub.quads_for_pattern(None, None, None, None)}

    def _reach(self) -> frozenset:
        """The joining rules' predicates and what the one-premise rules derive from them."""
        a, b = ox.NamedNode("urn:toolbox:a"), ox.NamedNode("urn:toolbox:b")
        derived = self._closure([ox.Triple(a, p, b) for p in JOIN_PREDICATES]) - self._by_itself
        return frozenset({t.predicate for t in derived} | JOIN_PREDICATES)

    def _check_bounded(self, triples, consequences) -> None:
        if self._rules - LOCAL_RULES - JOIN_RULES:
            raise Unbounded("onbekende afleidingsregels: " + ", ".join(sorted(self._rules - LOCAL_RULES - JOIN_RULES)))
        for t in triples:
            if any(isinstance(x, ox.BlankNode) for x in (t.subject, t.object)):
                raise Unbounded("lege knopen")
            if t.predicate in SCHEMA_PREDICATES or (t.predicate == RDF_TYPE and t.object in SCHEMA_CLASSES):
                raise Unbounded(f"schema in de inhoud: {t}")
        for t in (*triples, *consequences):
            if t.predicate in self._join_reach or (t.predicate == RDF_TYPE and t.object in JOIN_CLASSES):
                raise Unbounded(f"raakt een regel die dingen verbindt: {t}")

    # -- one change -----------------------------------------------------------------
    def apply(self, removed: set, added: set) -> Applied:
        """Content triples out and in (each set as it should go: the caller kept triples that other
        files still state), the inferences that follow, in one transaction."""
        removed = {t for t in removed if t not in added}
        added = {t for t in added if t not in removed and not self._has(t, self.content)}
        before = self._closure(removed) - self._by_itself
        after = self._closure(added) - self._by_itself
        candidates = (before | after) - self._by_itself | removed | added
        self._check_bounded(removed | added, candidates)
        nodes = {t.subject for t in candidates} | {t.object for t in candidates
                                                   if t.predicate != RDF_TYPE and not isinstance(t.object, ox.Literal)}
        new_content = set()
        for node in nodes:
            new_content.update(q.triple for q in self.store.quads_for_pattern(node, None, None, self.content))
        new_content = (new_content - removed) | {t for t in added if t.subject in nodes}
        follows = self._closure(new_content)
        out_inferred, in_inferred = [], []
        for t in candidates:
            asserted = t in new_content or self._has(t, self.ontology) or (
                t.subject not in nodes and self._has(t, self.content) and t not in removed)
            want = t in follows and not asserted
            have = self._has(t, self.inferred)
            if have and not want:
                out_inferred.append(t)
            elif want and not have:
                in_inferred.append(t)
        applied = Applied(
            removed=[ox.Quad(t.subject, t.predicate, t.object, self.content) for t in removed] +
                    [ox.Quad(t.subject, t.predicate, t.object, self.inferred) for t in out_inferred],
            added=[ox.Quad(t.subject, t.predicate, t.object, self.content) for t in added] +
                  [ox.Quad(t.subject, t.predicate, t.object, self.inferred) for t in in_inferred])
        self._write(applied.removed, applied.added)
        return applied

    def recompute(self, removed: set, added: set) -> Applied:
        """The fallback: the content change, then every inference anew (as `toolbox build` does)."""
        old_inferred = {q.triple for q in self.store.quads_for_pattern(None, None, None, self.inferred)}
        content_out = [ox.Quad(t.subject, t.predicate, t.object, self.content) for t in removed - added]
        content_in = [ox.Quad(t.subject, t.predicate, t.object, self.content) for t in added - removed]
        work = ox.Store()
        work.extend(q for q in self.store.quads_for_pattern(None, None, None, None) if q.graph_name != self.inferred)
        for quad in content_out:
            work.remove(quad)
        work.extend(content_in)
        materialise(work, self.inferred.value)
        new_inferred = {q.triple for q in work.quads_for_pattern(None, None, None, self.inferred)}
        applied = Applied(
            removed=content_out + [ox.Quad(t.subject, t.predicate, t.object, self.inferred)
                                   for t in old_inferred - new_inferred],
            added=content_in + [ox.Quad(t.subject, t.predicate, t.object, self.inferred)
                                for t in new_inferred - old_inferred],
            full_inference=True)
        self._write(applied.removed, applied.added)
        return applied

    def _has(self, triple, graph) -> bool:
        return next(iter(self.store.quads_for_pattern(triple.subject, triple.predicate, triple.object, graph)),
                    None) is not None

    def _write(self, removed: list, added: list) -> None:
        """Both lists in one SPARQL update: one transaction, readers see the dataset before or after."""
        def data(quads):
            return " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)

        parts = []
        if removed:
            parts.append("DELETE DATA { " + data(removed) + " }")
        if added:
            parts.append("INSERT DATA { " + data(added) + " }")
        if parts:
            self.store.update(" ;\n".join(parts))
