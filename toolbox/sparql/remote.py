"""A SPARQL runner for an external store: user queries forwarded over HTTP with a total time limit.

Used when TOOLBOX_SPARQL_ENDPOINT is set; the answer is capped and serialised here as for the
embedded store (the store should enforce its own time limit too).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from toolbox.sparql.errors import QueryError, QueryTimeout
from toolbox.sparql.protocol import GRAPH_FORMS, RDF_LANGSTRING, XSD_STRING
from toolbox.sparql.results import (
    LIMITS_PAGE,
    Job,
    Result,
    _format_for,
    _take,
    serialise_boolean,
    serialise_rows,
    serialise_triples,
)


def _json_term(cell: dict):
    kind = cell.get("type")
    if kind == "uri":
        return ox.NamedNode(cell["value"])
    if kind == "bnode":
        return ox.BlankNode(cell["value"])
    if kind == "triple":
        value = cell["value"]
        return ox.Triple(_json_term(value["subject"]), _json_term(value["predicate"]), _json_term(value["object"]))
    if "xml:lang" in cell:
        return ox.Literal(cell["value"], language=cell["xml:lang"])
    if cell.get("datatype") and cell["datatype"] not in (XSD_STRING, RDF_LANGSTRING):
        return ox.Literal(cell["value"], datatype=ox.NamedNode(cell["datatype"]))
    return ox.Literal(cell["value"])


class RemoteRunner:
    """Forwards user queries to an external SPARQL 1.1 endpoint with a total time limit."""

    MAX_BYTES = 256 * 1024 * 1024

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def run(self, job: Job, timeout: float) -> Result:
        started = time.monotonic()
        deadline = started + timeout
        graph = job.form in GRAPH_FORMS
        params = [("query", job.query)]
        params += [("default-graph-uri", g) for g in job.default_graphs]
        params += [("named-graph-uri", g) for g in job.named_graphs]
        accept = "application/n-triples" if graph else "application/sparql-results+json"
        request = urllib.request.Request(
            self.endpoint, data=urllib.parse.urlencode(params).encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                chunks, size = [], 0
                while chunk := response.read(65536):
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() > deadline:
                        raise QueryTimeout(timeout)
                    if size > self.MAX_BYTES:
                        raise QueryError("Het resultaat van de externe store is te groot.", status=502)
                body = b"".join(chunks)
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            message = exc.read()[:2000].decode("utf-8", "replace").strip()
            status = exc.code if 400 <= exc.code < 500 else 502
            raise QueryError(f"De store weigerde de query ({exc.code}): {message}", status=status) from exc
        except TimeoutError as exc:
            raise QueryTimeout(timeout) from exc
        except OSError as exc:
            if "timed out" in str(exc):
                raise QueryTimeout(timeout) from exc
            raise QueryError(f"De SPARQL-store is niet bereikbaar: {exc}", status=502) from exc
        if content_type.startswith("application/n-triples") or content_type.startswith("text/plain") or graph:
            quads = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
            triples, truncated = _take((ox.Triple(q.subject, q.predicate, q.object) for q in quads), job.limit)
            fmt = _format_for(job.fmt, "CONSTRUCT")
            link = job.base_uri + LIMITS_PAGE if truncated else None
            return Result(serialise_triples(triples, fmt, job.base_uri, link), fmt, job.form or "CONSTRUCT",
                          len(triples), truncated, time.monotonic() - started)
        data = json.loads(body)
        if "boolean" in data:
            fmt = _format_for(job.fmt, "ASK")
            return Result(serialise_boolean(bool(data["boolean"]), fmt), fmt, "ASK", 1, False,
                          time.monotonic() - started)
        variables = data["head"].get("vars", [])
        bindings, truncated = _take(iter(data["results"]["bindings"]), job.limit)
        rows = [[_json_term(b[v]) if v in b else None for v in variables] for b in bindings]
        fmt = _format_for(job.fmt, "SELECT")
        link = job.base_uri + LIMITS_PAGE if truncated else None
        return Result(serialise_rows(variables, rows, fmt, link), fmt, "SELECT", len(rows), truncated,
                      time.monotonic() - started)

    def close(self) -> None:
        pass
