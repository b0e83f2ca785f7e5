"""The public SPARQL endpoint: user queries with limits, result formats and worker processes.

Safety is by construction:

* Queries run through the query parser only (never the update API), in worker processes
  that hold their own copy of the dataset; the site's store is never touched.
* Update forms and SERVICE are refused before anything runs, on a lexical scan that skips
  comments, strings and IRIs exactly as the SPARQL grammar does.
* Each query has a wall-clock limit. pyoxigraph cannot interrupt a query, so the worker
  process that runs it is killed at the limit and a fresh one is started.
* Each of the `query_workers` processes runs up to `query_threads` queries at once (pyoxigraph
  lets go of the GIL while it evaluates), so a quick query is not stuck behind a heavy one. When
  a worker is ended for one query's time limit, the other queries it was running are sent again
  to a worker that lives.
* Queries beyond that wait in line for a free slot, each at most `query_queue_wait` seconds.
  A waiting request sleeps in a web-server thread, so SPARQL may hold all server threads but
  PAGE_THREADS; a request beyond that gets 503 at once, and the pages always have threads left.
* Results stop after `result_limit` rows (or triples); the result says it was truncated.

With TOOLBOX_SPARQL_ENDPOINT set, queries are forwarded to that store with the same checks,
limits and output formats (the store should enforce its own time limit too).
"""

from __future__ import annotations

import atexit
import csv
import functools
import io
import json
import logging
import multiprocessing
import os
import queue
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .config import Settings
from .lru import LRUCache
from .namespaces import PREFIXES, id_prefixes
from .sparql import QueryError
from .sparql_graphs import check_dataset_clauses, check_graph_parameters

log = logging.getLogger(__name__)

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
# Accept media types -> format, in server preference order (the first is the default).
RESULT_ACCEPT = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_ACCEPT = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "ttl",
    "text/plain": "nt",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/x-json+ld": "jsonld",
    "application/turtle": "ttl",
    "text/n3": "ttl",  # Turtle is valid N3
    "text/rdf+n3": "ttl",
    "application/n3": "ttl",
}
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
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def media_type(fmt: str) -> str:
    """The Content-Type we send for a format name, with charset."""
    return (RESULT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt]) + "; charset=utf-8"


class NotAcceptable(QueryError):
    def __init__(self, message: str):
        super().__init__(message, status=406)


def negotiate(form: str, accept, format_param: str | None = None) -> str:
    """The format name for this query form, from `format` or the Accept header (a werkzeug MIMEAccept).

    Raises NotAcceptable when nothing acceptable can be produced.
    """
    graph = form in GRAPH_FORMS
    offered = GRAPH_ACCEPT if graph else RESULT_ACCEPT
    if format_param:
        key = format_param.strip().lower()
        if key in offered.values():
            return key
        if key in offered:  # a media type in the parameter
            return offered[key]
        alias = FORMAT_ALIASES.get(key)
        fmt = alias and alias[1 if graph else 0]
        if not fmt:
            raise NotAcceptable(
                f"Formaat {format_param!r} kan niet voor een {form}-query; kies uit "
                + ", ".join(sorted(GRAPH_FORMATS if graph else RESULT_FORMATS)) + "."
            )
        return fmt
    if accept is None or not list(accept.values()):
        return next(iter(offered.values()))
    best = accept.best_match(list(offered))
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


# --------------------------------------------------------------------------- serialisation
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


