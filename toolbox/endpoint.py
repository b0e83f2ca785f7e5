"""The public SPARQL endpoint: admission, checks and limits around a worker pool or a remote store.

Safety is by construction; each part lives in its own module:

* `sparql_protocol`: result formats, content negotiation, and the refusals (update forms and
  SERVICE, on a lexical scan) before anything runs.
* `sparql_results`: answers serialised in the chosen format, stopped after `result_limit` rows
  (or triples); the result says it was truncated.
* `sparql_pool`: worker processes with their own copy of the dataset, query slots, the queue
  for a slot and the time limits.
* `sparql_remote`: with TOOLBOX_SPARQL_ENDPOINT set, queries are forwarded to that store with
  the same checks, limits and output formats.

Here: a waiting request sleeps in a web-server thread, so SPARQL may hold all server threads but
PAGE_THREADS; a request beyond that gets 503 at once, and the pages always have threads left.
Answers from the embedded dataset are kept per content version.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import replace

from .config import Settings
from .lru import LRUCache
from .sparql import QueryError
from .sparql_graphs import check_dataset_clauses, check_graph_parameters
from .sparql_pool import WorkerPool
from .sparql_protocol import Busy, classify
from .sparql_remote import RemoteRunner
from .sparql_results import Job, Result

PAGE_THREADS = 8  # server threads SPARQL requests leave to the pages of the site


class ResultCache(LRUCache):
    """Answers per query text, format and graphs, for one content version (least recently used out first).

    The embedded dataset does not change within a version, so a repeated query (the examples,
    a notebook run again, many researchers on one tutorial) needs no worker at all."""

    BUDGET = 64 * 1024 * 1024
    ENTRY = 16 * 1024 * 1024  # a heavy research query at 100x content answers some MB of JSON

    def __init__(self):
        super().__init__(max_size=self.BUDGET, size=lambda result: len(result.body), max_entry_size=self.ENTRY)


class Endpoint:
    """Admission control, checks and limits around a worker pool or a remote store."""

    def __init__(self, settings: Settings, runner, cache: ResultCache | None = None):
        self.settings = settings
        self.runner = runner
        self.cache = cache
        held = max(2, settings.server_threads - PAGE_THREADS)  # running or waiting for a slot
        self._admission = threading.BoundedSemaphore(held)

    def prepare(self, query: str | None) -> str | None:
        """Checks that need no store: presence, length, updates, SERVICE. Returns the query form (or None)."""
        if not query or not query.strip():
            raise QueryError("Geen query opgegeven: geef de query mee als parameter `query` of als POST-body "
                             "met Content-Type application/sparql-query.")
        if len(query) > self.settings.max_query_length:
            raise QueryError(f"De query is te lang ({len(query)} tekens; maximaal "
                             f"{self.settings.max_query_length}).", status=413)
        form = classify(query)
        check_dataset_clauses(query, self.settings.base_uri)
        return form

    def execute(self, query: str, fmt: str, form: str | None = None, default_graphs=(), named_graphs=()) -> Result:
        check_graph_parameters(default_graphs, named_graphs, self.settings.base_uri)
        job = Job(query, form, fmt, self.settings.result_limit, self.settings.base_uri,
                  list(default_graphs), list(named_graphs))
        key = (query, form, fmt, tuple(default_graphs), tuple(named_graphs))
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return replace(hit, cached=True)
        if not self._admission.acquire(blocking=False):
            raise Busy()
        try:
            result = self.runner.run(job, self.settings.query_timeout)
        finally:
            self._admission.release()
        if self.cache is not None:
            self.cache.put(key, result)
        return result

    def close(self) -> None:
        self.runner.close()


_ENDPOINTS: dict[tuple, Endpoint] = {}
_ENDPOINTS_LOCK = threading.Lock()


def get_endpoint(settings: Settings, version: str = "") -> Endpoint:
    """The endpoint for this configuration and content version; an older version's workers are stopped."""
    if settings.sparql_endpoint:
        key = ("remote", settings.sparql_endpoint, settings.query_timeout, settings.result_limit)
    else:
        key = ("local", str(settings.build_dir), version, settings.query_timeout, settings.result_limit,
               settings.query_workers, settings.query_threads)
    with _ENDPOINTS_LOCK:
        endpoint = _ENDPOINTS.get(key)
        if endpoint is not None:
            return endpoint
        for old_key in [k for k in _ENDPOINTS if k[:2] == key[:2]]:
            _ENDPOINTS.pop(old_key).close()
        if settings.sparql_endpoint:
            runner = RemoteRunner(settings.sparql_endpoint)
        else:
            dataset = settings.build_dir / "graph.nq"
            runner = WorkerPool(dataset, settings.query_workers, wait=settings.query_queue_wait,
                                threads=settings.query_threads)

        # Only the embedded dataset is known not to change within a version: cache its answers.
        cache = None if settings.sparql_endpoint else ResultCache()
        endpoint = _ENDPOINTS[key] = Endpoint(settings, runner, cache)
        return endpoint


@atexit.register
def _close_all() -> None:
    with _ENDPOINTS_LOCK:
        for endpoint in _ENDPOINTS.values():
            endpoint.close()
        _ENDPOINTS.clear()

