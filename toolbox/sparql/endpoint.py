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

A new content version (after a save) gets new workers, and loading the dataset takes them seconds
at 100x content. Meanwhile the endpoint of the previous version keeps answering; once every new
worker has loaded, the new endpoint takes over and the old one is closed when the queries it is
running are answered (`hand_over`). So a save never leaves queries waiting in a queue.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from dataclasses import replace

from toolbox.config import Settings
from toolbox.lru import LRUCache
from toolbox.sparql.errors import Busy, QueryError, QueryTimeout
from toolbox.sparql.graphs import check_dataset_clauses, check_graph_parameters
from toolbox.sparql.pool import WorkerPool
from toolbox.sparql.protocol import check_limit, classify
from toolbox.sparql.remote import RemoteRunner
from toolbox.sparql.results import Job, Result
from toolbox.sparql.standard import check_standard

log = logging.getLogger(__name__)

PAGE_THREADS = 8  # server threads SPARQL requests leave to the pages of the site
HANDOVER_TIMEOUT = 120.0  # seconds new workers get to load before they take over anyway (they then say why not)
HANDOVER_POLL = 0.1
# A newer version waits for the one loading to take over, unless that has been loading this long: with
# saves every few seconds, starting again for each one kept the workers loading and never serving it.
REPLACE_PENDING_AFTER = 60.0
# While saves come in, new workers start at most this often, for the newest version: a load (150 MB, a core
# for seconds at 100x) and its warm-up every 5 s kept the workers busy and took that core from the readers.
FOLLOW_EVERY = 30.0
WARM_QUERIES = 100  # the previous version's most recent answers, run again before a hand-over
WARM_SECONDS = 120.0  # for at most this long (the previous version answers meanwhile)
# Each of them gets this many times a request's limit: it was answered within that limit once, so it
# ends, but under load (readers, a save) a heavy one takes longer, and a request that found it missing
# after the hand-over would run it under load again and time out (the soak's 5xx of 2026-12-07).
LONG_LIMIT_FACTOR = 6.0
# Queries at a time that may go on after their request's limit, to that longer limit, into the cache
# (`Endpoint._run_once`); each holds one worker slot, never a web-server thread.
OVERRUNS = 2


class ResultCache(LRUCache):
    """Answers per query text, format and graphs, for one content version (least recently used out first).

    The embedded dataset does not change within a version, so a repeated query (the examples,
    a notebook run again, many researchers on one tutorial) needs no worker at all."""

    BUDGET = 64 * 1024 * 1024
    ENTRY = 16 * 1024 * 1024  # a heavy research query at 100x content answers some MB of JSON

    def __init__(self):
        super().__init__(max_size=self.BUDGET, size=lambda result: len(result.body), max_entry_size=self.ENTRY)


class _Shared:
    """The outcome of one query run, for those who asked the same meanwhile."""

    def __init__(self):
        self.done = threading.Event()
        self.result: Result | None = None
        self.error: QueryError | None = None
        self.overrun = False  # it may go on after the limit of the request that started it


