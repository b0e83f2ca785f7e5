"""Content negotiation for the whole site: one reading of `Accept` and one table of media types.

Every route that answers in more than one format (`/sparql`, `/id/…`, `/doc/…`, `/def/…`,
`/data/`, `/.well-known/void`) asks `choose` with what it offers, in its own order of preference,
so a client gets the same answer everywhere: media-type parameters (`; charset=utf-8`,
`; profile="…"`) are accepted, q-values count (RFC 9110 §12.5.1: the most specific range that
matches gives an offer its quality), and on equal quality the route's own order decides.

`charset` other than UTF-8 does not match (everything here is UTF-8); other parameters, such as
a JSON-LD `profile`, are hints that do not exclude an offer.
"""

from __future__ import annotations

import functools
import re

HTML_TYPES = ("text/html", "application/xhtml+xml")

# RDF media types, their usual aliases among them, -> format name (ttl, nt, jsonld, rdfxml).
RDF_MEDIA_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
    "text/n3": "ttl",  # Turtle is valid N3
    "text/rdf+n3": "ttl",
    "application/n3": "ttl",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "text/plain": "nt",  # N-Triples is plain text
}
# The media type sent for each RDF format.
RDF_CONTENT_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                     "rdfxml": "application/rdf+xml"}
# SPARQL result media types -> format name (json, xml, csv, tsv).
RESULT_MEDIA_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
# Values of `?format=` for RDF documents -> format name.
RDF_FORMAT_PARAMS = {"ttl": "ttl", "turtle": "ttl", "n3": "ttl", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
                     "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld", "rdf": "rdfxml", "xml": "rdfxml",
                     "rdfxml": "rdfxml", "rdf+xml": "rdfxml"}

_TOKEN = re.compile(r"\s*([^\s;,/]+)/([^\s;,]+)\s*")
_PARAM = re.compile(r'\s*;\s*([^\s=;,]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;,]*)')


def parse_accept(header: str | None) -> tuple[tuple[str, str, dict, float], ...]:
    """The media ranges of an Accept header as (type, subtype, parameters, q); malformed ones are skipped.
    No header (or an empty one) is `*/*`, as RFC 9110 says."""
    return _parse(header or "")


@functools.lru_cache(maxsize=512)
def _parse(header: str) -> tuple[tuple[str, str, dict, float], ...]:
    if not header.strip():
        return (("*", "*", {}, 1.0),)
    ranges = []
    for part in _split(header):
        match = _TOKEN.match(part)
        if not match:
            continue
        params, q, pos = {}, 1.0, match.end()
        while param := _PARAM.match(part, pos):
            name, value = param.group(1).lower(), param.group(2).strip('"')
            pos = param.end()
            if name == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
                break  # what follows q are accept-extensions, not media-type parameters
            params[name] = value
        ranges.append((match.group(1).lower(), match.group(2).lower(), params, q))
    return tuple(ranges)


def _split(header: str) -> list[str]:
    """Split at commas outside quoted strings (a profile IRI list may hold commas)."""
    parts, current, quoted = [], [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def quality(header: str | None, media_type: str) -> float:
    """How much the client wants `media_type`: the q of the most specific range that matches it (0: not at all)."""
    kind, _, sub = media_type.lower().partition("/")
    best_rank, best_q = -1, 0.0
    for r_kind, r_sub, params, q in parse_accept(header):
        if params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            continue
        if r_kind == kind and r_sub == sub:
            rank = 3
        elif r_kind == kind and r_sub == "*":
            rank = 2
        elif r_kind == "*" and r_sub == "*":
            rank = 1
        else:
            continue
        if rank > best_rank or rank == best_rank and q > best_q:
            best_rank, best_q = rank, q
    return best_q


def choose(header: str | None, offered) -> str | None:
    """The offered media type the client wants most (on equal quality: the first offered), or None
    when it accepts none of them. `offered` is in the route's order of preference."""
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(header, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


def rdf_or_html(header: str | None, format_param: str | None = None) -> str | None:
    """For a page with RDF twins: the RDF format asked for (by `format=` or Accept), or None for HTML.
    HTML is the default, also for `*/*`; an unknown `format=` is None too (the route refuses it)."""
    if format_param:
        return RDF_FORMAT_PARAMS.get(format_param.strip().lower())
    chosen = choose(header, [*HTML_TYPES, *RDF_MEDIA_TYPES])
    return RDF_MEDIA_TYPES.get(chosen) if chosen else None


JSONLD_EXPANDED = "http://www.w3.org/ns/json-ld#expanded"


def wants_expanded_jsonld(header: str | None) -> bool:
    """Whether the client's range for JSON-LD names the expanded profile (JSON-LD 1.1 §9.1): then
    the twins answer in expanded form, without a context, instead of compacted with our prefixes."""
    for kind, sub, params, q in parse_accept(header):
        if kind == "application" and sub == "ld+json" and q > 0:
            return JSONLD_EXPANDED in params.get("profile", "").split()
    return False
