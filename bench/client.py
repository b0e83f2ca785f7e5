"""The benchmark's HTTP side: a keep-alive client, how an answer counts (ok or an error kind), and one pass
of requests (sequential or concurrent) summarised as percentiles and throughput."""


import http.client
import itertools
import json
import threading
import time
from collections import Counter

from .workload import Request, freshen

HOST = "127.0.0.1"


# --------------------------------------------------------------------------- HTTP
class Client:
    """One keep-alive connection (http.client: little client-side overhead)."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout, self.conn = port, timeout, None

    def get(self, req: Request) -> tuple[int | None, bytes, float, str | None]:
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            self.conn.request("GET", req.path, headers=req.headers)
            response = self.conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.will_close:
                self.close()
            return response.status, body, elapsed, None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return None, b"", time.perf_counter() - started, type(exc).__name__

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def classify(req: Request, status: int | None, body: bytes, exc: str | None) -> str | None:
    """None when the answer is good, else a short error kind."""
    if exc:
        return exc
    if status != 200:
        return f"HTTP {status}"
    if req.expect in ("json", "sparql"):
        try:
            data = json.loads(body)
        except ValueError:
            return "geen JSON"
        if req.expect == "sparql" and not ("results" in data or "boolean" in data):
            return "geen SPARQL-resultaat"
    return None


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of values; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(min(rank, len(ordered))) - 1]


def summarise(samples: list[tuple[int, float, str | None]], wall: float, requests: list[Request]) -> dict:
    ok = [s[1] * 1000 for s in samples if s[2] is None]
    errors = Counter(s[2] for s in samples if s[2] is not None)
    per_url = []
    for i, req in enumerate(requests):
        mine = [s[1] * 1000 for s in samples if s[0] == i and s[2] is None]
        bad = Counter(s[2] for s in samples if s[0] == i and s[2] is not None)
        per_url.append({"url": req.label, "n": len(mine), "median_ms": _r(percentile(mine, 50)),
                        "errors": dict(bad)})
    return {
        "n": len(samples),
        "ok": len(ok),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "median_ms": _r(percentile(ok, 50)),
        "p95_ms": _r(percentile(ok, 95)),
        "max_ms": _r(max(ok) if ok else None),
        "throughput_rps": round(len(ok) / wall, 1) if wall > 0 else None,
        "wall_s": round(wall, 2),
        "per_url": per_url,
    }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def run_pass(port: int, requests: list[Request], clients: int, max_requests: int, max_seconds: float,
             timeout: float, fresh: str | None = None) -> dict:
    """clients threads send requests round-robin until max_requests or max_seconds; returns statistics.
    With fresh (a pass name), request i carries a unique comment, so no cache answers it."""
    counter = itertools.count()
    samples: list[tuple[int, float, str | None]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker():
        client = Client(port, timeout)
        local = []
        barrier.wait()
        while True:
            i = next(counter)
            if i >= max_requests or time.perf_counter() > deadline[0]:
                break
            req = requests[i % len(requests)]
            status, body, elapsed, exc = client.get(freshen(req, f"{fresh}-{i}") if fresh else req)
            local.append((i % len(requests), elapsed, classify(req, status, body, exc)))
        client.close()
        with lock:
            samples.extend(local)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + max_seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(max_seconds + timeout + 30)
    wall = time.perf_counter() - started
    return summarise(samples, wall, requests)


