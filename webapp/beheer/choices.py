"""What the case form's picker shows and searches per option: alternative names and a short description.

The picker (webapp/static/js/picker.js) searches the label, the alternative names (`skos:altLabel`,
shown when they matched) and the search words (`skos:hiddenLabel`, never shown, as SKOS intends),
and shows one short line per option, so that an editor can
tell 140 knelpunten apart without opening them: a tool's `tor:blurb`, otherwise the first sentence of
`skos:definition` or `dcterms:description`.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from toolbox.graph.model import PREF_LABEL, T
from toolbox.graph.text_links import plain_text

SHORT = 160
SENTENCE_END = re.compile(r"(?<=[a-z0-9)’'\"])[.!?](?=\s+[A-Z0-9‘'\"(])")


def first_sentence(text: str | None, limit: int = SHORT) -> str:
    """The first sentence of a description on one line, cut at a word if it is still too long."""
    flat = " ".join(plain_text(text or "").split())
    match = SENTENCE_END.search(flat)
    sentence = flat[:match.end()] if match else flat
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def details(model, uri: str) -> dict[str, str]:
    """`alt` (alternative names, separated by ' · '), `hidden` (search words) and `description` of an option."""
    names = {"alt": " · ".join(model.texts(uri, "skos:altLabel")),
             "hidden": " · ".join(model.texts(uri, "skos:hiddenLabel"))}
    for prop in ("tor:blurb", "skos:definition", "dcterms:description", "tor:goal"):
        found = model.text(uri, prop)
        if found:
            return {**names, "description": first_sentence(found)}
    return {**names, "description": ""}


GROUPS = {"tool": "Tools", "hulpmiddel": "Andere hulpmiddelen"}
# Where GraphModel.label finds a thing's own name; without one its label may come from other things.
LABEL_PROPS = (PREF_LABEL, "http://www.w3.org/2000/01/rdf-schema#label", T + "nameInSource")


def make_option(model, segment: str, uri: str) -> dict:
    """One entry of a picker: value, label (a step grouped by its level, a cluster with its number), details."""
    label = model.label(uri)
    group = GROUPS.get(segment, "")
    if segment == "stap":
        level = model.one(uri, "tor:level")
        group = model.label(level) if level else ""
    notation = model.text(uri, "skos:notation")
    if segment in ("cluster", "ontwikkelteam") and notation and notation not in label:
        label = f"{notation}: {label}"
    option = {"value": f"{segment}/{model.slug(uri)}", "label": label, "group": group, **details(model, uri)}
    return {**option, **_tag_parts(option["value"], label, data_attributes(option))}


def _tag_parts(value: str, label: str, attrs: str = "") -> dict[str, str]:
    """An option's tag before and after where `selected` goes, escaped (plain strings: joining
    thousands of Markup objects escapes each part again)."""
    return {"start": f'<option value="{escape(value)}"{attrs}', "end": f">{escape(label)}</option>\n"}


def option_tags(options: list[dict], chosen: set[str], group: str | None = None) -> Markup:
    """The <option> lines of a picker (only those of `group` when given), `selected` where chosen. The
    template's loop over some 18,000 options at 100x content took a third of a second per form;
    each option's tag is now written once, when its entry is made."""
    lines = []
    for o in options:
        if group is not None and o["group"] != group:
            continue
        parts = o if "start" in o else _tag_parts(o["value"], o["label"])  # a value the graph does not know
        lines.append(parts["start"] + " selected" + parts["end"] if o["value"] in chosen else
                     parts["start"] + parts["end"])
    return Markup("".join(lines))


def data_attributes(option: dict) -> Markup:
    """The picker's data-alt, data-zoek and data-desc of an option, written once per option (a macro call
    per option made rendering the form at 100x content, some 18,000 options, take half a second)."""
    return Markup("".join(f' {name}="{escape(option[key])}"' for key, name in
                          (("alt", "data-alt"), ("hidden", "data-zoek"), ("description", "data-desc"))
                          if option.get(key)))


class OptionMemo:
    """Picker entries kept across content versions. The case form lists every tool, knelpunt, theme,
    ... with its details (0.6 s at 100x content), and the editor opens it after every save, each time
    on a new version. A patched graph model (GraphModel.patched) shares the statement dict of each
    thing a save did not touch, so an entry is reused while its thing's dict (and, for a step, its
    level's) is the very same object; a label that is not the thing's own (a relation's ends) is not kept.
    Holds one dict per option, never a whole model."""

    def __init__(self):
        self._entries: dict[tuple[str, str], tuple[object, object, dict]] = {}

    def option(self, model, segment: str, uri: str) -> dict:
        own = model.out.get(uri)
        level = model.one(uri, "tor:level") if segment == "stap" else None
        level_own = model.out.get(level) if level else None
        hit = self._entries.get((segment, uri))
        if hit is not None and hit[0] is own and hit[1] is level_own:
            return hit[2]
        option = make_option(model, segment, uri)
        if own is not None and any(p in own for p in LABEL_PROPS) and (level is None or level_own is not None):
            self._entries[(segment, uri)] = (own, level_own, option)
        return option


OPTIONS = OptionMemo()
