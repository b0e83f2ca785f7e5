"""A SPARQL runner for an external store: user queries forwarded over HTTP with a total time limit.

Used when TOOLBOX_SPARQL_ENDPOINT is set; the answer is capped and serialised here as for the
embedded store (the store should enforce its own time limit too).
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from toolbox.sparql.errors import QueryError, QueryTimeout
from toolbox.sparql.protocol import GRAPH_FORMS
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
from toolbox.terms import ResultError, json_boolean, json_rows

_STORE_TIMEOUT = re.compile(r"time ?out|timed out|execution time|exceeds the limit|tijdslimiet", re.IGNORECASE)
log = logging.getLogger(__name__)


def store_error(status: int, message: str, timeout: float) -> QueryError:
    """What a person is told when the store refuses a query we checked: 504 for its time limit, otherwise
    502, in Dutch. The store's own message (with its internals and the query as it ran) goes to the log
    for the operator, never to the person asking."""
    log.warning("SPARQL-store antwoordde %s: %s", status, " ".join(message.split())[:2000])
    if status in (503, 504) or _STORE_TIMEOUT.search(message):
        return QueryTimeout(timeout)
    return QueryError("De SPARQL-store kon deze query niet beantwoorden. Probeer een eenvoudiger query; de "
                      "beheerder vindt de melding van de store in het logboek van de site.", status=502)


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
            raise store_error(exc.code, exc.read()[:4000].decode("utf-8", "replace"), timeout) from None
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
        try:  # read strictly, in canonical spelling (toolbox/terms.py): the same answer on every engine
            data = json.loads(body)
            if isinstance(data, dict) and "boolean" in data:
                fmt = _format_for(job.fmt, "ASK")
                return Result(serialise_boolean(json_boolean(data), fmt), fmt, "ASK", 1, False,
                              time.monotonic() - started)
            variables, all_rows = json_rows(data)
        except (ValueError, ResultError) as exc:
            raise QueryError("De SPARQL-store gaf een onleesbaar antwoord.", status=502) from exc
        rows, truncated = _take(iter(all_rows), job.limit)
        fmt = _format_for(job.fmt, "SELECT")
        link = job.base_uri + LIMITS_PAGE if truncated else None
        return Result(serialise_rows(variables, rows, fmt, link), fmt, "SELECT", len(rows), truncated,
                      time.monotonic() - started)

    def close(self) -> None:
        pass
