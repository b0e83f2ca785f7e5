"""Measure the site and the SPARQL endpoint against their limits at 1x, 10x and 100x content.

For each size: generate content, `toolbox build`, start the real server (`toolbox serve`,
Granian) as a subprocess, time the cold start, then per request type a sequential pass
(1 client) and a concurrent pass (--clients threads, keep-alive, loopback only). The same
SPARQL mix runs against an Oxigraph server on the same dataset. Every figure is also given as a
ratio to a baseline from the same run (static file for pages and search, Oxigraph for SPARQL).
Results go to bench/results/{date}.json and docs/benchmarks.md.

    python -m bench.run --sizes 1,10,100 --clients 50
    python -m bench.run --quick            # smoke: 1x, a handful of requests
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolbox.config import REPO_ROOT

from . import generate as gen
from .report import evaluate_targets, write_markdown
from .workload import Request, Target, all_targets, freshen

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"


@dataclass
class Budget:
    """How much to send per request type: a count and a time cap, per pass."""

    seq_requests: int = 200
    seq_seconds: float = 15.0
    load_requests: int = 3000
    load_seconds: float = 30.0
    timeout: float = 60.0


QUICK = Budget(seq_requests=10, seq_seconds=5, load_requests=100, load_seconds=5, timeout=30)


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


# --------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess we started, with its cold start and peak memory."""

    def __init__(self, name: str, cmd: list[str], env: dict, port: int, ready: list[Request], log: Path):
        self.name, self.cmd, self.env, self.port, self.ready, self.log = name, cmd, env, port, ready, log
        self.proc: subprocess.Popen | None = None
        self.cold_start_s: float | None = None
        self.ready_url: str | None = None

    def start(self, timeout: float = 900.0) -> float:
        """Start the process; seconds until the first successful (2xx) response."""
        handle = self.log.open("wb")
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        handle.close()
        candidates = itertools.cycle(self.ready)
        req = next(candidates)
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopte tijdens het starten (code {self.proc.returncode}); "
                                   f"zie {self.log}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", req.path, headers=req.headers)
                status = conn.getresponse().status
                conn.close()
            except OSError:
                time.sleep(0.02)
                continue
            if 200 <= status < 300:
                self.cold_start_s = round(time.perf_counter() - started, 3)
                self.ready_url = req.label
                return self.cold_start_s
            req = next(candidates)  # answered, but not 2xx: try the next readiness URL
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} antwoordde niet binnen {timeout} s")

    def peak_rss(self, with_children: bool = False) -> int | None:
        """Peak resident memory (bytes): VmHWM from /proc, else psutil's current RSS, of the process
        and its direct children (Granian runs the site in a child process). With children, of all
        its descendants too (the SPARQL workers). The peaks are added up: an upper bound, since
        they need not coincide."""
        if self.proc is None:
            return None
        pids = [self.proc.pid] + _descendants(self.proc.pid, None if with_children else 1)
        total = 0
        for pid in pids:
            peak = _vm_hwm(pid)
            if peak is None:
                try:
                    import psutil

                    peak = psutil.Process(pid).memory_info().rss
                except Exception:  # psutil missing or process gone
                    peak = None
            if peak is None and pid == self.proc.pid:
                return None
            total += peak or 0
        return total

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(15)


