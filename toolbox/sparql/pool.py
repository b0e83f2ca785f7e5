"""The SPARQL worker pool: worker processes with query slots, the queue for a slot, and time limits.

* Queries run in worker processes that hold their own copy of the dataset; the site's store
  is never touched.
* Each query has a time limit. pyoxigraph cannot interrupt a query, so the worker process that
  runs it is ended at the limit and a fresh one is started.
* Each of the `query_workers` processes runs up to `query_threads` queries at once (pyoxigraph
  lets go of the GIL while it evaluates), so a quick query is not stuck behind a heavy one. When
  a worker is ended for one query's time limit, the other queries it was running are sent again
  to a worker that lives.
* Queries beyond that wait in line for a free slot, each at most `query_queue_wait` seconds.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from toolbox.process import limit_malloc_arenas
from toolbox.sparql.errors import Busy, QueryError, QueryTimeout, WorkerLost
from toolbox.sparql.results import Job, Result, run_local

log = logging.getLogger(__name__)

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

    def started(self) -> bool:
        """Whether every worker has loaded the dataset or said why it could not: each slot has its
        first message waiting (or has read it). For a pool nobody runs queries on yet."""
        with self._lock:
            slots = [slot for worker in self._workers for slot in worker.slots]
        try:
            return all(slot.ready or slot.conn.poll(0) for slot in slots)
        except (EOFError, OSError):  # a worker ended: its slot's query says so
            return True

    def alive(self) -> int:
        """How many worker processes are running (for /health)."""
        with self._lock:
            return sum(1 for w in self._workers if not w.retired and w.process.is_alive())

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

