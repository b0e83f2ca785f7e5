"""The SPARQL worker pool: worker processes with query slots, the queue for a slot, and time limits.

* Queries run in worker processes that hold their own copy of the dataset; the site's store
  is never touched.
* Each request has a wall-clock time limit, counted from its arrival: the wait for a slot, a
  second try and the query itself all fit in it, so nobody waits longer than the limit says.
  pyoxigraph cannot interrupt a query, so the worker process that runs one past the limit is
  ended there and a fresh one is started; the pages keep their CPU because a runaway query never
  outlives its limit (and the workers run at a lower priority than the site).
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
WORKER_NICENESS = 5  # the workers yield the cores to the site's own threads (pages, saves) under load


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


def _worker_main(conns: list, dataset: str) -> None:
    """Entry point of a worker process: load the dataset into memory once, then answer jobs until EOF.

    In memory rather than the read-only on-disk copy the site uses: queries run 2-5 times
    faster that way (measured with the benchmark's research mix), at the cost of a copy per worker.
    Each pipe in `conns` is one query slot with its own thread, so several queries run at once
    (pyoxigraph lets go of the GIL while it evaluates) and a quick one is not held up behind a
    heavy one. The time limit is kept by the parent, which ends the process at a request's deadline.
    """
    limit_malloc_arenas()  # one arena per query thread would eat the address-space limit
    _limit_memory()
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # not on every platform
        pass
    try:
        store = ox.Store()
        store.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        for conn in conns:
            conn.send(("failed", 500, f"Dataset niet te laden: {exc}"))
        return

    def serve(slot: int) -> None:
        conn = conns[slot]
        conn.send(("ready", 0, ""))
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            conn.send(_answer(store, job))

    for slot in range(1, len(conns)):
        threading.Thread(target=serve, args=(slot,), daemon=True).start()
    serve(0)


class _Overdue(Exception):
    """No answer within the wall-clock limit."""


class _Loading(Exception):
    """The slot's worker had not loaded the dataset by the deadline."""


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

        Raises WorkerLost, _Overdue, _Loading or (when the worker cannot start) QueryError."""
        try:
            if not self.ready:
                if not self.conn.poll(min(self.START_TIMEOUT, seconds_left())):
                    raise _Loading()
                status, code, message = self.conn.recv()
                if status != "ready":
                    raise QueryError(message, status=code)
                self.ready = True
            wait = seconds_left()
            job = replace(job, seconds=wait)
            self.conn.send(job)
            if not self.conn.poll(wait):
                raise _Overdue()
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerLost() from exc

    def loaded(self) -> bool:
        """Ready for a job now (or failed: then the job hears why at once)."""
        try:
            return self.ready or self.conn.poll(0)
        except (EOFError, OSError):
            return True


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

    def _acquire(self, until: float) -> _Slot:
        """A free slot, one of a worker that has loaded the dataset first; a slot of a worker that is
        still loading only when no other is free (the query then waits for it within its deadline)."""
        loading: list[_Slot] = []
        try:
            while True:
                try:
                    if loading:
                        slot = self._free.get_nowait()
                    else:
                        slot = self._free.get(timeout=max(0.0, until - time.monotonic()))
                except queue.Empty:
                    if loading:
                        return loading.pop(0)
                    raise Busy() from None
                if slot.worker.retired:
                    continue
                if slot.loaded():
                    return slot
                loading.append(slot)
        finally:
            for slot in loading:
                self._free.put(slot)

    def _release(self, slot: _Slot) -> None:
        if not slot.worker.retired and not self._closed:
            self._free.put(slot)

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
        """Run a job within `timeout` wall-clock seconds from now: the wait for a slot, the query and a
        second try (after another query's overrun ended its worker) all count."""
        now = time.monotonic()
        deadline = now + timeout
        queue_until = min(now + self.wait, deadline)

        def seconds_left() -> float:
            return max(0.0, deadline - time.monotonic())

        crashes, tries = 0, 0
        while True:
            try:  # a query sent again has had its turn: it waits for a place until its own deadline
                slot = self._acquire(deadline if tries else queue_until)
            except Busy:  # no place within the wait (503), or no second place within the limit (504)
                if tries:
                    raise QueryTimeout(timeout) from None
                raise
            tries += 1
            try:
                answer = slot.call(job, seconds_left)
            except _Loading:  # only workers that were still loading were free: the limit came first
                self._release(slot)
                if tries > 1:
                    raise QueryTimeout(timeout) from None
                raise Busy() from None  # it never ran: the endpoint was too busy, as when no place came free
            except _Overdue:
                self._replace(slot.worker, f"een query duurde langer dan {timeout:g} s")
                raise QueryTimeout(timeout) from None
            except WorkerLost:
                ended_for_another = slot.worker.retired  # the pool ended it for another query's overrun
                self._replace(slot.worker, "het proces stopte")
                if seconds_left() <= 0:
                    raise QueryTimeout(timeout) from None
                if not ended_for_another:
                    crashes += 1
                    if crashes == 2:  # this query may be what crashes them: no third worker
                        raise
                continue
            except QueryError as exc:
                self._replace(slot.worker, str(exc))
                raise
            self._release(slot)
            if answer[0] == "ok":
                return answer[1]
            raise QueryError(answer[2], status=answer[1])

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.retired = True
            worker.stop()