class Endpoint:
    """Admission control, checks and limits around a worker pool or a remote store."""

    def __init__(self, settings: Settings, runner, cache: ResultCache | None = None, version: str = ""):
        self.settings = settings
        self.runner = runner
        self.cache = cache
        self.version = version
        held = max(2, settings.server_threads - PAGE_THREADS)  # running or waiting for a slot
        self._admission = threading.BoundedSemaphore(held)
        self._running = 0  # queries on this endpoint's runner now
        self._changed = threading.Condition()
        self._successor: Endpoint | None = None  # set when closed after a hand-over
        self._computing: dict[tuple, _Shared] = {}  # queries running now, for those asking the same
        self._overruns = threading.BoundedSemaphore(OVERRUNS)  # queries that may outlast a request's limit
        self._longest = settings.query_timeout + 1.0  # a request's wall-clock limit, and a moment to answer
        self.closed = False

    def prepare(self, query: str | None) -> str | None:
        """Checks that need no store: presence, length, updates, SERVICE. Returns the query form (or None)."""
        if not query or not query.strip():
            raise QueryError("Geen query opgegeven: geef de query mee als parameter `query` of als POST-body "
                             "met Content-Type application/sparql-query.")
        if len(query) > self.settings.max_query_length:
            raise QueryError(f"De query is te lang ({len(query)} tekens; maximaal "
                             f"{self.settings.max_query_length}).", status=413)
        form = classify(query)
        check_standard(query)  # only standard SPARQL 1.1 reaches a store (toolbox/sparql/standard.py)
        check_dataset_clauses(query, self.settings.base_uri)
        check_limit(query, self.settings.result_limit)
        return form

    def execute(self, query: str, fmt: str, form: str | None = None, default_graphs=(), named_graphs=()) -> Result:
        check_graph_parameters(default_graphs, named_graphs, self.settings.base_uri)
        key = (query, form, fmt, tuple(default_graphs), tuple(named_graphs))
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return replace(hit, cached=True)
        job = self._job(key)
        with self._changed:
            successor = self._successor if self.closed else None
            if successor is None:
                self._running += 1
        if successor is not None:  # handed over between get_endpoint and here: the new one answers
            return successor.execute(query, fmt, form, default_graphs, named_graphs)
        try:
            if not self._admission.acquire(blocking=False):
                raise Busy()
            try:
                return self._run_once(key, job)
            finally:
                self._admission.release()
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def _job(self, key: tuple) -> Job:
        query, form, fmt, default_graphs, named_graphs = key
        return Job(query, form, fmt, self.settings.result_limit, self.settings.base_uri,
                   list(default_graphs), list(named_graphs),
                   query_dataset=check_dataset_clauses(query, self.settings.base_uri))

    def _run_once(self, key: tuple, job: Job, limit: float | None = None) -> Result:
        """Run the job, or wait for the same query that runs already and share its outcome: many
        clients asking one heavy query of an empty cache (after a start or a save) run it once, and
        a query that timed out (or was refused) is not run again by each of them.

        A request waits at most its limit. Up to OVERRUNS queries at a time may go on after that, in
        the background, to LONG_LIMIT_FACTOR times the limit, and land in the cache: a heavy query
        that misses the limit only because the machine is busy is then answered for the next
        request, instead of being stopped with its worker (a reload of the dataset) again and again.
        `limit` (warming): run here and now within that limit."""
        if self.cache is None:
            return self.runner.run(job, self.settings.query_timeout if limit is None else limit)
        with self._changed:
            running = self._computing.get(key)
            leader = running is None
            if leader:
                running = self._computing[key] = _Shared()
        if leader and limit is not None:
            self._compute(key, job, running, limit)
        elif leader:
            running.overrun = self._overruns.acquire(blocking=False)
            long = self.settings.query_timeout * (LONG_LIMIT_FACTOR if running.overrun else 1.0)
            threading.Thread(target=self._compute, args=(key, job, running, long),
                             name="toolbox-sparql-query", daemon=True).start()
        wait = self.settings.query_timeout if limit is None else limit
        if not running.done.wait(wait):
            raise QueryTimeout(self.settings.query_timeout, finishing=running.overrun)
        if running.error is not None:
            raise running.error
        return running.result if leader else replace(running.result, cached=True)

    def _compute(self, key: tuple, job: Job, running: _Shared, limit: float) -> None:
        """Run one query for everyone asking it; its answer goes into the cache, its error to them."""
        try:
            running.result = self.runner.run(job, limit)
            self.cache.put(key, running.result)
        except QueryError as exc:
            running.error = exc
        except Exception as exc:  # noqa: BLE001 - reported to those who wait, not lost in a thread
            log.exception("SPARQL-query mislukt")
            running.error = QueryError(f"Interne fout bij het uitvoeren van de query: {type(exc).__name__}",
                                       status=500)
        finally:
            with self._changed:
                self._computing.pop(key, None)
            if running.overrun:
                self._overruns.release()
            running.done.set()

    def warm_from(self, other: Endpoint, queries: int = WARM_QUERIES, seconds: float = WARM_SECONDS) -> int:
        """Run the queries `other` answered most recently, so this endpoint takes over with them in
        its cache; returns how many. Only answers `other` kept are run again (each ended within a
        request's limit once: no time bombs), each with LONG_LIMIT_FACTOR times that limit, since a
        machine busy with readers and a save runs a heavy one slower than the request that first
        asked it. Nobody asks this endpoint anything yet, so no admission slot is taken."""
        if self.cache is None or other.cache is None:
            return 0
        until = time.monotonic() + seconds
        done = 0
        for key in other.cache.recent_keys(queries):
            left = until - time.monotonic()
            if left <= 0:
                break
            if self.cache.get(key) is not None:
                continue
            try:
                self._run_once(key, self._job(key), min(left, self.settings.query_timeout * LONG_LIMIT_FACTOR))
                done += 1
            except QueryError:
                continue
        return done

    def retire(self, successor: Endpoint) -> None:
        """Hand over to `successor`, then close once the queries running here are answered (in the
        background, at most as long as a query may take)."""
        def close_when_done():
            with self._changed:
                self._changed.wait_for(lambda: self._running == 0, self._longest)
                self._successor, self.closed = successor, True
            self.runner.close()

        threading.Thread(target=close_when_done, name="toolbox-sparql-retire", daemon=True).start()

    def close(self) -> None:
        with self._changed:
            self.closed = True
        self.runner.close()


