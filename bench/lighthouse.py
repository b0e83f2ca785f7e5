"""Lighthouse (mobile profile) on the four page types a civil servant on a phone opens most.

What a visitor on a phone waits for is not the server's time but the browser's: stylesheets that
block the first paint, bytes over a slow line, a slow CPU. Lighthouse measures that with its mobile
profile (simulated slow 4G, 4x CPU slowdown). This runs the npm package `lighthouse` (pinned in
package.json, installed by `npm ci`) with Debian's Chromium against the real server (`toolbox serve`,
Granian) on the site's own content, and records the scores, the Largest Contentful Paint and the
console errors in bench/results/lighthouse-{date}.json and in docs/benchmarks.md.

    python -m bench.lighthouse                  # build, serve, measure, write results and docs
    python -m bench.lighthouse --url http://127.0.0.1:5000 --docs none   # against a running server

Lighthouse is CPU-heavy (a minute or so per page on two cores): run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from toolbox.config import REPO_ROOT

from .processes import BIN, Server, free_port, run_command, toolbox_env
from .workload import GUIDE_SITUATIONS, HTML, Request

LIGHTHOUSE = REPO_ROOT / "node_modules/.bin/lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
CATEGORIES = ("performance", "accessibility", "best-practices")
PAGES = {
    "home": "/",
    "guide answer": "/gids?" + urlencode({"situatie": GUIDE_SITUATIONS[0]}),
    "step": "/doc/stap/opdrachtformulering",
    "tools": "/tools",
}
# The targets (docs/benchmarks.md repeats them).
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "lcp_s": 2.0}
BEGIN, END = "<!-- lighthouse:begin -->", "<!-- lighthouse:end -->"


def run_lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run (mobile is its default form factor); the figures that matter from its report."""
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)]
    env = dict(os.environ, CHROME_PATH=CHROME_PATH)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse faalde voor {url} (code {result.returncode}):\n{result.stderr[-2000:]}")
    return summarise(json.loads(out.read_text(encoding="utf-8")))


def summarise(report: dict) -> dict:
    audits = report["audits"]
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    failed = {c: [ref["id"] for ref in report["categories"][c]["auditRefs"]
                  if ref.get("weight") and (audits[ref["id"]].get("score") is not None)
                  and audits[ref["id"]]["score"] < 1]
              for c in CATEGORIES}
    console = audits.get("errors-in-console", {}).get("details", {}).get("items", [])
    transfer = audits.get("network-requests", {}).get("details", {}).get("items", [])
    css = sum(i.get("transferSize", 0) for i in transfer if i.get("resourceType") == "Stylesheet")
    return {
        "scores": scores,
        "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2),
        "fcp_s": round(audits["first-contentful-paint"]["numericValue"] / 1000, 2),
        "console_errors": [i.get("description") or i.get("source") for i in console],
        "css_transfer_bytes": css,
        "total_transfer_bytes": sum(i.get("transferSize", 0) for i in transfer),
        "failed_audits": failed,
        "lighthouse": report.get("lighthouseVersion"),
    }


def passes(row: dict) -> bool:
    s = row["scores"]
    return (s["performance"] >= TARGETS["performance"] and s["accessibility"] >= TARGETS["accessibility"]
            and s["best-practices"] >= TARGETS["best-practices"] and row["lcp_s"] <= TARGETS["lcp_s"]
            and not row["console_errors"])


def measure(base: str, workdir: Path, say) -> dict:
    pages = {}
    for name, path in PAGES.items():
        say(f"lighthouse: {name} ({path})")
        out = workdir / (re.sub(r"\W+", "-", name) + ".json")
        pages[name] = dict(path=path, **run_lighthouse(base + path, out))
    return pages


