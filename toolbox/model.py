"""An in-memory view of the whole graph, built once per content version.

Pages read from this model instead of querying per request: lookups by subject and
by object are dictionary hits, so page time does not grow with the content.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .namespaces import TOR, TYPE_SEGMENTS, split_id
from .store import load_query

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
T = str(TOR)


@dataclass(frozen=True)
class Value:
    """One object value: an IRI, a blank node or a literal (with language or datatype)."""

    value: str
    kind: str  # "iri", "bnode" or "literal"
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    def __str__(self) -> str:
        return self.value


class GraphModel:
    def __init__(self, base_uri: str):
        self.base = base_uri
        self.out: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    @classmethod
    def from_store(cls, store, base_uri: str) -> GraphModel:
        model = cls(base_uri)
        for row in store.select_terms(load_query("all-statements")):
            model._add_term_row(row)
        model._finish()
        return model

    def _add_term_row(self, row) -> None:
        s, p, o = row["s"], row["p"], row["o"]
        subject = ("_:" + s.value) if type(s).__name__ == "BlankNode" else s.value
        kind = type(o).__name__
        if kind == "NamedNode":
            value = Value(o.value, "iri")
        elif kind == "BlankNode":
            value = Value("_:" + o.value, "bnode")
        else:
            value = Value(o.value, "literal", o.language, o.datatype.value if o.datatype else None)
        self._add(subject, p.value, value)

    def _add(self, subject: str, predicate: str, value: Value) -> None:
        values = self.out[subject][predicate]
        if value not in values:
            values.append(value)
            if value.kind != "literal":
                self.inc[value.value][predicate].append(subject)

    def _finish(self) -> None:
        self.types: dict[str, set[str]] = {
            s: {v.value for v in props.get(RDF_TYPE, [])} for s, props in self.out.items()
        }
        self.by_class: dict[str, list[str]] = defaultdict(list)
        for s, classes in self.types.items():
            for c in classes:
                self.by_class[c].append(s)
        for c in self.by_class:
            self.by_class[c].sort(key=self.sort_key)

    # -- lookups --------------------------------------------------------------
    def exists(self, uri: str) -> bool:
        return uri in self.out and bool(self.types.get(uri))

    def is_a(self, uri: str, local_class: str) -> bool:
        return T + local_class in self.types.get(uri, ())

    def instances(self, local_class: str, include_archived: bool = False) -> list[str]:
        items = self.by_class.get(T + local_class, [])
        if include_archived:
            return list(items)
        return [s for s in items if self.text(s, "status") != "gearchiveerd"]

    def values(self, uri: str, prop: str) -> list[Value]:
        return self.out.get(uri, {}).get(_expand(prop), [])

    def objects(self, uri: str, prop: str) -> list[str]:
        """Linked things (IRIs and blank nodes) in display order."""
        items = [v.value for v in self.values(uri, prop) if v.kind != "literal"]
        return sorted(items, key=self.sort_key)

    def subjects(self, prop: str, uri: str) -> list[str]:
        return sorted(set(self.inc.get(uri, {}).get(_expand(prop), [])), key=self.sort_key)

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
        return self.text(uri, PREF_LABEL) or self.text(uri, "http://www.w3.org/2000/01/rdf-schema#label") or _tail(uri)

    def order(self, uri: str) -> int:
        value = self.text(uri, "order")
        try:
            return int(value) if value is not None else 10_000
        except ValueError:
            return 10_000

    def sort_key(self, uri: str):
        notation = self.text(uri, NOTATION) or ""
        return (self.order(uri), notation, self.label(uri).lower(), uri)

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
        """The thing's own statements plus those of its blank nodes (concise bounded description)."""
        out, todo, seen = [], [uri], set()
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            for p, values in self.out.get(s, {}).items():
                for v in values:
                    out.append((s, p, v))
                    if v.kind == "bnode":
                        todo.append(v.value)
        return out


def _expand(prop: str) -> str:
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


def _tail(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