# One serving endpoint per store (a build folder or a remote URL), and at most one waiting to take over.
_SERVING: dict[tuple, tuple[tuple, Endpoint]] = {}  # family -> (limits, endpoint)
_PENDING: dict[tuple, Endpoint] = {}  # family -> endpoint whose workers are still loading
_RETIRED: dict[tuple, deque] = {}  # family -> versions that were served before (a late request may name one)
_PENDING_SINCE: dict[tuple, float] = {}  # family -> when its pending endpoint started loading (gone once loaded)
_WANTED: dict[tuple, tuple] = {}  # family -> (settings, version) to load once the pending one has taken over
_LOAD_STARTED: dict[tuple, float] = {}  # family -> when the last new workers started loading
_ENDPOINTS_LOCK = threading.Lock()


def _family_and_limits(settings: Settings) -> tuple[tuple, tuple]:
    if settings.sparql_endpoint:
        return ("remote", settings.sparql_endpoint), (settings.query_timeout, settings.result_limit)
    return ("local", str(settings.build_dir)), (settings.query_timeout, settings.result_limit,
                                                settings.query_workers, settings.query_threads)


def _new_endpoint(settings: Settings, version: str) -> Endpoint:
    if settings.sparql_endpoint:
        return Endpoint(settings, RemoteRunner(settings.sparql_endpoint), version=version)
    runner = WorkerPool(settings.build_dir / "graph.nq", settings.query_workers, wait=settings.query_queue_wait,
                        threads=settings.query_threads)
    # Only the embedded dataset is known not to change within a version: cache its answers.
    return Endpoint(settings, runner, ResultCache(), version=version)


def get_endpoint(settings: Settings, version: str = "") -> Endpoint:
    """The endpoint that answers now for this store; started on first use. After a new content version
    it may still be the previous version's for a while (`hand_over`); other limits replace it at once."""
    family, limits = _family_and_limits(settings)
    with _ENDPOINTS_LOCK:
        serving = _SERVING.get(family)
        if serving is not None and serving[0] == limits:
            endpoint, newer = serving[1], serving[1].version != version
        else:
            endpoint, newer = _replace_at_once(settings, family, limits, version), False
    if newer:  # e.g. another app over the same folder, after a build: hand_over ignores older versions
        hand_over(settings, version)
    return endpoint


def endpoint_status(settings: Settings) -> dict:
    """What /health says of the SPARQL side: workers started (on the first query), alive, and the version."""
    family, _ = _family_and_limits(settings)
    with _ENDPOINTS_LOCK:
        serving, pending = _SERVING.get(family), _PENDING.get(family)
    if settings.sparql_endpoint:
        return {"status": "ok", "soort": "extern", "versie": serving[1].version if serving else None}
    if serving is None:
        return {"status": "ok", "soort": "ingebouwd", "gestart": False, "werkers": 0,
                "ingesteld": settings.query_workers}
    runner = serving[1].runner
    alive = runner.alive() if hasattr(runner, "alive") else 0
    return {"status": "ok" if alive else "fout", "soort": "ingebouwd", "gestart": True, "werkers": alive,
            "ingesteld": settings.query_workers, "versie": serving[1].version,
            "nieuwe_versie_laadt": pending is not None}


def _replace_at_once(settings: Settings, family: tuple, limits: tuple, version: str) -> Endpoint:
    """Under the lock: the first endpoint for this store, or one with other limits."""
    _close_family(family)
    endpoint = _new_endpoint(settings, version)
    _SERVING[family] = (limits, endpoint)
    return endpoint


