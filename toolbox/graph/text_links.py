"""Inline links in long texts: `[tekst](https://…)` and bare http(s) URLs.

Editors type this small syntax in the text fields of a case; it is stored as it was typed (the
literal in the content), checked when a form is saved (only http and https; anything else is a
Dutch error at the field), turned into links when a page is shown, and read as plain text by the
search index and short summaries. It lives with the graph because every layer above reads it. Splitting the text into
pieces here, and escaping in the renderer, keeps the rendered HTML safe whatever a file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# [text](target): the text on one line without brackets; the target without spaces, with at most one
# level of parentheses inside (https://nl.wikipedia.org/wiki/Stad_(bestuur)).
LINK_RE = re.compile(r"\[([^\[\]\n]{1,300})\]\(((?:[^()\s]|\([^()\s]*\))*)\)")
# Something that looks like a link but is not one the renderer will show: reported, never guessed.
ALMOST_RE = re.compile(r"\[[^\[\]\n]*\]\([^)\n]*\)?")
SAFE_URL_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$", re.I)
BARE_URL_RE = re.compile(r"https?://[^\s<>\"{}|\\^`\[\]]+", re.I)
TRAILING = ".,;:!?)'’"
MAX_URL = 2000


@dataclass(frozen=True)
class Piece:
    """A run of plain text (href None) or a link with its text."""

    text: str
    href: str | None = None


def _bare(text: str) -> list[Piece]:
    pieces: list[Piece] = []
    at = 0
    for match in BARE_URL_RE.finditer(text):
        url = match.group(0)
        kept = url.rstrip(TRAILING)
        if url.endswith(")") and kept.count("(") > kept.count(")"):  # …/Stad_(bestuur)
            kept += ")"
        if match.start() > at:
            pieces.append(Piece(text[at:match.start()]))
        pieces.append(Piece(kept, kept))
        at = match.start() + len(kept)
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


def pieces(text: str | None) -> list[Piece]:
    """The text as plain runs and links. A `[tekst](…)` with a target that is not http(s) stays plain
    text, exactly as typed: the form refuses it, and a hand-written file cannot smuggle in a script."""
    if not text:
        return []
    out: list[Piece] = []
    at = 0
    for match in LINK_RE.finditer(text):
        if not _ok(match):
            continue
        label, target = match.group(1).strip(), match.group(2)
        out.extend(_bare(text[at:match.start()]))
        out.append(Piece(label, target))
        at = match.end()
    out.extend(_bare(text[at:]))
    return out


def _ok(match: re.Match) -> bool:
    target = match.group(2)
    return bool(match.group(1).strip()) and bool(SAFE_URL_RE.match(target)) and len(target) <= MAX_URL


def _shown(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def link_problems(text: str | None) -> list[str]:
    """Dutch messages for every `[tekst](…)` in the text that will not become a link."""
    problems = []
    for match in LINK_RE.finditer(text or ""):
        if _ok(match):
            continue
        if not match.group(1).strip():
            problems.append(f"De link ‘{_shown(match.group(0))}’ heeft geen tekst tussen de blokhaken.")
        else:
            problems.append(f"De link ‘{_shown(match.group(0))}’ gaat niet naar een webadres: een link begint "
                            "met https:// of http:// en heeft geen spaties. Schrijf [tekst](https://…).")
    rest = LINK_RE.sub(" ", text or "")
    for match in ALMOST_RE.finditer(rest):
        problems.append(f"De link ‘{_shown(match.group(0))}’ klopt niet: schrijf [tekst](https://…), zonder "
                        "spaties in het webadres en afgesloten met ‘)’.")
    return problems


def plain_text(text: str | None) -> str:
    """The text with every link written as its text only (for snippets and descriptions)."""
    return "".join(p.text for p in pieces(text))
