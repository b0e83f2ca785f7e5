"""Targets (pass/fail) and the Markdown report docs/benchmarks.md, from a results JSON.

    python -m bench.report bench/results/2026-11-22T101500.json            # rewrite docs/benchmarks.md
    python -m bench.report NEW.json --compare OLD.json                      # medians side by side
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

PAGES = ["home", "step", "tool", "library", "cases", "case", "role", "knelpunt"]
SEARCH = ["search_html", "search_json", "guide_situation"]
GIB = 1024 ** 3
HISTORY = Path(__file__).parent / "history.md"  # hand-written: what was fixed, before and after
SNIPPET = """```sh
# once: the benchmark extra (psutil; the oxigraph server binary comes with the test extra too)
.venv/bin/pip install -e '.[bench]'
# full run: 1x, 10x and 100x content, 50 concurrent clients; writes bench/results/{date}.json
# and regenerates docs/benchmarks.md (takes 30-60 minutes, mostly building the 100x content)
.venv/bin/python -m bench.run --sizes 1,10,100 --clients 50
# smoke test for CI: 1x, a handful of requests, no docs; --strict fails on errors or missed targets
.venv/bin/python -m bench.run --quick
# compare two runs
.venv/bin/python -m bench.report bench/results/NEW.json --compare bench/results/OLD.json --docs none
# Lighthouse, mobile profile, on home, a guide answer, a step page and /tools (npm ci installs the
# pinned lighthouse; Chromium at $CHROME_PATH, default /usr/bin/chromium); a few minutes, CPU-heavy;
# writes bench/results/lighthouse-{date}.json and the Lighthouse section below
.venv/bin/python -m bench.lighthouse --note after
```"""


# --------------------------------------------------------------------------- targets
def evaluate_targets(results: dict) -> list[dict]:
    """Each target of the issue with the measured value and pass (True/False, None = not measured)."""
    sizes = {s["factor"]: s for s in results.get("sizes", []) if "failed" not in s}
    clients = results.get("config", {}).get("clients", 0)
    out = []

    def add(target, factor, value, limit, ok, shown):
        out.append({"target": target, "size": f"{factor}x", "value": shown, "measured": value, "limit": limit,
                    "pass": ok})

    def ratio_check(name, factor, limit, label):
        s = sizes.get(factor)
        if s is None or name not in s["targets"]:
            add(label, factor, None, limit, None, "not measured")
            return
        ratio = s["ratios"].get(name, {}).get("load")
        t = s["targets"].get(name, {})
        if ratio is None:
            kinds = t.get("load", {}).get("error_kinds") or {}
            add(label, factor, None, limit, False, f"no successful responses {kinds}")
            return
        seq = s["ratios"][name].get("seq")
        errors = t["load"]["errors"] + t["seq"]["errors"]
        if errors:  # the median of the answers that did come back says little when others failed
            add(label, factor, ratio, limit, False, f"{ratio}x (1 client: {seq}x) but {errors} errors "
                f"{_kinds(t)}")
            return
        add(label, factor, ratio, limit, ratio <= limit, f"{ratio}x (1 client: {seq}x)")

    for factor, limit in ((1, 3.0), (100, 5.0)):
        for page in PAGES:
            ratio_check(page, factor, limit, f"page {page} ≤ {limit:g}x static")
    for name in SEARCH:
        ratio_check(name, 100, 5.0, f"{name.replace('_', ' ')} ≤ 5x static")
    for factor in (1, 100):
        ratio_check("sparql_toolbox", factor, 1.5, "SPARQL mix ≤ 1.5x Oxigraph server")
        ratio_check("sparql_toolbox_fresh", factor, 1.5, "SPARQL mix, every query new (no cache) ≤ 1.5x Oxigraph "
                    "server")
    s1 = sizes.get(1)
    cold = s1.get("cold_start_s") if s1 else None
    add("cold start < 3 s", 1, cold, 3.0, None if cold is None else cold < 3.0,
        "not measured" if cold is None else f"{cold} s")
    s100 = sizes.get(100)
    rss = s100.get("peak_rss_bytes") if s100 else None
    total = (s100.get("peak_rss_with_workers_bytes") or rss) if s100 else None
    add("peak memory < 1 GiB (server and its SPARQL workers)", 100, total, GIB,
        None if total is None else total < GIB,
        "not measured" if total is None else f"{_mib(total)} (site without the SPARQL workers {_mib(rss)})")
    for factor, s in sorted(sizes.items()):
        errors = s["errors"]["load"] + s["errors"]["seq"]
        ok = errors == 0 if clients >= 50 else (None if errors == 0 else False)
        split = {}
        for t in s["targets"].values():
            if t["server"] == "toolbox":
                key = "SPARQL" if t["kind"] == "sparql" else "pages+search"
                split[key] = split.get(key, 0) + t["load"]["errors"] + t["seq"]["errors"]
        detail = ", ".join(f"{k}: {n}" for k, n in split.items())
        shown = f"{errors} errors with {clients} clients ({detail})" + (
            "" if clients >= 50 else "; fewer than 50 clients")
        add("zero errors at 50 clients", factor, errors, 0, ok, shown)
    return out


def _kinds(t: dict) -> dict:
    kinds: dict[str, int] = {}
    for phase in ("seq", "load"):
        for k, n in t[phase]["error_kinds"].items():
            kinds[k] = kinds.get(k, 0) + n
    return kinds


def geometric_mean_ratio(s: dict) -> float | None:
    """Geometric mean over the SPARQL queries of toolbox/Oxigraph 1-client medians (uncached where measured)."""
    try:
        tb = s["targets"][_engine_row(s)]["seq"]["per_url"]
        ox = s["targets"]["sparql_oxigraph"]["seq"]["per_url"]
    except KeyError:
        return None
    pairs = [(a["median_ms"], b["median_ms"]) for a, b in zip(tb, ox, strict=False)
             if a["median_ms"] and b["median_ms"]]
    if not pairs or len(pairs) < len(tb):
        return None
    return round(math.exp(sum(math.log(a / b) for a, b in pairs) / len(pairs)), 2)


# --------------------------------------------------------------------------- markdown
def _mib(n) -> str:
    return "–" if n is None else f"{n / 1024 ** 2:.0f} MiB"


def _f(value, unit="") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        value = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return f"{value}{unit}"


def _engine_row(s: dict) -> str:
    """The toolbox row that compares query engines: the uncached one where it was measured."""
    return "sparql_toolbox_fresh" if "sparql_toolbox_fresh" in s["targets"] else "sparql_toolbox"


def _ratio(value) -> str:
    return "–" if value is None else f"{value:.2f}x"


def _mark(ok) -> str:
    return {True: "pass", False: "**FAIL**", None: "not measured"}[ok]


def _errors(t: dict) -> str:
    kinds = _kinds(t)
    total = sum(kinds.values())
    return "0" if not total else f"{total} ({', '.join(f'{k}: {n}' for k, n in sorted(kinds.items()))})"


def size_section(s: dict, clients: int) -> list[str]:
    factor = s["factor"]
    if "failed" in s:
        return [f"### {factor}x content", "", f"Failed: `{s['failed'][:500]}`", ""]
    counts = ", ".join(f"{n} {name}" for name, n in s.get("counts", {}).items())
    lines = [
        f"### {factor}x content",
        "",
        f"{counts}; {s.get('triples')} triples in the dataset ({_mib(s.get('dataset_bytes'))} N-Quads). "
        f"Build {s.get('build_s')} s. Cold start {s.get('cold_start_s')} s (to `{s.get('cold_start_url')}`), "
        f"peak RSS {_mib(s.get('peak_rss_bytes'))} (with the SPARQL workers "
        f"{_mib(s.get('peak_rss_with_workers_bytes'))}). Oxigraph server: load {s.get('oxigraph_load_s')} s, "
        f"cold start {s.get('oxigraph_cold_start_s')} s, peak RSS {_mib(s.get('oxigraph_peak_rss_bytes'))}.",
        "",
        f"| request | first request (max) | 1 client median | ratio | {clients} clients median | p95 | throughput "
        "| ratio | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, t in s["targets"].items():
        r = s["ratios"].get(name, {})
        baseline = " (baseline)" if name in ("static", "sparql_oxigraph") else ""
        first = (t.get("first_ms") or {}).get("max")
        lines.append(
            f"| {t['title'] or name}{baseline} | {_f(first, ' ms')} | {_f(t['seq']['median_ms'], ' ms')} | "
            f"{_ratio(r.get('seq'))} | "
            f"{_f(t['load']['median_ms'], ' ms')} | {_f(t['load']['p95_ms'], ' ms')} | "
            f"{_f(t['load']['throughput_rps'], '/s')} | {_ratio(r.get('load'))} | {_errors(t)} |"
        )
    lines.append("")
    lines.append("Requested URLs per row (round robin): " + "; ".join(
        f"{name}: " + ", ".join(f"`{u}`" for u in t["urls"][:3]) + (" …" if len(t["urls"]) > 3 else "")
        for name, t in s["targets"].items() if t["kind"] in ("page", "static")) + ".")
    lines.append("")
    queries = s.get("sparql_queries") or []
    if queries:
        row = _engine_row(s)
        tb = s["targets"][row]["seq"]["per_url"]
        ox = s["targets"]["sparql_oxigraph"]["seq"]["per_url"]
        gm = geometric_mean_ratio(s)
        fresh = " every query new (no cache)," if row == "sparql_toolbox_fresh" else ""
        lines += [f"SPARQL mix per query (1 client,{fresh} rows returned by each endpoint). Geometric mean of the "
                  f"per-query ratios: {_ratio(gm)}.", "",
                  "| query | toolbox median | Oxigraph median | ratio | rows toolbox / Oxigraph |",
                  "| --- | ---: | ---: | ---: | --- |"]
        for i, q in enumerate(queries):
            a = tb[i] if i < len(tb) else {}
            b = ox[i] if i < len(ox) else {}
            same = "" if q["same"] else " **differ**"
            r = a["median_ms"] / b["median_ms"] if a.get("median_ms") and b.get("median_ms") else None
            lines.append(f"| {q['name']} | {_f(a.get('median_ms'), ' ms')} | {_f(b.get('median_ms'), ' ms')} | "
                         f"{_ratio(r)} | {_f(q['toolbox'])} / {_f(q['oxigraph'])}{same} |")
        lines.append("")
    return lines


def render_markdown(results: dict, json_path: Path | None = None) -> str:
    m = results["machine"]
    cfg = results["config"]
    clients = cfg["clients"]
    budget = cfg["budget"]
    lines = [
        "# Benchmarks",
        "",
        "How fast the site and the SPARQL endpoint are, against their limits, at 1x, 10x and 100x content. "
        "Every figure is also a ratio to a baseline measured in the same run, so the ratios (not the "
        "milliseconds) are what carries over between machines.",
        "",
        "This file is regenerated by `python -m bench.run`; edit the text in `bench/report.py`.",
        "",
        "## Running it",
        "",
        SNIPPET,
        "",
        "## What is measured",
        "",
        "- **Content.** `bench/generate.py` copies `content/` and adds N-1 seeded synthetic twins of every case, "
        "knelpunt and tool (slug suffix `-v{k}`, label suffix `(variant k)`), linked to each other within their "
        "copy and to the real steps, roles, themes, municipalities; each twin gets a few seeded variations "
        "(scale, extra theme, tool, knelpunt, dimension, level). The result passes `toolbox validate`. Only "
        "cases, knelpunten and tools are multiplied, so the triple count grows less than N.",
        "- **Server.** Per size: `toolbox build --force --no-owl` (SHACL is checked, the OWL check is left out "
        "for time; use `--owl`), then `toolbox serve` (Granian, its default threads) as a subprocess on "
        "127.0.0.1. Cold start = process start to the first 2xx response of `/`. Peak memory = `VmHWM` of the "
        "server's processes after all requests, added up: Granian's main process and the site's worker, and "
        "with the SPARQL workers.",
        "- **Requests.** Per request type: each URL once to warm up, then a sequential pass (1 client, up to "
        f"{budget['seq_requests']} requests or {budget['seq_seconds']:g} s) and a loaded pass ({clients} client "
        f"threads with keep-alive connections, up to {budget['load_requests']} requests or "
        f"{budget['load_seconds']:g} s), URLs round robin. Anything but a 200 (and valid JSON where JSON is "
        "asked for) is an error; a page that does not exist yet shows up as `HTTP 404` errors, and `HTTP 503` from "
        "`/sparql` is the endpoint refusing a query that found no place in line (see `docs/deployment.md`). A request "
        f"gets {budget.get('timeout', 60):g} s before it counts as `TimeoutError`.",
        "- **Baselines.** Pages and search: a static file (`/static/css/site.css`) from the same server, same "
        "pass. SPARQL: the same query mix (`bench/workload.py`) against `oxigraph serve-read-only "
        "--union-default-graph` loaded with the same `build/graph.nq`; the row counts of both are compared.",
        "- **Judged figure.** The targets use the loaded pass (medians); the 1-client ratio is given alongside. "
        "Client and server share the machine's CPUs, so under load the ratio mostly reflects server CPU per "
        "request. A ratio target fails when the request type had errors, whatever its median.",
        "- **Caches.** The site keeps finished pages, search answers and SPARQL answers per content version "
        "(an edit or rebuild starts afresh), so the timed passes measure what repeat visitors get. What the "
        "first visitor of a URL waits, before anything is cached for it, is the *first request* column "
        "(the slowest warm-up request of the row).",
        "",
    ]
    if HISTORY.exists():
        lines += [HISTORY.read_text(encoding="utf-8").rstrip(), ""]
    if json_path is not None:
        lines += [f"## Latest run ({results['date']})", ""]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    lines += [
        f"Date {results['date']}; commit `{m.get('commit') or '?'}`; took {results.get('seconds')} s"
        + (f"; raw results `{_rel(json_path)}`." if json_path else "."),
        "",
        f"Machine: {m['cpu']}, {m['cpus']} CPUs, {_gib(m.get('memory_bytes'))} RAM; {m['platform']}; "
        f"Python {m['python']}; {versions}.",
        "",
        f"Settings: sizes {', '.join(f'{f}x' for f in cfg['sizes'])}; {clients} clients; server threads "
        f"{cfg['server_threads']}; query workers {cfg.get('query_workers', 'default')} with "
        f"{cfg.get('query_threads', 'default')} threads; "
        f"seed {cfg['seed']}{'; quick mode' if cfg['quick'] else ''}.",
        "",
        "### Targets",
        "",
        "| target | size | measured | result |",
        "| --- | --- | --- | --- |",
    ]
    for t in results.get("targets") or evaluate_targets(results):
        lines.append(f"| {t['target']} | {t['size']} | {t['value']} | {_mark(t['pass'])} |")
    lines.append("")
    for s in results["sizes"]:
        lines += size_section(s, clients)
    from .lighthouse import recorded_runs, section  # its own runner (bench.lighthouse); kept on a rerun

    runs = recorded_runs()
    if runs:
        lines += ["", section(runs)]
    return "\n".join(lines).rstrip() + "\n"


def _gib(n) -> str:
    return "?" if not n else f"{n / 1024 ** 3:.0f} GiB"


def _rel(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        from toolbox.config import REPO_ROOT

        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def write_markdown(results: dict, path: Path, json_path: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(results, json_path), encoding="utf-8")


# --------------------------------------------------------------------------- compare
def compare(new: dict, old: dict) -> str:
    """Loaded-pass medians and ratios of two runs, per size and request type."""
    lines = ["| size | request | old median | new median | old ratio | new ratio |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    olds = {s["factor"]: s for s in old["sizes"] if "failed" not in s}
    for s in new["sizes"]:
        o = olds.get(s["factor"])
        if "failed" in s or o is None:
            continue
        for name, t in s["targets"].items():
            ot = o["targets"].get(name)
            if ot is None:
                continue
            lines.append(f"| {s['factor']}x | {name} | {_f(ot['load']['median_ms'], ' ms')} | "
                         f"{_f(t['load']['median_ms'], ' ms')} | {_ratio(o['ratios'].get(name, {}).get('load'))} | "
                         f"{_ratio(s['ratios'].get(name, {}).get('load'))} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from toolbox.config import REPO_ROOT

    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results JSON from bench.run")
    parser.add_argument("--docs", default=str(REPO_ROOT / "docs" / "benchmarks.md"), help="'none' to skip")
    parser.add_argument("--compare", help="an older results JSON to compare with")
    args = parser.parse_args(argv)
    path = Path(args.results)
    results = json.loads(path.read_text(encoding="utf-8"))
    results["targets"] = evaluate_targets(results)
    if args.docs != "none":
        write_markdown(results, Path(args.docs), path)
    if args.compare:
        sys.stdout.write(compare(results, json.loads(Path(args.compare).read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
