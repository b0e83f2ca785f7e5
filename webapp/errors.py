"""Refusals and errors for the whole site: a Dutch page for people, precise JSON for programs, never a traceback.

Before any view runs, `check_request` refuses what no view can answer well: bytes that are not
UTF-8, control characters (NUL …) in the address, overlong parameter values, a body over
TOOLBOX_MAX_BODY, and a `format=` or `Accept` that the route does not serve. The refusal is the
same everywhere (see `error_response`), so bad input changes nothing and tells what was wrong.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request

from toolbox.negotiation import RDF_MEDIA_TYPES, choose

MAX_NAME_LENGTH = 100  # characters of a parameter name (the longest the site reads is `named-graph-uri`)
MAX_PARAM_LENGTH = 2000  # characters of one parameter value outside /sparql (a search is a sentence at most)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
SPARQL_PATH = "/sparql"

# Per status: (short name for programs, title for people, explanation for people).
STATUSES = {
    400: ("bad_request", "Ongeldig verzoek", "Het verzoek klopt niet en is niet uitgevoerd."),
    401: ("unauthorized", "Niet ingelogd", "Log eerst in."),
    403: ("forbidden", "Geweigerd", "Dit verzoek is niet toegestaan."),
    404: ("not_found", "Pagina niet gevonden",
          "Deze pagina bestaat niet (meer). Misschien is het adres verkeerd overgenomen, of is het onderdeel "
          "hernoemd."),
    405: ("method_not_allowed", "Methode niet toegestaan", "Dit adres kan niet op deze manier worden gebruikt."),
    406: ("not_acceptable", "Formaat niet beschikbaar", "Dit adres heeft geen antwoord in het gevraagde formaat."),
    409: ("conflict", "Conflict", "Het verzoek botst met de huidige toestand."),
    413: ("payload_too_large", "Verzoek te groot", "Het verzoek is te groot en is geweigerd; er is niets opgeslagen."),
    414: ("uri_too_long", "Adres te lang", "Het adres is te lang en is geweigerd."),
    415: ("unsupported_media_type", "Soort inhoud niet ondersteund", "Het verzoek heeft een soort inhoud die hier niet "
          "wordt aangenomen."),
    422: ("unprocessable", "Niet te verwerken", "De invoer is niet geldig en is niet verwerkt."),
    429: ("too_many_requests", "Te veel verzoeken", "Te veel verzoeken; probeer het later opnieuw."),
    500: ("internal_error", "Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw; blijft het "
          "misgaan, meld het dan bij de beheerders."),
    503: ("unavailable", "Even niet beschikbaar", "De site is even te druk; probeer het over enkele seconden opnieuw."),
}

HTML = "text/html"
JSON_TYPES = ("application/json", "application/ld+json", "application/problem+json")
RDF_TYPES = tuple(RDF_MEDIA_TYPES)  # every RDF media type and alias the site's negotiation knows
# What each part of the site can answer (Accept), and the `format=` values per page.
SERVED = {
    "pages": (HTML, "application/xhtml+xml", "application/ld+json", "application/json", "text/markdown", "text/csv"),
    "search": (HTML, "application/xhtml+xml", "application/json"),
    "pages.entity": (HTML, "application/xhtml+xml", *RDF_TYPES, "text/markdown", "text/csv"),
    "linked_data": (HTML, "application/xhtml+xml", *RDF_TYPES),
    "sparql.data_index": (HTML, "application/xhtml+xml", *RDF_TYPES),
    "sparql.well_known_void": (HTML, "application/xhtml+xml", *RDF_TYPES),
}
LIST_FORMATS = ("jsonld", "json")
FORMATS = {
    "pages.home": ("jsonld",),
    "pages.about": (),
    "pages.standards": ("json",),
    "pages.fan": LIST_FORMATS,
    "pages.library": LIST_FORMATS,
    "pages.cases": LIST_FORMATS,
    "pages.knelpunten": LIST_FORMATS,
    "pages.entity": ("jsonld", "json", "json-ld", "ttl", "turtle", "nt", "rdf", "rdfxml", "md", "csv"),
    "pages.guide": ("json",),
    "pages.plan": ("json", "md", "csv"),
    "search.search": ("json",),
    "sparql.data_index": ("html", "ttl", "turtle", "nt", "jsonld", "rdf", "rdfxml"),
    "sparql.well_known_void": ("html", "ttl", "turtle", "nt", "jsonld", "rdf", "rdfxml"),
}
LINKED_DATA_FORMATS = ("ttl", "turtle", "nt", "ntriples", "jsonld", "json", "json-ld", "rdf", "xml", "rdfxml")
LINKED_DATA_WITH_FORMAT = ("linked_data.thing", "linked_data.ontology", "linked_data.shapes", "linked_data.graph")


class Refusal(HTTPException):
    """A refusal with its own status and Dutch explanation, and extra fields for the JSON answer."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(description=message)
        self.code = status
        self.extra = extra


def wants_json() -> bool:
    """Programs get JSON: they ask for it (format= or Accept), or do not accept HTML at all."""
    fmt = (request.args.get("format") or "").lower()
    if fmt in ("json", "jsonld"):
        return True
    header = request.headers.get("Accept", "")
    if not header.strip():
        return False
    return choose(header, [HTML, *JSON_TYPES]) != HTML


