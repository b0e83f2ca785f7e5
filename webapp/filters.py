"""Template helpers: light text formatting, links to things, labels."""

from __future__ import annotations

import re

from flask import request, url_for
from markupsafe import Markup, escape

from .state import state

LIST_ITEM = re.compile(r"^\s*[-•▪]\s+")


def rich_text(text: str | None) -> Markup:
    """Paragraphs and "- " lists as HTML; everything else is escaped."""
    if not text:
        return Markup("")
    html = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        items = [line for line in lines if LIST_ITEM.match(line)]
        if items and len(items) == len(lines):
            lis = "".join(f"<li>{escape(LIST_ITEM.sub('', line))}</li>" for line in lines)
            html.append(f'<ul class="utrecht-unordered-list">{lis}</ul>')
        elif items:
            intro = [line for line in lines if not LIST_ITEM.match(line)]
            html.append(f'<p class="utrecht-paragraph">{escape(" ".join(intro))}</p>')
            lis = "".join(f"<li>{escape(LIST_ITEM.sub('', line))}</li>" for line in items)
            html.append(f'<ul class="utrecht-unordered-list">{lis}</ul>')
        else:
            html.append(f'<p class="utrecht-paragraph">{escape(" ".join(lines))}</p>')
    return Markup("".join(html))


def doc_url(uri: str | None) -> str:
    """The page of a thing: /doc/{type}/{slug}, or the external link itself."""
    if not uri:
        return "#"
    model = state().model
    segment, slug = model.segment(uri), model.slug(uri)
    if segment and slug:
        return url_for("pages.entity", segment=segment, slug=slug)
    return uri


def prefers_over_html(*media_types: str) -> bool:
    """True when the client's Accept header ranks one of media_types above HTML."""
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", *media_types])
    return best in media_types and accept[best] > accept["text/html"]


def label(uri: str | None) -> str:
    return state().model.label(uri) if uri else ""


def register(app) -> None:
    app.jinja_env.filters["rich"] = rich_text
    app.jinja_env.filters["doc_url"] = doc_url
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["doc_url"] = doc_url
    app.jinja_env.globals["label"] = label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
