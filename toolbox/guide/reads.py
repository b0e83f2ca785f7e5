"""A graph model read through a recorder: which statements a derived thing depends on.

The situation ranker keeps its step profiles and stem bags from one content version to the next
(toolbox.guide.ranker). A save says which statements changed (toolbox.publishing.publish,
Published.changed): pairs of a node and a property, "^" before the property for links into the
node. What was made without reading any of them is still right. Reads notes every pair a lookup
reads, also those that decide the order of what it hands back (a thing's order and name), so that
rule needs no list of what each profile happens to read.
"""

from __future__ import annotations

from toolbox.graph.model import NOTATION, PREF_LABEL, RELATION_ENDS, GraphModel, T, expand

# What a thing's name and place in a list are read from (GraphModel.label, GraphModel.sort_key).
NAMING = (PREF_LABEL, "http://www.w3.org/2000/01/rdf-schema#label", T + "nameInSource", T + "order", NOTATION)
_ENDS = tuple({p for holder, target, *_ in RELATION_ENDS for p in ("^" + holder[1:] if holder.startswith("<")
                                                                   else holder, target)})


def changed_keys(removed, added, key_of) -> set[tuple[str, str]]:
    """(node, property) and (node, "^" + property) of every quad that changed; key_of names a term."""
    keys: set[tuple[str, str]] = set()
    for quad in (*removed, *added):
        keys.add((key_of(quad.subject), quad.predicate.value))
        if type(quad.object).__name__ != "Literal":
            keys.add((key_of(quad.object), "^" + quad.predicate.value))
    return keys


class Reads:
    """The lookups of GraphModel the guide uses, each noting what it read in `keys`."""

    def __init__(self, model: GraphModel):
        self.m = model
        self.keys: set[tuple[str, str]] = set()

    def text(self, uri: str, prop: str) -> str | None:
        self.keys.add((uri, expand(prop)))
        return self.m.text(uri, prop)

    def texts(self, uri: str, prop: str) -> list[str]:
        self.keys.add((uri, expand(prop)))
        return self.m.texts(uri, prop)

    def label(self, uri: str) -> str:
        self._named(uri)
        return self.m.label(uri)

    def _named(self, uri: str) -> None:
        """What a thing's name and sort key read: its naming properties, and for a qualified relation
        (named "from → to") the links to its ends and their names."""
        self.keys.update((uri, p) for p in NAMING)
        if self.m.text(uri, PREF_LABEL) is None:
            self.keys.update((uri, p) for p in _ENDS)
            for _, end in self.m.relation_ends(uri):
                self._named(end)

    def objects(self, uri: str, prop: str) -> list[str]:
        self.keys.add((uri, expand(prop)))
        found = self.m.objects(uri, prop)
        for thing in found:  # their order follows their names
            self._named(thing)
        return found

    def subjects(self, prop: str, uri: str) -> list[str]:
        self.keys.add((uri, "^" + expand(prop)))
        found = self.m.subjects(prop, uri)
        for thing in found:
            self._named(thing)
        return found

    def one(self, uri: str, prop: str) -> str | None:
        found = self.objects(uri, prop)
        return found[0] if found else None

    def is_archived(self, uri: str) -> bool:
        self.keys.add((uri, expand("status")))
        return self.m.is_archived(uri)
