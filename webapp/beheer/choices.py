"""What the case form's picker shows and searches per option: alternative names and a short description.

The picker (webapp/static/js/picker.js) searches the label, the alternative names (`skos:altLabel`,
shown when they matched) and the search words (`skos:hiddenLabel`, never shown, as SKOS intends),
and shows one short line per option, so that an editor can
tell 140 knelpunten apart without opening them: a tool's `tor:blurb`, otherwise the first sentence of
`skos:definition` or `dcterms:description`.
"""

from __future__ import annotations

import re

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
