"""SPARQL results: a query's answer as bytes in the chosen format, capped at the result limit.

Serialisers for SELECT rows (JSON, XML, CSV, TSV), ASK booleans and graphs (Turtle,
N-Triples, JSON-LD, RDF/XML), the Job and Result that travel between the endpoint and
its runners, and `run_local`, which answers one job on an Oxigraph store.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from toolbox.namespaces import PREFIXES, id_prefixes
from toolbox.sparql.errors import NotAcceptable, QueryError
from toolbox.sparql.protocol import GRAPH_FORMATS, GRAPH_FORMS, RESULT_FORMATS, XSD_STRING, media_type

_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        cell = {"type": "literal", "value": term.value}
        if term.language:
            cell["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            cell["datatype"] = term.datatype.value
        return cell
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise TypeError(f"onbekende term {term!r}")


def _term_xml(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>{_term_xml(term.predicate)}"
                f"</predicate><object>{_term_xml(term.object)}</object></triple>")
    raise TypeError(f"onbekende term {term!r}")


def _term_csv(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


_TSV_SHORT = {
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"[+-]?[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
}


def _term_tsv(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        short = _TSV_SHORT.get(term.datatype.value)
        if short and short.fullmatch(term.value):
            return term.value  # Turtle's short form for numbers and booleans, as Oxigraph writes it
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


LIMITS_PAGE = "/sparql/limieten"  # explains the result limit; linked from a truncated result's head


def serialise_rows(variables: list[str], rows: list[list], fmt: str, link: str | None = None) -> bytes:
    """SELECT results (rows of Oxigraph terms or None) in a SPARQL results format.

    `link` (for a truncated result): an IRI in the head, as the SPARQL JSON and XML results formats
    provide for metadata about the result; CSV and TSV have no head, the HTTP header says it there."""
    if fmt == "json":
        cells: dict = {}  # one cell per distinct term: results repeat IRIs a lot
        bindings = [{v: cells.get(t) or cells.setdefault(t, _term_json(t))
                     for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        head = {"vars": variables, **({"link": [link]} if link else {})}
        body = {"head": head, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables),
               *([f"<link href={quoteattr(link)}/>"] if link else []), "</head><results>"]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                       for v, t in zip(variables, row, strict=True) if t is not None)
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_term_csv(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines.extend("\t".join(_term_tsv(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise NotAcceptable(f"Onbekend resultaatformaat {fmt!r}.")


def serialise_boolean(value: bool, fmt: str) -> bytes:
    text = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{text}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return (text + "\n").encode()
    raise NotAcceptable(f"Onbekend resultaatformaat {fmt!r}.")


def serialise_triples(triples: list, fmt: str, base_uri: str, link: str | None = None) -> bytes:
    prefixes = None
    if fmt in ("ttl", "rdfxml"):
        iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
                if isinstance(t, ox.NamedNode)}
        iris |= {t.datatype.value for triple in triples for t in (triple.object,) if isinstance(t, ox.Literal)}
        prefixes = {p: ns for p, ns in {**PREFIXES, **id_prefixes(base_uri)}.items()
                    if any(iri.startswith(ns) for iri in iris)}
    if fmt not in _OX_FORMATS:
        raise NotAcceptable(f"Onbekend RDF-formaat {fmt!r}.")
    body = ox.serialize(triples, format=_OX_FORMATS[fmt], prefixes=prefixes) or b""
    if link and fmt in ("ttl", "nt"):  # both allow a comment: the graph is cut off, and where that is explained
        body = f"# Afgekapt na {len(triples)} triples: zie <{link}>\n".encode() + body
    return body


# --------------------------------------------------------------------------- jobs and results
@dataclass
class Job:
    query: str
    form: str | None
    fmt: str
    limit: int
    base_uri: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock seconds the worker gives the query before it ends it (0: no limit)
    query_dataset: bool = False  # the query has FROM / FROM NAMED: they form its dataset (Query §13)


@dataclass
class Result:
    body: bytes
    fmt: str
    form: str
    count: int
    truncated: bool
    seconds: float = 0.0
    cached: bool = False  # answered from the endpoint's cache for this content version

    @property
    def media_type(self) -> str:
        return media_type(self.fmt)



def _take(iterator, limit: int) -> tuple[list, bool]:
    items = []
    for item in iterator:
        if len(items) >= limit:
            return items, True
        items.append(item)
    return items, False


def _format_for(fmt: str, form: str) -> str:
    """Keep the chosen format when it fits the form the parser found, else the default for that form."""
    graph = form in GRAPH_FORMS
    if graph and fmt in GRAPH_FORMATS or not graph and fmt in RESULT_FORMATS:
        return fmt
    return "ttl" if graph else "json"


def run_local(store: ox.Store, job: Job) -> Result:
    """Run one query on an Oxigraph store (in a worker process) and serialise the capped result."""
    started = time.monotonic()
    options: dict = {}
    try:
        if job.default_graphs or job.named_graphs:
            # The protocol's default-graph-uri / named-graph-uri replace the query's dataset clause
            # (SPARQL 1.1 Protocol §2.1.4): the default graph is the merge of the first (empty when
            # none is given), the named graphs are exactly the second.
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif not job.query_dataset:  # no dataset at all: the default graph is the union of the graphs
            options["use_default_graph_as_union"] = True
        # else: Oxigraph builds the dataset from the query's FROM / FROM NAMED (Query §13.2)
    except ValueError as exc:
        raise QueryError(f"Ongeldige graaf-IRI in default-graph-uri of named-graph-uri: {exc}") from exc
    try:
        results = store.query(job.query, **options)
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            solutions, truncated = _take(results, job.limit)
            rows = [list(solution) for solution in solutions]  # values in the order of the variables
            fmt = _format_for(job.fmt, "SELECT")
            body = serialise_rows(variables, rows, fmt, job.base_uri + LIMITS_PAGE if truncated else None)
            return Result(body, fmt, "SELECT", len(rows), truncated, time.monotonic() - started)
        if isinstance(results, ox.QueryBoolean):
            fmt = _format_for(job.fmt, "ASK")
            return Result(serialise_boolean(bool(results), fmt), fmt, "ASK", 1, False, time.monotonic() - started)
        triples, truncated = _take(results, job.limit)
        fmt = _format_for(job.fmt, "CONSTRUCT")
        body = serialise_triples(triples, fmt, job.base_uri, job.base_uri + LIMITS_PAGE if truncated else None)
        return Result(body, fmt, job.form or "CONSTRUCT", len(triples), truncated, time.monotonic() - started)
    except SyntaxError as exc:
        raise QueryError(f"Syntaxfout in de query: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"De query kon niet worden uitgevoerd: {exc}", status=500) from exc

