"""Template helpers: light text formatting, links to things, labels, dates in Dutch."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, unquote, urlsplit

from flask import request
from markupsafe import Markup, escape

from toolbox.graph.text_links import pieces, plain_text
from toolbox.negotiation import HTML_TYPES, choose
from webapp.state import state


def url_quote(part: str) -> str:
    return quote(part, safe="")


LIST_ITEM = re.compile(r"^\s*[-•▪]\s+")


def inline(text: str) -> Markup:
    """Escaped text with its `[tekst](https://…)` and bare http(s) links as links (toolbox.graph.text_links);
    outside links open in the same tab and carry rel="external noopener"."""
    html = []
    for piece in pieces(text):
        if piece.href is None:
            html.append(str(escape(piece.text)))
        else:
            html.append(f'<a class="utrecht-link" href="{escape(piece.href)}" rel="external noopener">'
                        f'{escape(piece.text)}</a>')
    return Markup("".join(html))


def rich_text(text: str | None) -> Markup:
    """Paragraphs, "- " lists and inline links as HTML; everything else is escaped."""
    if not text:
        return Markup("")
    html = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        items = [line for line in lines if LIST_ITEM.match(line)]
        if items and len(items) == len(lines):
            lis = "".join(f"<li>{inline(LIST_ITEM.sub('', line))}</li>" for line in lines)
            html.append(f'<ul class="utrecht-unordered-list">{lis}</ul>')
        elif items:
            intro = [line for line in lines if not LIST_ITEM.match(line)]
            html.append(f'<p class="utrecht-paragraph">{inline(" ".join(intro))}</p>')
            lis = "".join(f"<li>{inline(LIST_ITEM.sub('', line))}</li>" for line in items)
            html.append(f'<ul class="utrecht-unordered-list">{lis}</ul>')
        else:
            html.append(f'<p class="utrecht-paragraph">{inline(" ".join(lines))}</p>')
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


ID_LIKE = re.compile(r"^[\d\W_]*$|^[0-9a-f]{8}-[0-9a-f-]{27,}$", re.I)


def link_text(url: str) -> str:
    """Readable words for an outside link whose data has no label: the last telling part of its path
    and the site (`Toepassingen (omgevingswijzer.org)`), so that a phone shows words, not a long URL."""
    parsed = urlsplit(url)
    host = parsed.netloc.lower().removeprefix("www.")
    parts = [unquote(p) for p in parsed.path.split("/") if p]
    for part in reversed(parts):
        stem, dot, ext = part.rpartition(".")
        name = stem if dot and ext.lower() in ("pdf", "aspx", "html", "htm", "php", "docx", "xlsx") else part
        if not ID_LIKE.match(name):
            words = re.sub(r"[-_+]+", " ", name).strip()
            kind = "pdf, " if part.lower().endswith(".pdf") else ""
            return f"{words[:1].upper()}{words[1:]} ({kind}{host})"
    return host or url


def label(uri: str | None) -> str:
    return state().model.label(uri) if uri else ""


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def _parsed(value) -> tuple[datetime | None, bool]:
    """An xsd:date or xsd:dateTime as a datetime in Dutch time (a bare date stays a date); None: not a date."""
    match = DATE_RE.match(str(value or "").strip())
    if not match:
        return None, False
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None, False
    if hour is None:
        return moment, False
    if zone:
        from zoneinfo import ZoneInfo

        moment = datetime.fromisoformat(f"{moment.isoformat()}{'+00:00' if zone == 'Z' else zone}")
        moment = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return moment, True


def dutch_date(value) -> str:
    """'2026-12-03' or '2026-12-03T14:05:00Z' as '3 december 2026' (the day in Dutch time); '' if no date."""
    moment, _ = _parsed(value)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}" if moment else ""


def dutch_moment(value) -> str:
    """A time as '3 december 2026 om 15:05' (Dutch time); a bare date as the date alone."""
    moment, has_time = _parsed(value)
    if not moment:
        return str(value or "")
    day = dutch_date(moment.date().isoformat())
    return f"{day} om {moment.hour:02d}:{moment.minute:02d}" if has_time else day


def register(app) -> None:
    app.jinja_env.filters["rich"] = rich_text
    app.jinja_env.filters["doc_url"] = doc_url
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["live"] = live
    app.jinja_env.filters["link_text"] = link_text
    app.jinja_env.filters["plain"] = plain_text
    app.jinja_env.filters["datum"] = dutch_date
    app.jinja_env.filters["moment"] = dutch_moment
    app.jinja_env.globals["doc_url"] = doc_url
    app.jinja_env.globals["label"] = label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