def hand_over(settings: Settings, version: str) -> None:
    """A new content version is on disk: start workers for it; the serving endpoint answers until
    they have all loaded it, then they take over. Nothing starts when no query was asked yet."""
    with _ENDPOINTS_LOCK:
        _hand_over(settings, version)


def _hand_over(settings: Settings, version: str) -> None:
    """Under the lock (so a version that follows later is always the newest one asked for)."""
    family, limits = _family_and_limits(settings)
    serving = _SERVING.get(family)
    if serving is None or serving[1].version == version or version in _RETIRED.get(family, ()):
        return
    pending = _PENDING.get(family)
    if pending is not None:
        if pending.version == version:
            return
        since = _PENDING_SINCE.get(family)  # None once loaded: it is warming, which ends by itself
        if since is None or time.monotonic() - since < REPLACE_PENDING_AFTER:
            _WANTED[family] = (settings, version)  # one load at a time: this one follows
            return
        _PENDING.pop(family).close()  # it does not load (a broken file?): the newer one replaces it
    wait = _LOAD_STARTED.get(family, -FOLLOW_EVERY) + FOLLOW_EVERY - time.monotonic()
    if wait > 0 and not settings.sparql_endpoint:  # saves in a row: the newest follows after a pause
        if family not in _WANTED:
            threading.Thread(target=_follow_wanted, args=(family, wait), daemon=True).start()
        _WANTED[family] = (settings, version)
        return
    _WANTED.pop(family, None)
    fresh, _LOAD_STARTED[family] = _new_endpoint(settings, version), time.monotonic()
    if settings.sparql_endpoint:  # nothing to load
        _promote(family, limits, fresh)
        return
    _PENDING[family], _PENDING_SINCE[family] = fresh, time.monotonic()
    threading.Thread(target=_take_over_when_loaded, args=(family, limits, fresh),
                     name="toolbox-sparql-handover", daemon=True).start()


def _follow_wanted(family: tuple, wait: float) -> None:
    """After FOLLOW_EVERY: the newest version saved meanwhile loads (or waits for the one loading)."""
    time.sleep(wait)
    with _ENDPOINTS_LOCK:
        if family in _WANTED:
            _hand_over(*_WANTED.pop(family))


def _take_over_when_loaded(family: tuple, limits: tuple, fresh: Endpoint) -> None:
    until = time.monotonic() + HANDOVER_TIMEOUT
    while not fresh.closed and not fresh.runner.started() and time.monotonic() < until:
        time.sleep(HANDOVER_POLL)
    with _ENDPOINTS_LOCK:
        serving = _SERVING.get(family) if _PENDING.get(family) is fresh else None
        if serving is not None:  # loaded: from here on a newer version waits for it (warming is bounded)
            _PENDING_SINCE.pop(family, None)
    if serving is not None:
        fresh.warm_from(serving[1])
    with _ENDPOINTS_LOCK:
        if _PENDING.get(family) is fresh:
            del _PENDING[family]
            _promote(family, limits, fresh)
        if _PENDING.get(family) is None and family in _WANTED:  # saves came in while this one loaded:
            _hand_over(*_WANTED.pop(family))  # the newest of them follows


def _promote(family: tuple, limits: tuple, fresh: Endpoint) -> None:
    """Under the lock: `fresh` answers from now on; the old endpoint ends after its running queries."""
    old = _SERVING.get(family)
    _SERVING[family] = (limits, fresh)
    if old is not None:
        _RETIRED.setdefault(family, deque(maxlen=64)).append(old[1].version)
        old[1].retire(fresh)


@atexit.register
def _close_all() -> None:
    with _ENDPOINTS_LOCK:
        for endpoint in [e for _, e in _SERVING.values()] + list(_PENDING.values()):
            endpoint.close()
        for kept in (_SERVING, _PENDING, _WANTED, _LOAD_STARTED):
            kept.clear()


def close_endpoints(settings: Settings) -> None:
    """Stop the workers of this store (serving and loading), e.g. when an app over it shuts down."""
    with _ENDPOINTS_LOCK:
        _close_family(_family_and_limits(settings)[0])


def _close_family(family: tuple) -> None:
    for kept in (_WANTED, _LOAD_STARTED):
        kept.pop(family, None)
    serving = _SERVING.pop(family, None)
    for endpoint in (_PENDING.pop(family, None), serving[1] if serving else None):
        if endpoint is not None:
            endpoint.close()
