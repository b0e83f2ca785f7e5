"""The process plate as an accessible, clickable SVG, generated from the graph."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from toolbox.model import GraphModel

WIDTH, ROW_H, BOX_H, LABEL_W = 1000, 150, 64, 150


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines[:3]


def _box(m: GraphModel, uri: str, x: float, y: float, w: float, css: str) -> str:
    href = url_for("pages.entity", segment=m.segment(uri), slug=m.slug(uri))
    label = m.label(uri)
    lines = _wrap(label, max(8, int(w / 9)))
    first_y = y + BOX_H / 2 - (len(lines) - 1) * 8 + 5
    spans = "".join(
        f'<tspan x="{x + w / 2:.0f}" y="{first_y + i * 16:.0f}">{escape(t)}</tspan>' for i, t in enumerate(lines)
    )
    return (
        f'<a class="{css}" href="{href}"><title>{escape(label)}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{BOX_H}" rx="6"/>'
        f'<text text-anchor="middle" font-size="14">{spans}</text></a>'
    )


def render(m: GraphModel) -> Markup:
    levels = m.instances("Level")
    rows = []
    for level in levels:
        steps = [s for s in m.subjects("tor:level", level) if not m.objects(s, "tor:broaderStep")]
        phases = [p for s in steps for p in m.objects(s, "tor:narrowerStep")]
        rows.append((level, phases or steps, bool(phases)))
    height = ROW_H * len(rows) + 20
    parts = [
        f'<svg class="plate" viewBox="0 0 {WIDTH} {height}" role="group" aria-labelledby="plaat-titel plaat-uitleg"'
        ' xmlns="http://www.w3.org/2000/svg">',
        '<title id="plaat-titel">Procesplaat integraal werken</title>',
        '<desc id="plaat-uitleg">Drie niveaus van boven naar beneden: strategisch, tactisch en uitvoering. '
        'Elke stap en elke checklist is een link.</desc>',
        '<defs><marker id="pijl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#4b4b4b"/></marker></defs>',
    ]
    for r, (level, steps, is_phases) in enumerate(rows):
        y = 10 + r * ROW_H
        parts.append(f'<rect class="lvl" x="0" y="{y}" width="{WIDTH}" height="{ROW_H - 10}" rx="8"/>')
        href = url_for("pages.entity", segment="niveau", slug=m.slug(level))
        parts.append(
            f'<a href="{href}"><text class="lvl-label" x="12" y="{y + 28}" font-size="16">'
            f'{escape(m.label(level))}</text></a>'
        )
        if not steps:
            continue
        slots = len(steps) * (2 if is_phases else 1)
        gap = 14
        avail = WIDTH - LABEL_W - 10
        w = (avail - gap * (slots - 1)) / slots
        x = LABEL_W
        by = y + (ROW_H - 10 - BOX_H) / 2
        for i, step in enumerate(steps):
            parts.append(_box(m, step, x, by, w, "phase" if is_phases else "step"))
            if i < len(steps) - 1 and not is_phases:
                parts.append(f'<line class="arrow" x1="{x + w:.0f}" y1="{by + BOX_H / 2:.0f}" '
                             f'x2="{x + w + gap:.0f}" y2="{by + BOX_H / 2:.0f}"/>')
            x += w + gap
            if is_phases:
                for checklist in m.objects(step, "tor:transitionChecklist"):
                    parts.append(_box(m, checklist, x, by, w, "cl"))
                x += w + gap
    parts.append("</svg>")
    return Markup("".join(parts))
