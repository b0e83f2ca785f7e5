"""The SPARQL protocol without HTTP: result formats, content negotiation and the refusals.

Refusals are by construction: update forms and SERVICE are refused before anything runs, on a
lexical scan that skips comments, strings and IRIs exactly as the SPARQL grammar does. The
errors here carry the HTTP status the web side answers with.
"""

from __future__ import annotations

import re

from toolbox.negotiation import RDF_MEDIA_TYPES, RESULT_MEDIA_TYPES, choose
from toolbox.sparql.errors import NotAcceptable, QueryError

# --------------------------------------------------------------------------- formats
# Result formats: name -> media type we send.
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
# Accept media types -> format, in server preference order (the first is the default): the shared tables.
RESULT_ACCEPT = RESULT_MEDIA_TYPES
GRAPH_ACCEPT = RDF_MEDIA_TYPES
# Values of the `format` parameter.
FORMAT_ALIASES = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "ttl": (None, "ttl"),
    "turtle": (None, "ttl"),
    "n3": (None, "ttl"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
}
FILE_EXTENSIONS = {"json": "srj", "xml": "srx", "csv": "csv", "tsv": "tsv",
                   "ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def media_type(fmt: str) -> str:
    """The Content-Type we send for a format name, with charset."""
    return (RESULT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt]) + "; charset=utf-8"


def negotiate(form: str, accept: str | None, format_param: str | None = None) -> str:
    """The format name for this query form, from `format` or the raw Accept header (toolbox.negotiation's rule).

    Raises NotAcceptable when nothing acceptable can be produced.
    """
    graph = form in GRAPH_FORMS
    offered = GRAPH_ACCEPT if graph else RESULT_ACCEPT
    if format_param:
        key = format_param.strip().lower()
        if key in offered.values():
            return key
        if key.split(";")[0].strip() in offered:  # a media type in the parameter
            return offered[key.split(";")[0].strip()]
        alias = FORMAT_ALIASES.get(key)
        fmt = alias and alias[1 if graph else 0]
        if not fmt:
            raise NotAcceptable(
                f"Formaat {format_param!r} kan niet voor een {form}-query; kies uit "
                + ", ".join(sorted(GRAPH_FORMATS if graph else RESULT_FORMATS)) + "."
            )
        return fmt
    best = choose(accept, offered)
    if best is None:
        raise NotAcceptable(
            f"Geen van de gevraagde mediatypen kan voor een {form}-query; beschikbaar: "
            + ", ".join(GRAPH_FORMATS.values() if graph else RESULT_FORMATS.values()) + "."
        )
    return offered[best]


# --------------------------------------------------------------------------- lexical checks
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'', re.S)
_SHORT_STRING = re.compile(r'"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'')
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PROLOGUE = re.compile(r"\s*(?:BASE\s*<>|PREFIX\s+[^\s:]*:\s*<>)", re.I)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.I)
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


# Comments, strings and IRIs, tried in this order at each position as the SPARQL tokenizer does.
_LEXICAL = re.compile("|".join([r"(?P<comment>#[^\n]*)",
                                f"(?P<string>(?s:{_LONG_STRING.pattern})|{_SHORT_STRING.pattern})",
                                f"(?P<iri>{_IRIREF.pattern})"]))
_EMPTIED = {"comment": "", "string": ' "" ', "iri": " <> "}


def lexical_skeleton(query: str) -> str:
    """The query with comments removed and strings and IRIs emptied, scanning left to right.

    A single scan (not one regex after another) so that a quote inside a comment or a `#`
    inside a string cannot hide a keyword. Codepoint escapes are expanded first, as the
    SPARQL grammar allows them anywhere.
    """
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return _LEXICAL.sub(lambda m: _EMPTIED[m.lastgroup], text)


def classify(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, or None when the parser should say what is wrong.

    Raises QueryError (400) for update operations and for SERVICE (federated queries).
    """
    skeleton = lexical_skeleton(query)
    pos = 0
    while m := _PROLOGUE.match(skeleton, pos):
        pos = m.end()
    first = _FIRST_WORD.match(skeleton, pos)
    word = first.group(1).upper() if first else ""
    if word in UPDATE_WORDS:
        raise QueryError(
            f"Dit endpoint is alleen-lezen: de update-operatie {word} wordt geweigerd en er is niets "
            "gewijzigd. Gebruik SELECT, ASK, CONSTRUCT of DESCRIBE."
        )
    if _SERVICE.search(skeleton):
        raise QueryError(
            "Federatieve queries (SERVICE) zijn niet toegestaan: dit endpoint haalt geen gegevens "
            "op bij andere servers."
        )
    return word if word in QUERY_FORMS else None





_LIMIT = re.compile(r"(?<![\w:?$])LIMIT\s+([0-9]+)", re.I)


def top_level_limit(query: str) -> int | None:
    """The LIMIT of the query itself (not of a subquery): the one outside every `{ }` of the skeleton."""
    skeleton = lexical_skeleton(query)
    depth, outside, start = 0, [], 0
    for pos, char in enumerate(skeleton):
        if char == "{":
            if depth == 0:
                outside.append(skeleton[start:pos])
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                start = pos + 1
    if depth == 0:
        outside.append(skeleton[start:])
    limits = [int(m.group(1)) for part in outside for m in _LIMIT.finditer(part)]
    return limits[-1] if limits else None


def check_limit(query: str, result_limit: int) -> None:
    """Refuse (400) an explicit LIMIT above what the endpoint delivers, rather than cut it silently."""
    limit = top_level_limit(query)
    if limit is not None and limit > result_limit:
        raise QueryError(
            f"LIMIT {limit} is hoger dan het maximum van {result_limit} rijen (of triples) per resultaat dat dit "
            f"endpoint levert; de query is niet uitgevoerd. Vraag met LIMIT {result_limit} of minder, haal de rest op "
            "met OFFSET, of download de hele dataset op /data/."
        )
