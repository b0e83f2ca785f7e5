"""The SPARQL endpoint over HTTP (/sparql, SPARQL 1.1 Protocol): the blueprint, protocol parameters and the lane.

Query execution, limits and formats live in toolbox.endpoint and toolbox.sparql_*; this module speaks HTTP:
protocol parameters, content negotiation, status codes and CORS. The page for people (editor,
result table) is in sparql_page, the downloads under /data/ in data_views (on this blueprint).
"""

from __future__ import annotations

import functools

from flask import Blueprint, Flask, Response, render_template, request
from rdflib import Graph
from werkzeug.wrappers import Request

from toolbox.negotiation import (
    HTML_TYPES,
    RDF_CONTENT_TYPES,
    RDF_FORMAT_PARAMS,
    RDF_MEDIA_TYPES,
    RESULT_MEDIA_TYPES,
    choose,
)
from toolbox.sparql.endpoint import get_endpoint
from toolbox.sparql.errors import NotAcceptable, QueryError
from toolbox.sparql.protocol import FILE_EXTENSIONS, GRAPH_FORMATS, RESULT_FORMATS, negotiate
from toolbox.sparql.service import service_description
from webapp.errors import lane_may_answer
from webapp.headers import security_headers
from webapp.sparql.page import _editor_page, _page_context
from webapp.state import state

bp = Blueprint("sparql", __name__)

@bp.after_request
def cors(response: Response) -> Response:
    return add_cors(response, request.method)


def add_cors(response: Response, method: str) -> Response:
    """Everything here is public and read-only: any origin may read it (no credentials)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = (
        "X-Toolbox-Result-Truncated, X-Toolbox-Result-Count, X-Toolbox-Query-Seconds, X-Toolbox-Cache, "
        "Content-Disposition"
    )
    if method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# --------------------------------------------------------------------------- protocol
class ProtocolError(QueryError):
    pass


def _protocol_request(request: Request) -> tuple[str | None, list[str], list[str]]:
    """(query, default-graph-uri's, named-graph-uri's) from a GET, a form POST or a direct POST."""
    if request.method == "POST":
        kind = (request.mimetype or "").lower()
        if kind == "application/sparql-update" or "update" in request.form:
            raise ProtocolError(_update_refusal())
        if kind == "application/sparql-query":
            queries = [request.get_data(as_text=True)]
            default_graphs = request.args.getlist("default-graph-uri")
            named_graphs = request.args.getlist("named-graph-uri")
        elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            queries = request.form.getlist("query")
            default_graphs = request.form.getlist("default-graph-uri") + request.args.getlist("default-graph-uri")
            named_graphs = request.form.getlist("named-graph-uri") + request.args.getlist("named-graph-uri")
        else:
            raise ProtocolError(
                f"Content-Type {kind or '(geen)'} wordt niet ondersteund: gebruik application/sparql-query "
                "of application/x-www-form-urlencoded met een parameter `query`.", status=415)
    else:
        if "update" in request.args:
            raise ProtocolError(_update_refusal())
        queries = request.args.getlist("query")
        default_graphs = request.args.getlist("default-graph-uri")
        named_graphs = request.args.getlist("named-graph-uri")
    if len(queries) > 1:
        raise ProtocolError("Geef precies één parameter `query` mee.")
    query = queries[0] if queries else None
    return query, _unique(default_graphs), _unique(named_graphs)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def _update_refusal() -> str:
    return ("Dit endpoint is alleen-lezen: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE …) wordt "
            "geweigerd en er is niets gewijzigd.")


def _wants_html(request: Request) -> bool:
    return _html_for(request.headers.get("Accept", ""), (request.values.get("format") or "").lower())


@functools.lru_cache(maxsize=256)
def _html_for(accept_header: str, fmt: str) -> bool:
    """HTML only for clients that want it more than any machine format (browsers); `*/*` gets the
    SPARQL default formats: the site's one negotiation rule, with the machine formats offered first.

    Kept per Accept header: clients send few distinct ones, and parsing them is a good part of
    what a query from the cache costs."""
    if fmt:
        return fmt == "html"
    machine = [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values(), *RESULT_MEDIA_TYPES, *RDF_MEDIA_TYPES]
    return choose(accept_header, [*machine, *HTML_TYPES]) in HTML_TYPES


@functools.lru_cache(maxsize=256)
def _negotiate_header(form: str, accept_header: str, format_param: str | None) -> str:
    """negotiate() for a raw Accept header, kept per header for the same reason as _html_for."""
    return negotiate(form, accept_header, format_param)


def _error(exc: QueryError, html: bool, query: str | None = None) -> Response:
    if not html:
        return _text_error(exc)
    body = render_template("sparql/sparql.html", **_page_context(query, error=str(exc)))
    return Response(body, status=exc.status, mimetype="text/html", headers=_error_headers(exc))


def _text_error(exc: QueryError) -> Response:
    return Response(str(exc) + "\n", status=exc.status, content_type="text/plain; charset=utf-8",
                    headers=_error_headers(exc))


def _error_headers(exc: QueryError) -> dict:
    return {"Vary": "Accept", **({"Retry-After": "5"} if exc.status == 503 else {})}


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    answer = machine_answer(request, state())
    if answer is not None:
        return answer
    html = _wants_html(request)
    try:
        query, default_graphs, named_graphs = _protocol_request(request)
    except QueryError as exc:
        return _error(exc, html)
    if query is None and request.method == "POST":  # a POST is an operation: without a query it is malformed
        return _error(ProtocolError("Geen query opgegeven: een POST naar /sparql moet een parameter `query` "
                                    "meesturen (of een body met Content-Type application/sparql-query)."), html)
    if query is None:
        return _editor_page() if html else _service_description()
    s = state()
    endpoint = get_endpoint(s.settings, s.version)
    try:
        form = endpoint.prepare(query)
        fmt = "nt" if form in ("CONSTRUCT", "DESCRIBE") else "json"
        result = endpoint.execute(query, fmt, form, default_graphs, named_graphs)
    except QueryError as exc:
        return _error(exc, html, query)
    page = render_template("sparql/sparql.html", **_page_context(query, result=result, default_graphs=default_graphs,
                                                          named_graphs=named_graphs))
    return Response(page, mimetype="text/html", headers=_result_headers(result))


@bp.route("/sparql/limieten")
def limits():
    """What the endpoint promises (time limit, rows, truncation, datasets): the page a truncated result links to."""
    return render_template("sparql/limits.html", settings=state().settings,
                           breadcrumb=[{"label": "SPARQL-endpoint", "url": "/sparql"},
                                       {"label": "Grenzen", "url": None}])


def machine_answer(request: Request, site) -> Response | None:
    """A program's query, answered in the format it asks for (or a plain-text error); None when a
    person's page is wanted or there is no query.

    Needs no Flask context, so that the SparqlLane can answer before Flask's request machinery."""
    if _wants_html(request):
        return None
    try:
        query, default_graphs, named_graphs = _protocol_request(request)
        if query is None:
            return None
        endpoint = get_endpoint(site.settings, site.version)
        form = endpoint.prepare(query)
        fmt = _negotiate_header(form or "SELECT", request.headers.get("Accept", ""), request.values.get("format"))
        result = endpoint.execute(query, fmt, form, default_graphs, named_graphs)
    except QueryError as exc:
        return _text_error(exc)
    headers = _result_headers(result)
    if request.values.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="resultaat.{FILE_EXTENSIONS[result.fmt]}"'
    return Response(result.body, content_type=result.media_type, headers=headers)