def proc_memory(pid: int, key: str = "VmHWM") -> int | None:
    """A memory line of /proc/{pid}/status in bytes (VmHWM: peak resident, VmRSS: resident now)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _vm_hwm(pid: int) -> int | None:
    return proc_memory(pid, "VmHWM")


def _descendants(pid: int, depth: int | None = None) -> list[int]:
    """Child processes down to `depth` generations (all with None), from /proc/{pid}/task/*/children."""
    out, todo = [], [(pid, 0)]
    while todo:
        current, level = todo.pop()
        if depth is not None and level >= depth:
            continue
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                kids = [int(x) for x in children.read_text().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += [(kid, level + 1) for kid in kids]
    return out


def toolbox_env(content: Path, build: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update(TOOLBOX_CONTENT=str(content), TOOLBOX_BUILD=str(build), TOOLBOX_INSTANCE=str(build / "instance"),
               PYTHONUNBUFFERED="1")
    return env


def run_command(cmd: list[str], env: dict | None, log: Path) -> float:
    started = time.perf_counter()
    with log.open("wb") as handle:
        result = subprocess.run(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(cmd[:3])} … faalde (code {result.returncode}):\n{tail}")
    return round(time.perf_counter() - started, 2)


# --------------------------------------------------------------------------- one size
def measure_target(target: Target, port: int, clients: int, budget: Budget, say) -> dict:
    # Warm-up: each URL once (fills per-version caches, like a visitor before us would).
    # The warm-up times are what the first visitor of a URL waits (nothing cached yet for it).
    warm = Client(port, budget.timeout)
    warm_errors = Counter()
    first_ms = []
    for i, req in enumerate(target.requests):
        status, body, elapsed, exc = warm.get(freshen(req, f"warm-{i}") if target.fresh else req)
        kind = classify(req, status, body, exc)
        if kind:
            warm_errors[kind] += 1
        else:
            first_ms.append(elapsed * 1000)
    warm.close()
    seq = run_pass(port, target.requests, 1, budget.seq_requests, budget.seq_seconds, budget.timeout,
                   fresh="seq" if target.fresh else None)
    load = run_pass(port, target.requests, clients, budget.load_requests, budget.load_seconds, budget.timeout,
                    fresh="load" if target.fresh else None)
    say(f"    {target.name:16s} 1 client: mediaan {seq['median_ms']} ms | {clients} clients: mediaan "
        f"{load['median_ms']} ms, p95 {load['p95_ms']} ms, {load['throughput_rps']} req/s, "
        f"{load['errors']} fouten {load['error_kinds'] or ''}")
    return {"kind": target.kind, "server": target.server, "title": target.title,
            "urls": [r.label for r in target.requests], "warmup_errors": dict(warm_errors),
            "first_ms": {"median": _r(percentile(first_ms, 50)), "max": _r(max(first_ms) if first_ms else None)},
            "seq": seq, "load": load}


def ratios(targets: dict) -> dict:
    """Median per target divided by its baseline's median, per pass."""
    out = {}
    for name, t in targets.items():
        base = "sparql_oxigraph" if t["kind"] == "sparql" else "static"
        if name == base or base not in targets:
            continue
        out[name] = {"baseline": base}
        for phase in ("seq", "load"):
            mine, ref = t[phase]["median_ms"], targets[base][phase]["median_ms"]
            out[name][phase] = round(mine / ref, 2) if mine is not None and ref else None
    return out


def sparql_agreement(port_toolbox: int, port_oxi: int, target_toolbox: Target, target_oxi: Target) -> list[dict]:
    """Per query: do both endpoints give the same number of rows (a fair comparison)?"""
    out = []
    a, b = Client(port_toolbox, 60), Client(port_oxi, 60)
    for req_a, req_b in zip(target_toolbox.requests, target_oxi.requests, strict=True):
        counts = []
        for client, req in ((a, req_a), (b, req_b)):
            status, body, _, exc = client.get(req)
            try:
                data = json.loads(body) if status == 200 else None
            except ValueError:
                data = None
            if data is None:
                counts.append(None)
            elif "boolean" in data:
                counts.append(f"ASK {data['boolean']}")
            else:
                counts.append(len(data.get("results", {}).get("bindings", [])))
        out.append({"toolbox": counts[0], "oxigraph": counts[1], "same": counts[0] == counts[1]})
    a.close()
    b.close()
    return out


def run_size(factor: int, args, budget: Budget, workdir: Path, say) -> dict:
    from .workload import SPARQL_MIX

    size_dir = workdir / f"{factor}x"
    content, build = size_dir / "content", size_dir / "build"
    size_dir.mkdir(parents=True, exist_ok=True)
    result: dict = {"factor": factor}

    say(f"[{factor}x] inhoud genereren …")
    summary = gen.generate(Path(args.source), content, factor, seed=args.seed, force=True)
    result["generate"] = summary.as_dict()
    result["counts"] = summary.counts

    say(f"[{factor}x] toolbox build …")
    env = toolbox_env(content, build)
    build_cmd = [str(BIN / "toolbox"), "build", "--force"] + ([] if args.owl else ["--no-owl"])
    result["build_s"] = run_command(build_cmd, env, size_dir / "build.log")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    result["triples"] = manifest.get("triples")
    result["dataset_bytes"] = (build / "graph.nq").stat().st_size

    targets = all_targets(content, factor)
    by_name = {t.name: t for t in targets}
    port = free_port()
    serve_cmd = [str(BIN / "toolbox"), "serve", "--host", HOST, "--port", str(port)]
    if args.server_threads:
        serve_cmd += ["--threads", str(args.server_threads)]
    if args.query_workers:
        env["TOOLBOX_QUERY_WORKERS"] = str(args.query_workers)
    if args.query_threads:
        env["TOOLBOX_QUERY_THREADS"] = str(args.query_threads)
    site = Server("toolbox serve", serve_cmd, env, port, [Request("/"), by_name["static"].requests[0]],
                  size_dir / "serve.log")

    oxi_dir = size_dir / "oxigraph"
    oxi_port = free_port()
    oxigraph = Server("oxigraph serve", [str(BIN / "oxigraph"), "serve-read-only", "--location", str(oxi_dir),
                                         "--bind", f"{HOST}:{oxi_port}", "--union-default-graph"], None, oxi_port,
                      [Request("/query?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"})],
                      size_dir / "oxigraph.log")
    measured: dict = {}
    try:
        say(f"[{factor}x] toolbox serve starten …")
        result["cold_start_s"] = site.start()
        result["cold_start_url"] = site.ready_url
        say(f"[{factor}x] koude start {result['cold_start_s']} s ({site.ready_url}); meten met "
            f"{args.clients} clients …")
        for t in targets:
            if t.server == "toolbox":
                measured[t.name] = measure_target(t, port, args.clients, budget, say)
        result["peak_rss_bytes"] = site.peak_rss()

        say(f"[{factor}x] Oxigraph-server laden en starten …")
        result["oxigraph_load_s"] = run_command([str(BIN / "oxigraph"), "load", "--location", str(oxi_dir),
                                                 "--file", str(build / "graph.nq")], None,
                                                size_dir / "oxigraph-load.log")
        result["oxigraph_cold_start_s"] = oxigraph.start()
        for t in targets:
            if t.server == "oxigraph":
                measured[t.name] = measure_target(t, oxi_port, args.clients, budget, say)
        result["oxigraph_peak_rss_bytes"] = oxigraph.peak_rss()
        agreement = sparql_agreement(port, oxi_port, by_name["sparql_toolbox"], by_name["sparql_oxigraph"])
        result["sparql_queries"] = [{"name": name, **a} for (name, _), a in zip(SPARQL_MIX, agreement, strict=True)]
        result["peak_rss_bytes"] = site.peak_rss()  # again: the agreement check also ran on it
        result["peak_rss_with_workers_bytes"] = site.peak_rss(with_children=True)
    finally:
        site.stop()
        oxigraph.stop()
    result["targets"] = measured
    result["ratios"] = ratios(measured)
    toolbox_targets = [t for t in measured.values() if t["server"] == "toolbox"]
    result["errors"] = {
        "load": sum(t["load"]["errors"] for t in toolbox_targets),
        "seq": sum(t["seq"]["errors"] for t in toolbox_targets),
        "warmup": sum(sum(t["warmup_errors"].values()) for t in toolbox_targets),
        "oxigraph": sum(t["load"]["errors"] + t["seq"]["errors"] for t in measured.values()
                        if t["server"] == "oxigraph"),
        "clients": args.clients,
    }
    return result


# --------------------------------------------------------------------------- machine, main
def machine_info() -> dict:
    cpu = platform.processor() or ""
    memory = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for module in ("pyoxigraph", "granian", "flask", "rdflib"):
        try:
            from importlib.metadata import version

            versions[module] = version(module)
        except Exception:
            versions[module] = None
    try:
        versions["oxigraph-cli"] = subprocess.run([str(BIN / "oxigraph"), "--version"], capture_output=True,
                                                  text=True, timeout=10).stdout.strip()
    except OSError:
        versions["oxigraph-cli"] = None
    commit = None
    try:  # read-only
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
    except OSError:
        pass
    return {"platform": platform.platform(), "cpu": cpu, "cpus": os.cpu_count(), "memory_bytes": memory,
            "python": platform.python_version(), "versions": versions, "commit": commit}


def parse_args(argv: list[str] | None = None):
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default=None, help="factoren, komma-gescheiden (standaard 1,10,100; --quick: 1)")
    p.add_argument("--clients", type=int, default=50, help="gelijktijdige clients in de belaste meting")
    p.add_argument("--quick", action="store_true", help="rooktest: weinig verzoeken, schrijft geen docs")
    p.add_argument("--requests", type=int, help="max. verzoeken per soort in de belaste meting")
    p.add_argument("--duration", type=float, help="max. seconden per soort in de belaste meting")
    p.add_argument("--seq-requests", type=int, help="max. verzoeken per soort met 1 client")
    p.add_argument("--server-threads", type=int, help="serverthreads (standaard die van toolbox serve)")
    p.add_argument("--query-workers", type=int, help="TOOLBOX_QUERY_WORKERS voor de server (standaard die van toolbox)")
    p.add_argument("--query-threads", type=int, help="TOOLBOX_QUERY_THREADS voor de server (standaard die van toolbox)")
    p.add_argument("--owl", action="store_true", help="bouwen met OWL-controle (trager)")
    p.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    p.add_argument("--source", default=str(REPO_ROOT / "content"))
    p.add_argument("--workdir", help="werkmap (standaard een tijdelijke map)")
    p.add_argument("--keep", action="store_true", help="werkmap (inhoud, builds, logs) bewaren")
    p.add_argument("--json-dir", default=str(RESULTS_DIR))
    p.add_argument("--docs", default=None, help=f"Markdown-rapport (standaard {DOCS_FILE.relative_to(REPO_ROOT)}; "
                                                "--quick: geen); 'none' voor geen")
    p.add_argument("--strict", action="store_true", help="exitcode 1 bij fouten of gemiste doelen")
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in (args.sizes or ("1" if args.quick else "1,10,100")).split(",") if s.strip()]
    if args.docs is None:
        args.docs = "none" if args.quick else str(DOCS_FILE)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    budget = Budget(**vars(QUICK)) if args.quick else Budget()
    if args.requests:
        budget.load_requests = args.requests
    if args.duration:
        budget.load_seconds = args.duration
    if args.seq_requests:
        budget.seq_requests = args.seq_requests

    def say(message):
        print(message, file=sys.stderr, flush=True)

    started = dt.datetime.now().astimezone()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="toolbox-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = {
        "schema": 1,
        "date": started.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "config": {"sizes": args.sizes, "clients": args.clients, "quick": args.quick, "seed": args.seed,
                   "server_threads": args.server_threads or "default",
                   "query_workers": args.query_workers or "default",
                   "query_threads": args.query_threads or "default", "owl": args.owl,
                   "budget": vars(budget)},
        "sizes": [],
    }
    try:
        for factor in args.sizes:
            try:
                results["sizes"].append(run_size(factor, args, budget, workdir, say))
            except Exception as exc:  # one size failing (e.g. build) must not lose the others
                say(f"[{factor}x] mislukt: {exc}")
                results["sizes"].append({"factor": factor, "failed": str(exc)})
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = round((dt.datetime.now().astimezone() - started).total_seconds(), 1)
    results["targets"] = evaluate_targets(results)

    json_dir = Path(args.json_dir)
    json_dir.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y-%m-%dT%H%M%S")
    json_path = json_dir / f"{stamp}{'-quick' if args.quick else ''}.json"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"Resultaten: {json_path}")
    if args.docs != "none":
        write_markdown(results, Path(args.docs), json_path)
        say(f"Rapport: {args.docs}")
    for t in results["targets"]:
        mark = {True: "OK  ", False: "MIS ", None: "n.v.t."}[t["pass"]]
        say(f"  {mark} {t['size']:>5} {t['target']}: {t['value']}")
    failed = any(t["pass"] is False for t in results["targets"]) or any("failed" in s for s in results["sizes"])
    return 1 if args.strict and failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
