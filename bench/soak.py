"""Soak: many clients on a mix of pages, search and SPARQL against the real server, for a fixed time.

Generates N-times content (bench.generate), builds it, starts `toolbox serve` (Granian) on 127.0.0.1 and
runs two phases of --duration seconds each with --clients keep-alive clients:

1. reading only: the workload of bench/workload.py (every page type, search with words and whole
   sentences, the SPARQL research mix), each client in its own shuffled order;
2. the same, plus one editor who logs in to /beheer and saves a case every --edit-interval seconds
   (each save also swaps in a new site state: the memory of the old one must be given back).

Counted per phase: requests, 5xx, other failures (connection errors, wrong bodies), p50/p95/p99 of the
good answers; every --sample seconds the resident memory (VmRSS) of the server's whole process tree.
Loopback only; every loop ends at its deadline. Results: bench/results/soak-{date}.json.

    python -m bench.soak --clients 200 --duration 600              # the full run (about 30 min at 100x)
    python -m bench.soak --factor 1 --clients 20 --duration 30     # a short run while developing
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from toolbox.config import REPO_ROOT

from . import generate as gen
from .client import HOST, Client, percentile
from .processes import BIN, Server, _descendants, free_port, proc_memory, run_command, toolbox_env
from .run import RESULTS_DIR, machine_info
from .workload import Request, page_targets, search_targets, sparql_requests

PASSWORD = "soak-redacteur-wachtwoord"
EDITOR = "redacteur-soak"
SOAK_CASE = "soak-casus"


def workload(content: Path, factor: int) -> list[tuple[str, Request]]:
    out = [("page", r) for t in page_targets(content, factor) for r in t.requests]
    out += [("search", r) for t in search_targets() for r in t.requests]
    out += [("sparql", r) for r in sparql_requests("/sparql")]
    return out


def tree_rss(pid: int) -> dict:
    """Resident memory of the server process and all its descendants. "site" leaves out the refresh
    children (toolbox.refresh) that run for a minute after a save and take their memory with them:
    a leak would show in the processes that stay (site worker, SPARQL workers)."""
    pids = [pid] + _descendants(pid)
    per = {p: proc_memory(p, "VmRSS") or 0 for p in pids}
    lines = {p: _cmdline(p) for p in pids if per[p]}
    passing = {p for p, line in lines.items() if b"toolbox.publishing.refresh" in line}
    # SPARQL workers (multiprocessing spawn) are new for each content version; after a save the old
    # version's answer until the new ones have loaded, so for a while there are twice as many.
    workers = {p for p, line in lines.items() if b"multiprocessing" in line and p not in passing}
    return {"total": sum(per.values()), "site": sum(v for p, v in per.items() if p not in passing),
            "web": sum(v for p, v in per.items() if p not in passing | workers),
            "sparql": sum(per[p] for p in workers), "sparql_processes": len(workers),
            "processes": len([v for v in per.values() if v]), "refresh_children": len(passing)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def classify(status: int | None, exc: str | None) -> str | None:
    if exc:
        return exc
    if status is None:
        return "geen antwoord"
    if status >= 500:
        return f"HTTP {status}"
    if status != 200:
        return f"HTTP {status}"
    return None


# --------------------------------------------------------------------------- the editor
class Editor:
    """A logged-in /beheer session over http.client (cookies and CSRF by hand, like a browser)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _request(self, method: str, path: str, form: list[tuple[str, str]] | None = None, timeout: float = 300):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()

    @staticmethod
    def _field(text: str, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]*)"', text)
        return match.group(1) if match else ""

    def login(self) -> int:
        _, page = self._request("GET", "/beheer/inloggen")
        status, _ = self._request("POST", "/beheer/inloggen", [("csrf_token", self._field(page, "csrf_token")),
                                                               ("naam", EDITOR), ("wachtwoord", PASSWORD)])
        return status

    def save(self, n: int, new: bool, times: dict | None = None) -> int:
        """Open the form and save it; `times` gets the seconds of each ("formulier", "opslaan")."""
        path = "/beheer/casussen/nieuw" if new else f"/beheer/casussen/{SOAK_CASE}"
        started = time.monotonic()
        _, page = self._request("GET", path)
        opened = time.monotonic()
        form = [("csrf_token", self._field(page, "csrf_token")), ("versie", self._field(page, "versie")),
                ("actie", "opslaan"), ("title", "Soakcasus Zonnewijk"), ("municipality", "gemeente/leiden"),
                ("scale", "schaal/wijk"), ("theme", "thema/woningbouw"), ("source", "bron/werkboek"),
                ("abstract", f"De Zonnewijk maakt haar straten klimaatbestendig met de bewoners. Versie {n}."),
                ("start_year", "2022")]
        if new:
            form.append(("slug", SOAK_CASE))
        status, _ = self._request("POST", path, form)
        if times is not None:
            times["formulier"], times["opslaan"] = round(opened - started, 2), round(time.monotonic() - opened, 2)
        return status