def with_server(workdir: Path, say) -> dict:
    """Build the site's own content into a private directory and serve it, as a visitor would get it."""
    build = workdir / "build"
    build.mkdir()
    env = toolbox_env(REPO_ROOT / "content", build)
    env["TOOLBOX_SPARQL_ENDPOINT"] = ""
    say("toolbox build")
    run_command([str(BIN / "toolbox"), "build", "--no-owl"], env, workdir / "build.log")
    port = free_port()
    server = Server("site", [str(BIN / "toolbox"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env, port, [Request("/", HTML)], workdir / "server.log")
    server.start()
    try:
        return measure(f"http://127.0.0.1:{port}", workdir, say)
    finally:
        server.stop()


def _commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# --------------------------------------------------------------------------- report
def _kb(n: int) -> str:
    return f"{n / 1024:.0f} kB"


def table(run: dict) -> list[str]:
    lines = ["| page | performance | accessibility | best practices | LCP | console errors | CSS sent | all sent |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in run["pages"].items():
        s = row["scores"]
        lines.append(f"| {name} (`{row['path'][:40]}`) | {s['performance']} | {s['accessibility']} | "
                     f"{s['best-practices']} | {row['lcp_s']:.1f} s | {len(row['console_errors'])} | "
                     f"{_kb(row['css_transfer_bytes'])} | {_kb(row['total_transfer_bytes'])} |")
    return lines


def section(runs: list[dict]) -> str:
    """The Lighthouse part of docs/benchmarks.md: every recorded run, oldest first (before, after)."""
    lines = [BEGIN, "## Lighthouse (mobile)", "",
             "What a visitor on a phone waits for, measured by `python -m bench.lighthouse`: Lighthouse "
             f"{runs[-1]['lighthouse'] if runs else '12'} (npm, pinned in `package.json`) with Debian's Chromium, "
             "mobile profile (simulated slow 4G, 4x CPU slowdown), against `toolbox serve` on the site's own content. "
             f"Targets: performance ≥ {TARGETS['performance']}, accessibility {TARGETS['accessibility']}, best "
             f"practices {TARGETS['best-practices']}, LCP ≤ {TARGETS['lcp_s']:.1f} s, no console errors. "
             "*CSS sent* and *all sent* are the bytes over the wire of a first visit (compressed).", ""]
    for run in runs:
        verdict = "all targets met" if all(passes(r) for r in run["pages"].values()) else "targets missed"
        note = f": {run['note']}" if run.get("note") else ""
        lines += [f"### {run['date']}, commit `{run.get('commit') or '?'}`{note} ({verdict})", ""]
        lines += table(run)
        lines.append("")
        for name, row in run["pages"].items():
            misses = {c: ids for c, ids in row["failed_audits"].items() if ids and c != "performance"}
            if misses or row["console_errors"]:
                lines.append(f"- {name}: " + "; ".join(
                    [f"{c}: {', '.join(ids)}" for c, ids in misses.items()]
                    + ([f"console: {'; '.join(map(str, row['console_errors']))}"] if row["console_errors"] else [])))
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def recorded_runs() -> list[dict]:
    runs = []
    for path in sorted(RESULTS_DIR.glob("lighthouse-*.json")):
        runs.append(json.loads(path.read_text(encoding="utf-8")))
    return runs


def update_docs(path: Path = DOCS_FILE) -> None:
    """Put (or replace) the Lighthouse section in docs/benchmarks.md; bench.report keeps it on a rerun."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = section(recorded_runs())
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="measure a running server at this base URL instead of starting one")
    parser.add_argument("--note", default="", help="what this run is (e.g. 'before', 'after'), shown in the docs")
    parser.add_argument("--docs", choices=("write", "none"), default="write")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} ontbreekt: eerst `npm ci`", file=sys.stderr)
        return 2

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        workdir = Path(tmp)
        pages = measure(args.url.rstrip("/"), workdir, say) if args.url else with_server(workdir, say)
    now = dt.datetime.now(dt.UTC)
    run = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": _commit(), "note": args.note,
           "lighthouse": next(iter(pages.values()))["lighthouse"], "pages": pages}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"lighthouse-{now.strftime('%Y-%m-%dT%H%M%S')}.json"
    out.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"resultaten: {out}")
    if args.docs == "write":
        update_docs()
    print("\n".join(table(run)))
    return 0 if all(passes(r) for r in run["pages"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
