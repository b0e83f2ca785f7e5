"""The SPARQL page for people: the query editor, and a result as an HTML table with compact IRIs."""

from __future__ import annotations

import json
from itertools import islice
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, abort, render_template, request, url_for

from toolbox.namespaces import PREFIXES, id_prefixes, split_id
from toolbox.sparql.endpoint import get_endpoint
from toolbox.sparql.protocol import GRAPH_FORMATS, RESULT_FORMATS
from toolbox.sparql.service import examples, prefix_block
from webapp.state import state

HTML_ROWS = 1000  # rows shown on the page; downloads carry everything up to the result limit
FORMAT_LABELS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV",
                 "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
STARTER_QUERY = """SELECT ?tool ?naam WHERE {
  ?tool a tor:Tool ;
        skos:prefLabel ?naam .
}
ORDER BY ?naam
LIMIT 50
"""


# --------------------------------------------------------------------------- page for people
def _editor_page() -> Response:
    s = state()
    get_endpoint(s.settings, s.version)  # starts the query workers while the visitor writes a query
    name = request.args.get("voorbeeld")
    query = None
    if name:
        chosen = [e for e in examples() if e.name == name]
        if not chosen:
            abort(404)
        query = chosen[0].query
    return Response(render_template("sparql/sparql.html", **_page_context(query)), mimetype="text/html",
                    headers={"Vary": "Accept"})


def _page_context(query: str | None, result=None, error: str | None = None, default_graphs=(), named_graphs=()):
    s = state()
    settings = s.settings
    context = {
        "title": "SPARQL-endpoint",
        "breadcrumb": [{"label": "SPARQL-endpoint", "url": None}],
        "query": query or (prefix_block(settings.base_uri) + "\n" + STARTER_QUERY),
        "examples": examples(),
        "settings": settings,
        "error": error,
        "result": None,
        "downloads": [],
    }
    if result is None:
        return context
    table = _result_table(result, settings.base_uri, HTML_ROWS)
    table["shown"] = len(table["rows"])
    context["result"] = table
    formats = GRAPH_FORMATS if result.form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS
    extra = [("default-graph-uri", g) for g in default_graphs] + [("named-graph-uri", g) for g in named_graphs]
    for fmt in formats:
        params = [("query", query), ("format", fmt), ("download", "1"), *extra]
        context["downloads"].append({"label": FORMAT_LABELS[fmt], "href": url_for("sparql.sparql") + "?" +
                                     urlencode(params)})
    return context


def _result_table(result, base_uri: str, max_rows: int) -> dict:
    """The first max_rows rows of a result as cells for the page."""
    table = {"form": result.form, "count": result.count, "truncated": result.truncated,
             "seconds": result.seconds, "variables": [], "rows": [], "boolean": None}
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        table["variables"] = ["subject", "predicate", "object"]
        for quad in islice(ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES), max_rows):
            table["rows"].append([_cell_from_term(t, base_uri) for t in (quad.subject, quad.predicate, quad.object)])
        return table
    data = json.loads(result.body)
    if "boolean" in data:
        table["boolean"] = bool(data["boolean"])
        return table
    names = data["head"].get("vars", [])
    table["variables"] = names
    for binding in data["results"]["bindings"][:max_rows]:
        table["rows"].append([_cell(binding.get(n), base_uri) for n in names])
    return table


def _prefixes(base_uri: str) -> list[tuple[str, str]]:
    pairs = {**PREFIXES, **id_prefixes(base_uri)}
    return sorted(pairs.items(), key=lambda item: -len(item[1]))


def _cell(cell: dict | None, base_uri: str) -> dict | None:
    if cell is None:
        return None
    if cell["type"] == "uri":
        return _iri_cell(cell["value"], base_uri)
    if cell["type"] == "bnode":
        return {"kind": "bnode", "text": "_:" + cell["value"]}
    note = ("@" + cell["xml:lang"]) if "xml:lang" in cell else _compact(cell.get("datatype", ""), base_uri)
    return {"kind": "literal", "text": cell["value"], "note": note}


def _cell_from_term(term, base_uri: str) -> dict:
    if isinstance(term, ox.NamedNode):
        return _iri_cell(term.value, base_uri)
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "text": "_:" + term.value}
    if term.language:
        note = "@" + term.language
    elif term.datatype.value.endswith("#string"):
        note = ""
    else:
        note = _compact(term.datatype.value, base_uri)
    return {"kind": "literal", "text": term.value, "note": note}


def _compact(iri: str, base_uri: str) -> str:
    for prefix, namespace in _prefixes(base_uri):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _iri_cell(iri: str, base_uri: str) -> dict:
    """An IRI cell: things link to their page on this site, terms to the ontology documentation."""
    href = iri
    parts = split_id(iri, base_uri)
    if parts:
        href = url_for("pages.entity", segment=parts[0], slug=parts[1])
    elif iri.startswith(PREFIXES["tor"]):
        href = url_for("linked_data.ontology") + "#" + iri[len(PREFIXES["tor"]):]
    elif not iri.startswith(("http://", "https://")):
        href = None
    return {"kind": "iri", "text": _compact(iri, base_uri), "iri": iri, "href": href,
            "local": bool(parts) or iri.startswith(PREFIXES["tor"])}