def serialise_rows(variables: list[str], rows: list[list], fmt: str) -> bytes:
    """SELECT results (rows of Oxigraph terms or None) in a SPARQL results format."""
    if fmt == "json":
        cells: dict = {}  # one cell per distinct term: results repeat IRIs a lot
        bindings = [{v: cells.get(t) or cells.setdefault(t, _term_json(t))
                     for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        body = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head><results>"]
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


def serialise_triples(triples: list, fmt: str, base_uri: str) -> bytes:
    prefixes = None
    if fmt in ("ttl", "rdfxml"):
        iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
                if isinstance(t, ox.NamedNode)}
        iris |= {t.datatype.value for triple in triples for t in (triple.object,) if isinstance(t, ox.Literal)}
        prefixes = {p: ns for p, ns in {**PREFIXES, **id_prefixes(base_uri)}.items()
                    if any(iri.startswith(ns) for iri in iris)}
    if fmt not in _OX_FORMATS:
        raise NotAcceptable(f"Onbekend RDF-formaat {fmt!r}.")
    return ox.serialize(triples, format=_OX_FORMATS[fmt], prefixes=prefixes) or b""


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
    cpu_seconds: float = 0.0  # the worker ends a query that computes longer than this (0: no limit)


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


class QueryTimeout(QueryError):
    def __init__(self, seconds: float, wall: bool = False):
        what = f"duurde langer dan {seconds:g} seconden" if wall else f"rekende langer dan {seconds:g} seconden"
        super().__init__(
            f"De query {what} en is afgebroken (tijdslimiet). Maak de query specifieker, "
            "bijvoorbeeld met LIMIT of met meer vaste waarden.", status=504,
        )


class Busy(QueryError):
    def __init__(self):
        super().__init__("Het SPARQL-endpoint is op dit moment te druk. Probeer het over enkele seconden opnieuw.",
                         status=503)


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
        if job.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if job.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as exc:
        raise QueryError(f"Ongeldige graaf-IRI in default-graph-uri of named-graph-uri: {exc}") from exc
    try:
        results = store.query(job.query, **options)
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            solutions, truncated = _take(results, job.limit)
            rows = [list(solution) for solution in solutions]  # values in the order of the variables
            fmt = _format_for(job.fmt, "SELECT")
            body = serialise_rows(variables, rows, fmt)
            return Result(body, fmt, "SELECT", len(rows), truncated, time.monotonic() - started)
        if isinstance(results, ox.QueryBoolean):
            fmt = _format_for(job.fmt, "ASK")
            return Result(serialise_boolean(bool(results), fmt), fmt, "ASK", 1, False, time.monotonic() - started)
        triples, truncated = _take(results, job.limit)
        fmt = _format_for(job.fmt, "CONSTRUCT")
        body = serialise_triples(triples, fmt, job.base_uri)
        return Result(body, fmt, job.form or "CONSTRUCT", len(triples), truncated, time.monotonic() - started)
    except SyntaxError as exc:
        raise QueryError(f"Syntaxfout in de query: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"De query kon niet worden uitgevoerd: {exc}", status=500) from exc


# --------------------------------------------------------------------------- worker processes
WORKER_MEMORY_LIMIT = 2 * 1024**3  # address space per worker: a runaway query fails instead of exhausting the host
CPU_CHECK_INTERVAL = 0.05  # seconds between checks of the running queries' CPU time
WALL_LIMIT_FACTOR = 6  # how long (times the CPU limit) a request waits for a query sharing the cores with others


def _limit_memory() -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on every platform; the time limit still holds
        pass


def _answer(store: ox.Store, job: Job) -> tuple:
    try:
        return ("ok", run_local(store, job))
    except QueryError as exc:
        return ("error", exc.status, str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure becomes an answer, the worker lives on
        return ("error", 500, f"Interne fout bij het uitvoeren van de query: {type(exc).__name__}: {exc}")


def _thread_cpu_clock() -> int | None:
    """The CPU-time clock of the calling thread, or None where the platform has none."""
    try:
        return time.pthread_getcpuclockid(threading.get_ident())
    except (AttributeError, OSError):
        return None


def _worker_main(conns: list, dataset: str) -> None:
    """Entry point of a worker process: load the dataset into memory once, then answer jobs until EOF.

    In memory rather than the read-only on-disk copy the site uses: queries run 2-5 times
    faster that way (measured with the benchmark's research mix), at the cost of a copy per worker.
    Each pipe in `conns` is one query slot with its own thread, so several queries run at once
    (pyoxigraph lets go of the GIL while it evaluates) and a quick one is not held up behind a
    heavy one.

    The time limit counts the CPU time of the thread that evaluates the query (pyoxigraph evaluates
    in the calling thread), so a query is not cut off because others share the cores with it. A
    query over its limit cannot be interrupted: the worker says so on that query's pipe and ends.
    """
    from .serve import limit_malloc_arenas

    limit_malloc_arenas()  # one arena per query thread would eat the address-space limit
    _limit_memory()
    try:
        store = ox.Store()
        store.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        for conn in conns:
            conn.send(("failed", 500, f"Dataset niet te laden: {exc}"))
        return
    sending = [threading.Lock() for _ in conns]
    running: dict[int, tuple[int, float, float]] = {}  # slot -> (CPU clock, CPU time at start, limit)

    def serve(slot: int) -> None:
        conn, clock = conns[slot], _thread_cpu_clock()
        with sending[slot]:
            conn.send(("ready", 0, ""))
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if clock is not None and job.cpu_seconds:
                running[slot] = (clock, time.clock_gettime(clock), job.cpu_seconds)
            answer = _answer(store, job)
            running.pop(slot, None)
            with sending[slot]:
                conn.send(answer)

    def watch_cpu() -> None:
        while True:
            time.sleep(CPU_CHECK_INTERVAL)
            for slot, entry in list(running.items()):
                clock, started, limit = entry
                # `is entry`: the slot may have moved on to its next query since the snapshot
                if running.get(slot) is entry and time.clock_gettime(clock) - started > limit:
                    # Every slot hears why the worker ends (no send is cut off: all locks are held),
                    # so the parent runs the other queries again; then the worker ends.
                    for other, lock in enumerate(sending):
                        lock.acquire()
                        conns[other].send(("overrun", 504, "") if other == slot else ("ended", 0, ""))
                    os._exit(3)

    threading.Thread(target=watch_cpu, daemon=True).start()
    for slot in range(1, len(conns)):
        threading.Thread(target=serve, args=(slot,), daemon=True).start()
    serve(0)


class WorkerLost(QueryError):
    def __init__(self):
        super().__init__("De SPARQL-werker stopte onverwacht (mogelijk te weinig geheugen).", status=500)


class _Overdue(Exception):
    """No answer within the wall-clock limit."""


class _Slot:
    """One query thread of a worker process, with a pipe of its own: the request thread that holds
    the slot sends the job and reads the answer itself, with no hand-over between threads."""

    START_TIMEOUT = 120.0

    def __init__(self, worker: _Worker, conn):
        self.worker = worker
        self.conn = conn
        self.ready = False

    def call(self, job: Job, seconds_left) -> tuple:
        """The worker's answer tuple, waiting at most seconds_left() once the worker is up.

        Raises WorkerLost, _Overdue or (when the worker cannot start) QueryError."""
        try:
            if not self.ready:
                if not self.conn.poll(self.START_TIMEOUT):
                    raise QueryError("De SPARQL-werker startte niet op tijd.", status=500)
                status, code, message = self.conn.recv()
                if status != "ready":
                    raise QueryError(message, status=code)
                self.ready = True
            wait = seconds_left()
            self.conn.send(job)
            if not self.conn.poll(wait):
                raise _Overdue()
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerLost() from exc


class _Worker:
    """A worker process and the parent's ends of its slots' pipes."""

    def __init__(self, ctx, dataset: Path, threads: int):
        pairs = [ctx.Pipe() for _ in range(max(1, threads))]
        self.process = ctx.Process(target=_worker_main, args=([child for _, child in pairs], str(dataset)),
                                   daemon=True, name="toolbox-sparql-worker")
        self.process.start()
        for _, child in pairs:
            child.close()
        self.slots = [_Slot(self, parent) for parent, _ in pairs]
        self.retired = False  # set once, by the pool, when it replaces this worker

    def stop(self) -> None:
        """End the process. Its slots' pipes are left open: a thread still reading one gets EOF from the
        ended process (closing it under that thread would break its read), and they close when dropped."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2)


class WorkerPool:
    """A few worker processes, each with its own in-memory copy of the dataset and `threads` query slots.

    `run` waits at most `wait` seconds for a free slot and gives it the job with a time limit. A
    worker whose query overruns is ended and replaced; the other queries it was running are sent
    again, to a slot of a worker that lives. A query whose worker crashes (no overrun) is tried
    once more, not again: it may be the cause.
    """

    def __init__(self, dataset: Path, size: int, wait: float, threads: int = 1):
        self.dataset = dataset
        self.wait = wait
        self.threads = max(1, threads)
        self.cpu_clocks = _thread_cpu_clock() is not None  # the workers run on this same platform
        self._ctx = multiprocessing.get_context("spawn")
        self._free: queue.LifoQueue[_Slot] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._workers = [_Worker(self._ctx, dataset, self.threads) for _ in range(max(1, size))]
        for slots in zip(*(w.slots for w in self._workers), strict=True):  # interleaved: load spreads
            for slot in slots:
                self._free.put(slot)

    def _acquire(self, until: float) -> _Slot:
        while True:
            try:
                slot = self._free.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                raise Busy() from None
            if not slot.worker.retired:
                return slot

    def _release(self, slot: _Slot) -> None:
        if not slot.worker.retired and not self._closed:
            self._free.put(slot)

    def _drain(self, slot: _Slot) -> None:
        """Wait out an answer nobody waits for any more (its CPU limit still holds), then free the slot."""
        try:
            answer = slot.conn.recv()
        except (EOFError, OSError):
            answer = ("lost",)
        if answer[0] in ("ok", "error"):
            self._release(slot)
        else:
            self._replace(slot.worker, "een query waar niemand meer op wachtte overschreed de rekentijd")

    def _replace(self, worker: _Worker, reason: str) -> None:
        """End a worker and put a fresh one in its place (once, however many threads ask)."""
        with self._lock:
            if worker.retired:
                return
            worker.retired = True
            self._workers.remove(worker)
        log.warning("SPARQL-werker %s wordt vervangen: %s", worker.process.pid, reason)
        worker.stop()
        if self._closed:
            return
        fresh = _Worker(self._ctx, self.dataset, self.threads)
        with self._lock:
            self._workers.append(fresh)
        for slot in fresh.slots:
            self._free.put(slot)

    def run(self, job: Job, timeout: float) -> Result:
        """Run a job with `timeout` seconds of CPU time; where threads have no CPU clock, of wall-clock time."""
        queue_until = time.monotonic() + self.wait
        wall = timeout * WALL_LIMIT_FACTOR if self.cpu_clocks else timeout
        job = replace(job, cpu_seconds=timeout)
        deadline: list[float] = []  # fixed when the job is first sent; a second try gets what is left

        def seconds_left() -> float:
            if not deadline:
                deadline.append(time.monotonic() + wall)
            return max(0.0, deadline[0] - time.monotonic())

        crashes = 0
        while True:
            try:  # a query sent again has had its turn: it waits for a place until its own deadline
                slot = self._acquire(deadline[0] if deadline else queue_until)
            except Busy:
                if deadline:
                    raise QueryTimeout(wall, wall=self.cpu_clocks) from None
                raise
            release = True
            try:
                answer = slot.call(job, seconds_left)
            except _Overdue:
                if self.cpu_clocks:  # its CPU limit still holds: stop waiting, without ending the others
                    release = False
                    threading.Thread(target=self._drain, args=(slot,), daemon=True).start()
                else:
                    self._replace(slot.worker, f"een query duurde langer dan {wall:g} s")
                raise QueryTimeout(wall, wall=self.cpu_clocks) from None
            except WorkerLost:
                self._replace(slot.worker, "het proces stopte")
                if deadline and time.monotonic() >= deadline[0]:
                    raise QueryTimeout(wall, wall=self.cpu_clocks) from None
                crashes += 1
                if crashes == 2:  # this query may be what crashes them: no third worker
                    raise
                continue
            except QueryError as exc:
                self._replace(slot.worker, str(exc))
                raise
            finally:
                if release:
                    self._release(slot)
            if answer[0] == "ok":
                return answer[1]
            if answer[0] == "overrun":
                self._replace(slot.worker, f"een query rekende langer dan {timeout:g} s")
                raise QueryTimeout(timeout)
            if answer[0] == "ended":  # another query's time limit ended the worker: run this one again
                self._replace(slot.worker, "een andere query rekende te lang")
                if time.monotonic() >= deadline[0]:
                    raise QueryTimeout(wall, wall=self.cpu_clocks)
                continue
            raise QueryError(answer[2], status=answer[1])

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.retired = True
            worker.stop()


# --------------------------------------------------------------------------- remote store
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
            return Result(serialise_triples(triples, fmt, job.base_uri), fmt, job.form or "CONSTRUCT", len(triples),
                          truncated, time.monotonic() - started)
        data = json.loads(body)
        if "boolean" in data:
            fmt = _format_for(job.fmt, "ASK")
            return Result(serialise_boolean(bool(data["boolean"]), fmt), fmt, "ASK", 1, False,
                          time.monotonic() - started)
        variables = data["head"].get("vars", [])
        bindings, truncated = _take(iter(data["results"]["bindings"]), job.limit)
        rows = [[_json_term(b[v]) if v in b else None for v in variables] for b in bindings]
        fmt = _format_for(job.fmt, "SELECT")
        return Result(serialise_rows(variables, rows, fmt), fmt, "SELECT", len(rows), truncated,
                      time.monotonic() - started)

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- the endpoint
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


# --------------------------------------------------------------------------- examples and description
EXAMPLE_DIR = Path(__file__).parent / "queries" / "examples"


@dataclass
class Example:
    name: str
    title: str
    description: str
    query: str


@functools.cache
def examples() -> list[Example]:
    """The example queries in toolbox/queries/examples/*.rq; `# title:` and `# description:` head each file."""
    found = []
    for path in sorted(EXAMPLE_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = dict(re.findall(r"^#\s*(title|description):\s*(.+)$", text, re.M))
        body = "\n".join(line for line in text.splitlines() if not re.match(r"#\s*(title|description):", line))
        found.append(Example(path.stem, meta.get("title", path.stem), meta.get("description", ""),
                             body.strip() + "\n"))
    return found


def prefix_block(base_uri: str) -> str:
    """PREFIX lines for the query editor: vocabularies and the /id/ type segments."""
    prefixes = {**PREFIXES, **id_prefixes(base_uri)}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())


SERVICE_DESCRIPTION = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix formats: <http://www.w3.org/ns/formats/> .

<{endpoint}#service> a sd:Service ;
    rdfs:label "SPARQL-endpoint Toolbox Openbare Ruimte"@nl ;
    rdfs:comment "Alleen-lezen SPARQL 1.1-endpoint. Tijdslimiet {timeout:g} s {clock} per query, maximaal \
{limit} rijen per resultaat, queries tot {length} tekens. Geen updates en geen SERVICE."@nl ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat formats:SPARQL_Results_JSON , formats:SPARQL_Results_XML , formats:SPARQL_Results_CSV ,
        formats:SPARQL_Results_TSV , formats:Turtle , formats:N-Triples , formats:JSON-LD , formats:RDF_XML ;
    sd:defaultDataset <{base}/data/#dataset-sparql> .

<{base}/data/#dataset-sparql> a sd:Dataset ;
    dcterms:title "Toolbox Openbare Ruimte"@nl ;
    void:sparqlEndpoint <{endpoint}> ;
    sd:defaultGraph [ a sd:Graph ; rdfs:comment "De vereniging (union) van alle benoemde grafen."@nl ] ;
{named}
"""


def service_description(settings: Settings, endpoint_url: str) -> str:
    from .namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY

    graphs = [settings.base_uri + g for g in (GRAPH_CONTENT, GRAPH_ONTOLOGY, GRAPH_INFERRED)]
    named = " ;\n".join(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ]" for g in graphs) + " ."
    clock = "wachttijd" if settings.sparql_endpoint else "rekentijd"
    return SERVICE_DESCRIPTION.format(endpoint=endpoint_url, base=settings.base_uri, timeout=settings.query_timeout,
                                      clock=clock,
                                      limit=settings.result_limit, length=settings.max_query_length, named=named)
