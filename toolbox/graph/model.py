"""An in-memory view of the whole graph, built once per content version.

Pages read from this model instead of querying per request: lookups by subject and
by object are dictionary hits, so page time does not grow with the content.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import sys
from collections import defaultdict

from toolbox.graph.store import load_query
from toolbox.namespaces import TOR, TYPE_SEGMENTS, split_id

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
T = str(TOR)
# Qualified relations a thing holds: their statements belong to its description (and JSON-LD twin).
QUALIFIED = frozenset({T + "toolRecommendation", T + "remedy", T + "knelpuntReport"})
# ... and those that point at it (a role's qualified competencies and challenges, a case's reports).
QUALIFIED_IN = (T + "qualifiedRole", T + "reportingCase", T + "namedCase")
# Per kind of qualified relation: how to find its two ends ("<p": things that link to it with p).
RELATION_ENDS = [
    ("<" + T + "toolRecommendation", T + "recommendedTool", "Stap", "Aanbevolen tool"),
    ("<" + T + "remedy", T + "remedyBy", "Knelpunt", "Aangepakt met"),
    (T + "reportingCase", T + "reportedKnelpunt", "Casus", "Gemeld knelpunt"),
    (T + "qualifiedRole", T + "qualifiedCompetency", "Rol", "Competentie"),
    (T + "qualifiedRole", T + "qualifiedChallenge", "Rol", "Uitdaging"),
]


class Value(tuple):
    """One object value: an IRI, a blank node or a literal (with language or datatype).

    A plain tuple underneath, so a pickled model (written by the refresh process after a save)
    loads in C without running Python per value."""

    __slots__ = ()

    def __new__(cls, value: str, kind: str, lang: str | None = None, datatype: str | None = None):
        return tuple.__new__(cls, (value, kind, lang, datatype))

    def __reduce__(self):
        return tuple.__new__, (Value, tuple(self))

    value = property(operator.itemgetter(0))
    kind = property(operator.itemgetter(1))  # "iri", "bnode" or "literal"
    lang = property(operator.itemgetter(2))
    datatype = property(operator.itemgetter(3))

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Value({self.value!r}, {self.kind!r}, {self.lang!r}, {self.datatype!r})"


class GraphModel:
    def __init__(self, base_uri: str):
        self.base = base_uri
        self.out: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        # Memoised per model (one model per content version): sort keys and sorted link lists,
        # so a page that lists hundreds of linked things does not sort them again per request.
        self._sort_keys: dict[str, tuple] = {}
        self._objects: dict[tuple[str, str], tuple[str, ...]] = {}
        self._subjects: dict[tuple[str, str], tuple[str, ...]] = {}
        self._live: dict[str, tuple[str, ...]] = {}
        self._said: dict[str, str] = {}  # blank node -> what it says, for an order that survives a reload

    @classmethod
    def from_store(cls, store, base_uri: str) -> GraphModel:
        model = cls(base_uri)
        if hasattr(store, "distinct_triples"):  # the embedded store: no duplicates to look for
            for t in store.distinct_triples():
                model._add_terms(t.subject, t.predicate, t.object, distinct=True)
        else:
            for row in store.select_terms(load_query("all-statements")):
                model._add_terms(row["s"], row["p"], row["o"])
        model._finish()
        return model

    def _add_terms(self, s, p, o, distinct: bool = False) -> None:
        intern = sys.intern  # IRIs repeat thousands of times: one string object each
        subject = intern(("_:" + s.value) if type(s).__name__ == "BlankNode" else s.value)
        kind = type(o).__name__
        if kind == "NamedNode":
            value = Value(intern(o.value), "iri")
        elif kind == "BlankNode":
            value = Value(intern("_:" + o.value), "bnode")
        else:
            datatype = intern(o.datatype.value) if o.datatype else None
            value = Value(o.value, "literal", o.language and intern(o.language), datatype)
        self._add(subject, intern(p.value), value, distinct)

    def _add(self, subject: str, predicate: str, value: Value, distinct: bool = False) -> None:
        values = self.out[subject][predicate]
        if distinct or value not in values:  # (a list can hold thousands: an inverse of every case)
            values.append(value)
            if value.kind != "literal":
                self.inc[value.value][predicate].append(subject)

    def _canonical_order(self) -> None:
        """Every list in one order that depends on the data alone, not on how a store happened to hand the
        triples over (stores and loads differ; blank nodes get new labels each time). Blank nodes sort by
        what they say, so equal sort keys on a page still come out the same on every engine."""
        def fingerprint(props: dict[str, list[Value]]) -> str:
            said = sorted(f"{p}\x1e{v.kind}\x1e{v.value}\x1e{v.lang or ''}\x1e{v.datatype or ''}"
                          for p, values in props.items() for v in values if v.kind != "bnode")
            return hashlib.blake2b("\x1f".join(said).encode(), digest_size=8).hexdigest()

        said = self._said = {s: fingerprint(props) for s, props in self.out.items() if s.startswith("_:")}

        def value_key(v: Value) -> tuple:
            return v.kind, said.get(v.value, v.value), v.lang or "", v.datatype or ""

        for props in self.out.values():
            for values in props.values():
                values.sort(key=value_key)
        for props in self.inc.values():
            for subjects in props.values():
                subjects.sort(key=lambda s: said.get(s, s))

    def _finish(self) -> None:
        self._canonical_order()
        self.types: dict[str, set[str]] = {
            s: {v.value for v in props.get(RDF_TYPE, [])} for s, props in self.out.items()
        }
        self.by_class: dict[str, list[str]] = defaultdict(list)
        for s, classes in self.types.items():
            for c in classes:
                self.by_class[c].append(s)
        for c in self.by_class:
            self.by_class[c].sort(key=self.sort_key)
        # Plain dicts from here on: a lookup of a missing key must not add an empty entry.
        self.out = {s: dict(props) for s, props in self.out.items()}
        self.inc = {o: {p: list(dict.fromkeys(subjects)) for p, subjects in props.items()}
                    for o, props in self.inc.items()}

    def patched(self, store, subjects: set, objects: set) -> GraphModel:
        """A new model: this one with the statements of `subjects` and the links to `objects` read again
        from the store (Oxigraph terms of what a save changed), for a save without a full reload.

        Lists come out in the order `_finish` gives a full load; the class lists of everything one link
        away (whose label may follow from a changed one) are sorted again, and the memoised views
        start empty. Blank nodes keep their fingerprints: a change to one needs a full load."""
        new = GraphModel(self.base)
        new.out, new.inc, new.types, new._said = dict(self.out), dict(self.inc), dict(self.types), self._said
        new.by_class = dict(self.by_class)
        said = self._said
        incoming = {term_key(o) for o in objects}
        touched_classes: set[str] = set()
        for term in subjects:
            s = term_key(term)
            fresh = GraphModel(self.base)
            for quad in store.quads_for_pattern(term, None, None, None):
                fresh._add_terms(quad.subject, quad.predicate, quad.object)
            props = {p: sorted(values, key=lambda v: (v.kind, said.get(v.value, v.value), v.lang or "",
                                                     v.datatype or ""))
                     for p, values in fresh.out.get(s, {}).items()}
            for values in (*self.out.get(s, {}).values(), *props.values()):
                incoming.update(v.value for v in values if v.kind != "literal")
            old_types = self.types.get(s, set())
            types = {v.value for v in props.get(RDF_TYPE, [])}
            if props:
                new.out[s], new.types[s] = props, types
            else:
                new.out.pop(s, None), new.types.pop(s, None)
            for c in old_types - types:
                new.by_class[c] = [x for x in new.by_class.get(c, []) if x != s]
            for c in types - old_types:
                new.by_class[c] = [*new.by_class.get(c, []), s]
            touched_classes |= old_types | types
        for o in incoming:
            term = ox_term(o)
            links: dict[str, list[str]] = defaultdict(list)
            for quad in store.quads_for_pattern(None, None, term, None):
                links[quad.predicate.value].append(term_key(quad.subject))
            if links:
                new.inc[o] = {p: list(dict.fromkeys(sorted(subs, key=lambda x: said.get(x, x))))
                              for p, subs in links.items()}
            else:
                new.inc.pop(o, None)
        relabelled = set(incoming)  # a qualified relation is named after its ends: one link away
        for term in subjects:
            s = term_key(term)
            for links in (*self.inc.get(s, {}).values(), *new.inc.get(s, {}).values()):
                relabelled.update(links)
        relabelled |= {term_key(t) for t in subjects}
        # sort keys of everything else stay (a key reads the thing and the ends of a qualified relation)
        new._sort_keys = {k: v for k, v in self._sort_keys.items() if k not in relabelled}
        for node in relabelled:
            touched_classes |= self.types.get(node, set()) | new.types.get(node, set())
        for c in touched_classes:
            if c in new.by_class:
                new.by_class[c] = sorted(new.by_class[c], key=new.sort_key)
                if not new.by_class[c]:
                    del new.by_class[c]
        return new

    # -- lookups --------------------------------------------------------------
    def exists(self, uri: str) -> bool:
        return uri in self.out and bool(self.types.get(uri))

    def is_a(self, uri: str, local_class: str) -> bool:
        return T + local_class in self.types.get(uri, ())

    def is_archived(self, uri: str) -> bool:
        return self.text(uri, "status") == "gearchiveerd"

    def instances(self, local_class: str, include_archived: bool = False) -> list[str]:
        items = self.by_class.get(T + local_class, [])
        if include_archived:
            return list(items)
        live = self._live.get(local_class)
        if live is None:
            live = self._live[local_class] = tuple(s for s in items if not self.is_archived(s))
        return list(live)

    def values(self, uri: str, prop: str) -> list[Value]:
        return self.out.get(uri, {}).get(expand(prop), [])

    def objects(self, uri: str, prop: str) -> list[str]:
        """Linked things (IRIs and blank nodes) in display order."""
        key = (uri, expand(prop))
        items = self._objects.get(key)
        if items is None:
            items = tuple(sorted((v.value for v in self.values(uri, prop) if v.kind != "literal"), key=self.sort_key))
            self._objects[key] = items
        return list(items)

    def subjects(self, prop: str, uri: str) -> list[str]:
        """Things that link to uri with prop, in display order."""
        key = (uri, expand(prop))
        items = self._subjects.get(key)
        if items is None:
            items = tuple(sorted(self.inc.get(uri, {}).get(key[1], []), key=self.sort_key))
            self._subjects[key] = items
        return list(items)

    def one(self, uri: str, prop: str) -> str | None:
        items = self.objects(uri, prop)
        return items[0] if items else None

    def text(self, uri: str, prop: str, lang: str = "nl") -> str | None:
        """One literal, preferring the given language."""
        best = None
        for v in self.values(uri, prop):
            if v.kind != "literal":
                continue
            if v.lang == lang:
                return v.value
            if best is None or (v.lang is None and best.lang not in (None, lang)):
                best = v
        return best.value if best else None

    def texts(self, uri: str, prop: str) -> list[str]:
        return [v.value for v in self.values(uri, prop) if v.kind == "literal" and v.lang in (None, "nl")]

    def label(self, uri: str) -> str:
        found = (self.text(uri, PREF_LABEL) or self.text(uri, "http://www.w3.org/2000/01/rdf-schema#label")
                 or self.text(uri, T + "nameInSource"))
        if found:
            return found
        ends = self.relation_ends(uri)
        if len(ends) == 2:  # a qualified relation: "from → to"
            return f"{self.label(ends[0][1])} → {self.label(ends[1][1])}"
        return _tail(uri)

    def relation_ends(self, uri: str) -> list[tuple[str, str]]:
        """The two ends of a qualified relation, as (role, thing) in reading order; [] for other things."""
        for holder, target, first, second in RELATION_ENDS:
            goal = self.one(uri, target)
            if goal is None:
                continue
            if holder.startswith("<"):
                start = self.subjects(holder[1:], uri)
            else:
                start = self.objects(uri, holder)
            if start:
                return [(first, start[0]), (second, goal)]
        return []

    def order(self, uri: str) -> int:
        value = self.text(uri, "order")
        try:
            return int(value) if value is not None else 10_000
        except ValueError:
            return 10_000

    def sort_key(self, uri: str):
        key = self._sort_keys.get(uri)
        if key is None:
            notation = self.text(uri, NOTATION) or ""
            if uri.startswith("_:"):  # by what it says, not by its label (a new one on every load)
                key = (self.order(uri), notation, (self.text(uri, PREF_LABEL) or "").lower(), self._said.get(uri, uri))
            else:
                key = (self.order(uri), notation, self.label(uri).lower(), uri)
            self._sort_keys[uri] = key
        return key

    def stable_id(self, node: str) -> str:
        """A blank node's label from what it says: the same on every load and every engine."""
        return "b" + self._said.get(node, node[2:])

    def segment(self, uri: str) -> str | None:
        """The URI type segment ('stap', 'tool', ...) of a thing."""
        ident = split_id(uri, self.base)
        if ident:
            return ident[0]
        for c in self.types.get(uri, ()):
            if c.startswith(T) and c[len(T):] in TYPE_SEGMENTS:
                return TYPE_SEGMENTS[c[len(T):]]
        return None

    def slug(self, uri: str) -> str | None:
        ident = split_id(uri, self.base)
        return ident[1] if ident else None

    def statements(self, uri: str) -> list[tuple[str, str, Value]]:
        """The thing's own statements plus those of its blank nodes and of the qualified relations it holds
        (tool recommendations, remedies, knelpunt reports: each with its provenance), a concise bounded
        description that keeps a thing's "why" and "where from" with it."""
        out, todo, seen = [], [uri], set()
        todo += [q for p in QUALIFIED_IN for q in self.inc.get(uri, {}).get(p, [])]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            for p, values in self.out.get(s, {}).items():
                for v in values:
                    out.append((s, p, v))
                    if v.kind == "bnode" or (s == uri and p in QUALIFIED):
                        todo.append(v.value)
        return out

    def provenance(self, uri: str) -> dict:
        """Where a thing or qualified relation comes from: source places (each with its document), or the
        editorial marks (who, when, why). Empty lists/None when it says nothing."""
        places = [{"place": p, "document": self.one(p, "dcterms:isPartOf")}
                  for p in self.objects(uri, "prov:wasDerivedFrom")]
        who = self.one(uri, "prov:wasAttributedTo")
        why = self.text(uri, "skos:editorialNote")
        editorial = None
        if who and why and not places:
            editorial = {"who": who, "when": self.text(uri, "prov:generatedAtTime"), "why": why}
        return {"places": places, "editorial": editorial}

    def qualified(self, role: str, prop: str) -> dict[str, str]:
        """Competency or challenge -> its qualified relation for one role (prop: qualifiedCompetency/Challenge)."""
        return {self.one(q, prop): q for q in self.subjects("tor:qualifiedRole", role) if self.one(q, prop)}

    def reports(self, case: str) -> dict[str, str]:
        """Knelpunt -> its report (tor:KnelpuntReport) for one case."""
        return {self.one(r, "tor:reportedKnelpunt"): r for r in self.subjects("tor:reportingCase", case)}


@functools.cache
def expand(prop: str) -> str:
    if prop.startswith("http"):
        return prop
    if ":" in prop:
        prefix, local = prop.split(":", 1)
        return {
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "dcterms": "http://purl.org/dc/terms/",
            "schema": "https://schema.org/",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "prov": "http://www.w3.org/ns/prov#",
            "tor": T,
        }[prefix] + local
    return T + prop


def term_key(term) -> str:
    """An Oxigraph term as the model names it."""
    return ("_:" + term.value) if type(term).__name__ == "BlankNode" else term.value


def ox_term(key: str):
    """The Oxigraph term of a model key (an IRI, or a blank node as `_:label`)."""
    import pyoxigraph as ox

    return ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key)


def _tail(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
