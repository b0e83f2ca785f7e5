"""Template helpers: light text formatting, links to things, labels."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import request
from markupsafe import Markup, escape

from toolbox.negotiation import HTML_TYPES, choose
from webapp.state import state


def url_quote(part: str) -> str:
    return quote(part, safe="")


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
    """The page of a thing: /doc/{type}/{slug}, or the external link itself.

    Built by hand rather than with url_for: list pages call this hundreds of times."""
    if not uri:
        return "#"
    model = state().model
    segment, slug = model.segment(uri), model.slug(uri)
    if segment and slug:
        return f"{request.script_root}/doc/{url_quote(segment)}/{url_quote(slug)}"
    return uri


def live(uris: list[str]) -> list[str]:
    """Leave out archived things (a retired case keeps its page under ?archief=1 but leaves the lists)."""
    model = state().model
    return [u for u in uris if not model.is_archived(u)]


def prefers_over_html(*media_types: str) -> bool:
    """True when the client's Accept header ranks one of media_types above HTML (toolbox.negotiation's rule,
    HTML offered first)."""
    return choose(request.headers.get("Accept"), [*HTML_TYPES, *media_types]) in media_types


def label(uri: str | None) -> str:
    return state().model.label(uri) if uri else ""


def register(app) -> None:
    app.jinja_env.filters["rich"] = rich_text
    app.jinja_env.filters["doc_url"] = doc_url
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["live"] = live
    app.jinja_env.globals["doc_url"] = doc_url
    app.jinja_env.globals["label"] = label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
