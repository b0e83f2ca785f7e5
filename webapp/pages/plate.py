"""The process plate as an accessible, clickable SVG, generated from the graph.

One band per level, the level name on top. On the execution level the umbrella steps
span their phases, and a small checklist mark sits after each phase.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from toolbox.graph.model import PREF_LABEL, GraphModel
from toolbox.search.dutch import words

WIDTH, PAD, GAP, BOX_H, MARK = 1000, 12, 10, 60, 40


def _href(m: GraphModel, uri: str) -> str:
    return url_for("pages.entity", segment=m.segment(uri), slug=m.slug(uri))


def _known_words(m: GraphModel) -> frozenset[str]:
    """Words of the graph's labels, to break a long compound where its parts meet.

    Made once per render, and the plate is kept per content version (pages.py), so no cache here:
    an lru_cache on this function held the last four models alive after saves replaced them."""
    found = set()
    for props in m.out.values():
        for value in props.get(PREF_LABEL, ()):
            found.update(w for w in words(value.value) if len(w) >= 4)
    return frozenset(found)


def _break_word(word: str, width: int, known: frozenset[str]) -> list[str]:
    """"Opdrachtformulering" in a narrow box: "Opdracht-" / "formulering", at a known part."""
    if len(word) <= width:
        return [word]
    for i in range(min(len(word) - 4, width - 1), 3, -1):
        if word[:i].lower() in known:
            return [word[:i] + "-"] + _break_word(word[i:], width, known)
    return [word]


def _wrap(text: str, width: int, known: frozenset[str] = frozenset()) -> list[str]:
    lines, line = [], ""
    for long_word in text.split():
        pieces = _break_word(long_word, width, known)
        for word in pieces:
            if len(line) + len(word) + 1 > width and line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
            if word.endswith("-") and word is not pieces[-1]:
                lines.append(line)
                line = ""
    if line:
        lines.append(line)
    return lines[:3]


def _box(m: GraphModel, known: frozenset[str], uri: str, x: float, y: float, w: float, h: float, css: str,
         size: int = 14) -> str:
    label = m.label(uri)
    lines = _wrap(label, max(6, int((w - 10) / (size * 0.64))), known)
    longest = max((len(t) for t in lines), default=1)
    size = min(size, int((w - 10) / (longest * 0.64)))  # a word that still does not fit: smaller type
    first_y = y + h / 2 - (len(lines) - 1) * (size + 2) / 2 + size * 0.35
    spans = "".join(
        f'<tspan x="{x + w / 2:.0f}" y="{first_y + i * (size + 2):.0f}">{escape(t)}</tspan>'
        for i, t in enumerate(lines)
    )
    return (
        f'<a class="{css}" href="{_href(m, uri)}"><title>{escape(label)}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="6"/>'
        f'<text text-anchor="middle" font-size="{size}">{spans}</text></a>'
    )


def _checklist_mark(m: GraphModel, uri: str, x: float, y: float) -> str:
    label = m.label(uri)
    return (
        f'<a class="cl" href="{_href(m, uri)}"><title>{escape(label)}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{MARK}" height="{MARK}" rx="4"/>'
        f'<text x="{x + MARK / 2:.0f}" y="{y + MARK / 2 + 7:.0f}" text-anchor="middle" font-size="20" '
        f'aria-hidden="true">✓</text></a>'
    )


def _arrow(x1: float, x2: float, y: float) -> str:
    return f'<line class="arrow" x1="{x1:.0f}" y1="{y:.0f}" x2="{x2:.0f}" y2="{y:.0f}"/>'


def _simple_row(m: GraphModel, known: frozenset[str], steps: list[str], y: float) -> list[str]:
    w = (WIDTH - 2 * PAD - GAP * 2 * (len(steps) - 1)) / len(steps)
    parts, x = [], PAD
    for i, step in enumerate(steps):
        parts.append(_box(m, known, step, x, y, w, BOX_H, "step"))
        if i < len(steps) - 1:
            parts.append(_arrow(x + w + 2, x + w + 2 * GAP - 2, y + BOX_H / 2))
        x += w + 2 * GAP
    return parts


def _execution_row(m: GraphModel, known: frozenset[str], umbrellas: list[str], y: float) -> list[str]:
    """The bars (umbrella steps) over their phases; in the document, and so in the keyboard's order,
    each bar comes before its own phases and checklists."""
    phases = [(u, p) for u in umbrellas for p in m.objects(u, "tor:narrowerStep")]
    n = len(phases)
    w = (WIDTH - 2 * PAD - n * (MARK + 2 * GAP) + GAP) / n
    x, spans, below = PAD, {}, {}
    for umbrella, phase in phases:
        start, _ = spans.get(umbrella, (x, x))
        row = below.setdefault(umbrella, [])
        row.append(_box(m, known, phase, x, y + 40, w, BOX_H, "phase", size=13))
        x += w + GAP
        for checklist in m.objects(phase, "tor:transitionChecklist"):
            row.append(_checklist_mark(m, checklist, x, y + 40 + (BOX_H - MARK) / 2))
        x += MARK + GAP
        spans[umbrella] = (start, x - GAP)
    parts = []
    for umbrella, (start, end) in spans.items():
        parts.append(_box(m, known, umbrella, start, y, end - start, 30, "step", size=13))
        parts += below[umbrella]
    return parts


def render(m: GraphModel) -> Markup:
    known = _known_words(m)
    rows, y = [], 10
    for level in m.instances("Level"):
        steps = [s for s in m.subjects("tor:level", level) if not m.objects(s, "tor:broaderStep")]
        has_phases = any(m.objects(s, "tor:narrowerStep") for s in steps)
        height = 40 + (40 if has_phases else 0) + BOX_H + 14
        rows.append((level, steps, has_phases, y, height))
        y += height + 10
    parts = [
        f'<svg class="plate" viewBox="0 0 {WIDTH} {y}" role="group" aria-labelledby="plaat-titel plaat-uitleg"'
        ' xmlns="http://www.w3.org/2000/svg">',
        '<title id="plaat-titel">Procesplaat integraal werken</title>',
        '<desc id="plaat-uitleg">Drie niveaus van boven naar beneden: strategisch, tactisch en uitvoering. '
        'Elke stap is een link; het vinkje na elke fase van de uitvoering opent de checklist voor die '
        'faseovergang.</desc>',
        '<defs><marker id="pijl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#4b4b4b"/></marker></defs>',
    ]
    for level, steps, has_phases, top, height in rows:
        parts.append(f'<rect class="lvl" x="0" y="{top}" width="{WIDTH}" height="{height}" rx="8"/>')
        parts.append(
            f'<a href="{_href(m, level)}"><text class="lvl-label" x="{PAD}" y="{top + 26}" font-size="16">'
            f'{escape(m.label(level))}</text></a>'
        )
        if steps:
            row = _execution_row if has_phases else _simple_row
            body = row(m, known, steps, top + 36)
            parts.extend(body)
    parts.append("</svg>")
    return Markup("".join(parts))