def _result_headers(result) -> dict:
    return {
        "Vary": "Accept",
        "X-Toolbox-Result-Truncated": "true" if result.truncated else "false",
        "X-Toolbox-Result-Count": str(result.count),
        "X-Toolbox-Query-Seconds": f"{result.seconds:.3f}",
        "X-Toolbox-Cache": "hit" if result.cached else "miss",
    }


class SparqlLane:
    """WSGI middleware: a program's GET /sparql?query=… is answered before Flask's request machinery
    (request context, session, page cache, routing), which is about a third of what such a
    request costs the site's Python process (measured with bench/). Everything else, and any
    request the lane does not answer, goes to Flask unchanged."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/sparql" and environ.get("REQUEST_METHOD") == "GET" \
                and lane_may_answer(environ):
            try:
                answer = machine_answer(Request(environ), self.app.extensions["toolbox"])
            except Exception:  # a bug: logged, and the client gets a plain 500 as Flask would give
                self.app.logger.exception("Fout bij %s", environ.get("PATH_INFO"))
                answer = _text_error(QueryError("Interne fout bij het beantwoorden van de query.", status=500))
            if answer is not None:
                security_headers(add_cors(answer, "GET"))
                return answer(environ, start_response)
        return self.wsgi_app(environ, start_response)


def _service_description() -> Response:
    s = state()
    turtle = service_description(s.settings)
    return rdf_document(turtle)


RDFLIB_OUT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def rdf_document(turtle: str) -> Response:
    """A small RDF document (written as Turtle) in the format the client asks for, by the site's one rule."""
    fmt = (request.args.get("format") or "").strip().lower()
    if fmt:
        chosen = RDF_FORMAT_PARAMS.get(fmt)
    else:
        media = choose(request.headers.get("Accept"), RDF_MEDIA_TYPES)
        chosen = RDF_MEDIA_TYPES[media] if media else None
    if chosen is None:
        return _error(NotAcceptable("Beschikbaar als " + ", ".join(RDF_CONTENT_TYPES.values()) + "."), False)
    if chosen == "ttl":
        body = turtle.encode("utf-8")
    else:
        graph = Graph()
        graph.parse(data=turtle, format="turtle")
        body = graph.serialize(format=RDFLIB_OUT[chosen], encoding="utf-8")
    return Response(body, content_type=RDF_CONTENT_TYPES[chosen] + "; charset=utf-8", headers={"Vary": "Accept"})