def editor_loop(port: int, interval: float, deadline: float, out: dict) -> None:
    editor = Editor(port)
    out["login"] = editor.login()
    exists = editor._request("GET", f"/beheer/casussen/{SOAK_CASE}")[0] == 200
    n = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            if not exists:  # a save that timed out on our side may still have landed
                exists = editor._request("GET", f"/beheer/casussen/{SOAK_CASE}")[0] == 200
            times: dict = {}
            status = editor.save(n, new=not exists, times=times)
            out.setdefault("steps", []).append(times)
            exists = exists or status == 303
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
        out["statuses"][str(status)] = out["statuses"].get(str(status), 0) + 1
        out["seconds"].append(round(time.monotonic() - started, 2))
        n += 1
        rest = interval - (time.monotonic() - started)
        if rest > 0:
            time.sleep(min(rest, max(0.0, deadline - time.monotonic())))


# --------------------------------------------------------------------------- one phase
def run_phase(name: str, server: Server, mix: list[tuple[str, Request]], args, say, edit: bool) -> dict:
    port = server.port
    started = time.monotonic()
    deadline = started + args.duration
    samples: list[tuple[str, float, str | None, int | None]] = []
    lock = threading.Lock()
    rss: list[dict] = []
    editing: dict = {"statuses": {}, "seconds": []}

    def client(seed: int):
        order = mix[:]
        random.Random(seed).shuffle(order)
        conn = Client(port, args.timeout)
        local = []
        i = 0
        while time.monotonic() < deadline:
            kind, req = order[i % len(order)]
            i += 1
            status, _, elapsed, exc = conn.get(req)
            failure = classify(status, exc)
            local.append((kind, elapsed, failure, status, req.label if failure else None))
        conn.close()
        with lock:
            samples.extend(local)

    def sampler():
        while True:
            now = time.monotonic()
            rss.append({"t": round(now - started, 1), **tree_rss(server.proc.pid)})
            if now >= deadline:
                return
            time.sleep(min(args.sample, max(0.0, deadline - now)))

    threads = [threading.Thread(target=client, args=(args.seed + k,), daemon=True) for k in range(args.clients)]
    threads.append(threading.Thread(target=sampler, daemon=True))
    if edit:
        threads.append(threading.Thread(target=editor_loop, args=(port, args.edit_interval, deadline, editing),
                                        daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.duration + args.timeout + 600)
    wall = time.monotonic() - started
    result = summarise(samples, wall)
    result["rss"] = rss
    result.update(rss_summary(rss, args.warmup))
    if edit:
        seconds = editing["seconds"]
        result["editor"] = {"interval_s": args.edit_interval, "login": editing.get("login"),
                            "saves": len(seconds), "statuses": editing["statuses"],
                            "median_s": percentile(seconds, 50), "max_s": max(seconds) if seconds else None,
                            "steps": editing.get("steps", [])}
    say(f"[{name}] {result['requests']} verzoeken, {result['status_5xx']} 5xx, {result['failures']} fouten, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, RSS {result['rss_start_mb']} -> "
        f"{result['rss_end_mb']} MB" + (f", redacteur: {result['editor']['statuses']}" if edit else ""))
    return result


def summarise(samples, wall: float) -> dict:
    ok = [s[1] * 1000 for s in samples if s[2] is None]
    kinds = Counter(s[2] for s in samples if s[2] is not None)
    failed = Counter((s[4], s[2]) for s in samples if s[2] is not None)  # (url, why): to find it again
    per_kind = {}
    for kind in ("page", "search", "sparql"):
        mine = [s[1] * 1000 for s in samples if s[0] == kind and s[2] is None]
        per_kind[kind] = {"n": sum(1 for s in samples if s[0] == kind), "ok": len(mine),
                          "p50_ms": _r(percentile(mine, 50)), "p99_ms": _r(percentile(mine, 99))}
    return {
        "requests": len(samples),
        "ok": len(ok),
        "status_5xx": sum(1 for s in samples if s[3] is not None and s[3] >= 500),
        "failures": sum(kinds.values()),
        "failure_kinds": dict(kinds),
        "p50_ms": _r(percentile(ok, 50)),
        "p95_ms": _r(percentile(ok, 95)),
        "p99_ms": _r(percentile(ok, 99)),
        "max_ms": _r(max(ok) if ok else None),
        "throughput_rps": round(len(ok) / wall, 1) if wall else None,
        "wall_s": round(wall, 1),
        "per_kind": per_kind,
        "failed_urls": [{"url": url, "failure": why, "n": n} for (url, why), n in failed.most_common(20)],
    }


def rss_summary(rss: list[dict], warmup: float) -> dict:
    """Memory of the processes that stay at the first sample after the warm-up and at the end, their
    maximum, and the maximum of the whole tree (refresh children included)."""
    after = [s for s in rss if s["t"] >= warmup] or rss
    if not after:
        return {"rss_start_mb": None, "rss_end_mb": None, "rss_max_mb": None, "rss_growth_pct": None}
    stay = [s.get("site", s["total"]) for s in after]
    start, end = stay[0], stay[-1]
    web = [s["web"] for s in after if "web" in s]
    return {"rss_start_mb": _mb(start), "rss_end_mb": _mb(end), "rss_max_mb": _mb(max(stay)),
            "rss_tree_max_mb": _mb(max(s["total"] for s in after)),
            "rss_growth_pct": round(100 * (end - start) / start, 1) if start else None, "rss_warmup_s": warmup,
            # the web server alone (no SPARQL workers, no refresh children): where a leak would stay
            "web_start_mb": _mb(web[0]) if web else None, "web_end_mb": _mb(web[-1]) if web else None,
            "web_max_mb": _mb(max(web)) if web else None}


def _mb(value: int) -> float:
    return round(value / 1024**2, 1)


def _r(value):
    return None if value is None else round(value, 1)


# --------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--factor", type=int, default=100, help="inhoud maal zoveel (standaard 100)")
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--duration", type=float, default=600, help="seconden per fase (standaard 600)")
    p.add_argument("--edit-interval", type=float, default=5, help="seconden tussen twee opslagen in fase 2")
    p.add_argument("--sample", type=float, default=10, help="seconden tussen twee geheugenmetingen")
    p.add_argument("--warmup", type=float, default=60, help="seconden opwarmen voordat het geheugen telt")
    p.add_argument("--timeout", type=float, default=120, help="wachttijd per verzoek")
    p.add_argument("--phases", default="lezen,redacteur", help="lezen, redacteur of beide")
    p.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    p.add_argument("--source", default=str(REPO_ROOT / "content"))
    p.add_argument("--workdir", help="werkmap; met --reuse worden inhoud en build daaruit hergebruikt")
    p.add_argument("--reuse", action="store_true", help="gegenereerde inhoud en build in --workdir hergebruiken")
    p.add_argument("--json-dir", default=str(RESULTS_DIR))
    return p.parse_args(argv)


def main(argv=None) -> int:
    from toolbox.accounts.registry import AccountStore
    from toolbox.config import Settings

    args = parse_args(argv)

    def say(message):
        print(message, file=sys.stderr, flush=True)

    started = dt.datetime.now().astimezone()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="toolbox-soak-"))
    content, build, instance = workdir / "content", workdir / "build", workdir / "instance"
    workdir.mkdir(parents=True, exist_ok=True)
    # the soak's editor saves and publishes at once, as a site without four eyes does
    env = toolbox_env(content, build) | {"TOOLBOX_INSTANCE": str(instance), "TOOLBOX_FOUR_EYES": "0"}
    prepared: dict = {}
    if not (args.reuse and (content / gen.MARKER).exists()):
        say(f"[soak] {args.factor}x inhoud genereren …")
        prepared["generate"] = gen.generate(Path(args.source), content, args.factor, seed=args.seed,
                                            force=True).as_dict()
    if not (args.reuse and (build / "manifest.json").exists()):
        say("[soak] toolbox build …")
        prepared["build_s"] = run_command([str(BIN / "toolbox"), "build", "--force", "--no-owl"], env,
                                          workdir / "build.log")
    settings = Settings(content_dir=content, build_dir=build, instance_dir=instance)
    accounts = AccountStore(settings)
    if accounts.by_name(EDITOR) is None:
        accounts.add(EDITOR, "editor", PASSWORD)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    mix = workload(content, args.factor)
    port = free_port()
    server = Server("toolbox serve", [str(BIN / "toolbox"), "serve", "--host", HOST, "--port", str(port)], env, port,
                    [Request("/")], workdir / "serve.log")
    results = {"schema": 1, "date": started.isoformat(timespec="seconds"), "machine": machine_info(),
               "config": {k: v for k, v in vars(args).items() if k not in ("json_dir",)},
               "triples": manifest.get("triples"), "prepared": prepared, "workload": len(mix), "phases": {}}
    try:
        results["cold_start_s"] = server.start()
        say(f"[soak] server klaar na {results['cold_start_s']} s; {len(mix)} URL's, {args.clients} clients, "
            f"{args.duration:g} s per fase")
        for phase in args.phases.split(","):
            results["phases"][phase] = run_phase(phase, server, mix, args, say, edit=(phase == "redacteur"))
    finally:
        server.stop()
    results["seconds"] = round((dt.datetime.now().astimezone() - started).total_seconds(), 1)
    json_dir = Path(args.json_dir)
    json_dir.mkdir(parents=True, exist_ok=True)
    path = json_dir / f"soak-{started.strftime('%Y-%m-%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"Resultaten: {path}")
    bad = any(p["status_5xx"] for p in results["phases"].values())
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
