"""What changed between two versions of a case, field by field and in words, for people.

`field_changes(old_graph, new_graph)` compares the form values of both versions (the same reading
the edit form uses) and says per field what happened, with the labels of the form: "Samenvatting
gewijzigd", "Knelpunt toegevoegd", "Top-3-volgorde gewijzigd". The save's own provenance
(`dcterms:modified`, `prov:wasAttributedTo`) is never a change. The history screens and the
conflict screen use it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from toolbox.editing.form import FIELDS, _id, graph_to_values
from toolbox.namespaces import TOR

# One value of a multi-valued field, in words ("Knelpunt toegevoegd: ...").
ITEM_NOUN = {
    "alt_labels": "Andere naam", "municipality": "Gemeente", "project_type": "Projecttype", "theme": "Thema",
    "knelpunt": "Knelpunt", "top_knelpunt": "Top-3-knelpunt", "used_tool": "Tool of hulpmiddel",
    "used_step": "Stap", "development_team": "Ontwikkelteam", "stakeholder_type": "Betrokken partij",
    "source": "Bron", "source_urls": "Bron op internet", "url": "Link",
}


@dataclass(frozen=True)
class Change:
    """One change of one field. kind: changed, added, removed (a value of a list) or order (the top-3)."""

    field: str    # the form field's name ('abstract'), or 'status' / 'other'
    label: str    # the form field's label ('Samenvatting')
    kind: str
    summary: str  # in words: 'Samenvatting gewijzigd', 'Knelpunt toegevoegd'
    old: str = ""
    new: str = ""


def _case(graph: Graph) -> URIRef | None:
    return next((s for s in graph.subjects(RDF.type, TOR.Case) if isinstance(s, URIRef)), None)


def _items(value) -> list[str]:
    if isinstance(value, list):
        return value
    return [line for line in (value or "").split("\n") if line.strip()]


def field_changes(old_graph: Graph | None, new_graph: Graph | None, uri: URIRef | None = None,
                  label: Callable[[str], str] | None = None) -> list[Change]:
    """The changes from old to new in words, in the order of the form. `label` names a linked thing
    by its IRI (the site passes its graph model's labels; without it: the last part of the IRI)."""
    uri = uri or (new_graph is not None and _case(new_graph)) or (old_graph is not None and _case(old_graph))
    if old_graph is None or new_graph is None or not uri:
        return []
    old, old_status, old_extras = graph_to_values(old_graph, uri)
    new, new_status, new_extras = graph_to_values(new_graph, uri)

    def name(f, value: str) -> str:
        if f.kind in ("many", "one") and value:
            segment, _, slug = value.partition("/")
            iri = _id(segment) + slug
            return (label(iri) if label else "") or slug
        return value

    changes: list[Change] = []
    top_added = set(new["top_knelpunt"]) - set(old["top_knelpunt"])
    top_removed = set(old["top_knelpunt"]) - set(new["top_knelpunt"])
    for f in FIELDS:
        if f.name == "slug" or old[f.name] == new[f.name]:
            continue
        if f.kind in ("many", "lines", "urls"):
            before, after = _items(old[f.name]), _items(new[f.name])
            noun = ITEM_NOUN.get(f.name, f.label)
            skip = top_added | top_removed if f.name == "knelpunt" else set()
            changes += [Change(f.name, f.label, "removed", f"{noun} verwijderd", old=name(f, v))
                        for v in before if v not in after and v not in skip]
            changes += [Change(f.name, f.label, "added", f"{noun} toegevoegd", new=name(f, v))
                        for v in after if v not in before and v not in skip]
            kept_old, kept_new = [v for v in before if v in after], [v for v in after if v in before]
            if f.name == "top_knelpunt" and kept_old != kept_new:
                changes.append(Change(f.name, f.label, "order", "Top-3-volgorde gewijzigd",
                                      old=_numbered(name(f, v) for v in before),
                                      new=_numbered(name(f, v) for v in after)))
            continue
        before, after = name(f, old[f.name]), name(f, new[f.name])
        if not before:
            changes.append(Change(f.name, f.label, "added", f"{f.label} ingevuld", new=after))
        elif not after:
            changes.append(Change(f.name, f.label, "removed", f"{f.label} leeggemaakt", old=before))
        else:
            changes.append(Change(f.name, f.label, "changed", f"{f.label} gewijzigd", old=before, new=after))
    if old_status != new_status:
        changes.append(Change("status", "Status", "changed", "Status gewijzigd", old=old_status, new=new_status))
    if old_extras != new_extras:
        changes.append(Change("other", "Overige gegevens", "changed",
                              "Overige gegevens gewijzigd (buiten het formulier, zoals de herkomst)"))
    return changes


def _numbered(values) -> str:
    return ", ".join(f"{i}. {v}" for i, v in enumerate(values, start=1))


def word_diff(old: str, new: str, context: int | None = None) -> list[tuple[str, str]]:
    """Old and new text as runs of (same|removed|added, text), word by word, to show inside a sentence.
    With `context`, unchanged stretches keep that many words next to a change and become '…' between."""
    a, b = re.findall(r"\s+|[^\s]+", old or ""), re.findall(r"\s+|[^\s]+", new or "")
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", "".join(b[j1:j2])))
    if context is None:
        return out
    return [(kind, _shortened(text, context, i == 0, i == len(out) - 1) if kind == "same" else text)
            for i, (kind, text) in enumerate(out)]


def _shortened(text: str, context: int, first: bool, last: bool) -> str:
    """An unchanged stretch with only `context` words kept next to the changes around it."""
    tokens = re.findall(r"\s+|[^\s]+", text)
    words = [i for i, t in enumerate(tokens) if not t.isspace()]
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if len(words) <= keep_head + keep_tail + 3:
        return text
    head = "".join(tokens[:words[keep_head - 1] + 1]) if keep_head else ""
    tail = "".join(tokens[words[-keep_tail]:]) if keep_tail else ""
    return (head + " … " if head else "… ") + tail if tail else head + " …"