def error_response(status: int, message: str | None = None, title: str | None = None, **extra) -> Response:
    code, default_title, default_message = STATUSES.get(status, STATUSES[400 if status < 500 else 500])
    message = message or default_message
    title = title or default_title
    if wants_json():
        response = jsonify({"status": status, "error": code, "title": title, "message": message, **extra})
        response.status_code = status
    else:
        body = render_template("error.html", status=status, title=title, message=message, extra=extra)
        response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _http_error(error: HTTPException):
    status = error.code or 500
    extra = dict(getattr(error, "extra", {}))
    message = error.description if isinstance(error, Refusal) else None
    if status == 405:
        allowed = sorted(m for m in (error.valid_methods or []) if m != "OPTIONS") if hasattr(
            error, "valid_methods") else []
        extra["allowed"] = allowed
        message = f"Dit adres accepteert {request.method} niet; wel: {', '.join(allowed)}." if allowed else None
    elif status == 413 and message is None:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        extra["limit_bytes"] = limit
        message = f"Het verzoek is groter dan {_size(limit)} en is geweigerd; er is niets opgeslagen."
    response = error_response(status, message, **extra)
    if status == 405 and extra.get("allowed"):
        response.headers["Allow"] = ", ".join(extra["allowed"] + ["OPTIONS"])
    return response


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit // mib} MB" if limit >= mib and not limit % mib else f"{limit // 1024} kB"


def _server_error(error):
    return error_response(500)  # Flask has logged the traceback; the client never sees it


# --------------------------------------------------------------------------- checks before any view
def _utf8(raw: bytes, what: str) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(400, f"{what} bevat bytes die geen geldige UTF-8 zijn (positie {exc.start}).",
                      field=what.lower()) from None


def check_encoding(req) -> None:
    """Refuse (Refusal, 400) what is not readable text: bytes that are not UTF-8, a broken %-escape,
    control characters, overlong names and values. Takes a werkzeug Request: the SPARQL lane calls
    it before Flask's request machinery."""
    path = req.environ.get("PATH_INFO", "")
    try:
        raw_path = path.encode("latin-1")  # WSGI: the path as bytes, one character per byte
    except UnicodeEncodeError:
        raw_path = path.encode("utf-8", "surrogateescape")
    _utf8(raw_path, "Het adres")
    query = req.environ.get("QUERY_STRING", "")
    # The query string arrives as sent; the path already decoded, so a % left in it was not a valid escape.
    if BAD_PERCENT.search(query) or BAD_PERCENT.search(path):
        raise Refusal(400, "Het adres bevat een ongeldige procentcodering (een % die niet door twee "
                      "hexadecimale cijfers wordt gevolgd).", field="adres")
    _utf8(unquote_to_bytes(query.encode("latin-1", "replace")), "De query-string")
    if CONTROL.search(req.path):
        raise Refusal(400, "Het adres bevat een stuurteken (zoals een NUL-byte); dat kan geen pagina zijn.",
                      field="pad")
    for name, value in req.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value):
            raise Refusal(400, f"De parameter ‘{_short(name)}’ bevat een stuurteken (zoals een NUL-byte).",
                          field=_short(name))
        if len(name) > MAX_NAME_LENGTH:
            raise Refusal(400, f"Een parameternaam is te lang ({len(name)} tekens; maximaal {MAX_NAME_LENGTH}).",
                          field=_short(name), max_length=MAX_NAME_LENGTH)
        if len(value) > MAX_PARAM_LENGTH and not (req.path == SPARQL_PATH and name == "query"):
            raise Refusal(400, f"De parameter ‘{_short(name)}’ is te lang ({len(value)} tekens; maximaal "
                          f"{MAX_PARAM_LENGTH}).", field=_short(name), max_length=MAX_PARAM_LENGTH)


def _short(text: str) -> str:
    return CONTROL.sub("?", text[:40])


def _check_body() -> None:
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _check_form_type() -> None:
    """The editor's forms are HTML forms; any other body is refused before it is read."""
    if request.blueprint == "beheer" and request.method == "POST" and request.mimetype not in FORM_TYPES:
        raise Refusal(415, f"Soort inhoud ‘{_short(request.mimetype or '(geen)')}’ wordt hier niet aangenomen: "
                      "stuur het formulier als application/x-www-form-urlencoded of multipart/form-data. "
                      "Er is niets opgeslagen.", accepted=list(FORM_TYPES))


def _check_negotiation() -> None:
    endpoint = request.endpoint or ""
    fmt = request.args.get("format")
    allowed = None
    if endpoint in FORMATS:
        allowed = FORMATS[endpoint]
    elif endpoint in LINKED_DATA_WITH_FORMAT:
        allowed, fmt = LINKED_DATA_FORMATS, (fmt or "").lower()
    if fmt and allowed is not None and fmt not in allowed:
        shown = ", ".join(allowed) if allowed else "geen (alleen HTML)"
        raise Refusal(406, f"Het formaat ‘{_short(fmt)}’ wordt hier niet geleverd. Mogelijke waarden voor "
                      f"format: {shown}.", formats=list(allowed))
    served = SERVED.get(endpoint) or SERVED.get(request.blueprint or "")
    header = request.headers.get("Accept", "").strip()
    if served and header and choose(header, served) is None:
        raise Refusal(406, f"Geen van de gevraagde formaten ({_short(header)}) is hier beschikbaar. Beschikbaar: "
                      f"{', '.join(served)}.", formats=list(served))


def lane_may_answer(environ) -> bool:
    """Whether the SPARQL lane may answer this GET itself: not when it has a body (413 or not) or
    input that check_encoding refuses. Flask then answers it, with the refusal as everywhere else."""
    if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
        return False
    try:
        check_encoding(Request(environ))
    except (Refusal, BadRequest):
        return False
    return True


def check_request():
    try:
        check_encoding(request)
    except BadRequest as exc:  # werkzeug could not parse the query string at all
        raise Refusal(400, "De query-string kon niet worden gelezen.") from exc
    _check_body()
    _check_form_type()
    _check_negotiation()


def init_app(app: Flask) -> None:
    """Register the checks (before the page cache answers) and the error answers."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["TOOLBOX"].max_body
    app.before_request(check_request)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
