"""Benchmark bookkeeping without a server: percentiles, error classification, targets, report text."""

from __future__ import annotations

from pathlib import Path

from bench.client import classify, percentile
from bench.report import compare, evaluate_targets, render_markdown
from bench.run import parse_args, ratios
from bench.workload import Request, all_targets, pick_slugs
from toolbox.config import REPO_ROOT


def _pass(median, errors=0):
    return {"n": 10, "ok": 10 - errors, "errors": errors, "error_kinds": {"HTTP 404": errors} if errors else {},
            "median_ms": median, "p95_ms": median, "max_ms": median, "throughput_rps": 1.0, "wall_s": 1.0,
            "per_url": [{"url": "/", "n": 10, "median_ms": median, "errors": {}}]}


def _target(kind, median, server="toolbox", errors=0):
    return {"kind": kind, "server": server, "title": kind, "urls": ["/x"], "warmup_errors": {},
            "seq": _pass(median), "load": _pass(median, errors)}


def _results(factor=1, page_median=2.0, errors=0):
    targets = {"static": _target("static", 1.0), "home": _target("page", page_median),
               "step": _target("page", None, errors=errors),
               "sparql_toolbox": _target("sparql", 3.0), "sparql_oxigraph": _target("sparql", 2.0, "oxigraph")}
    size = {"factor": factor, "counts": {"Case": 20}, "triples": 100, "dataset_bytes": 1000, "build_s": 1,
            "cold_start_s": 1.5, "cold_start_url": "/", "peak_rss_bytes": 200 * 2 ** 20, "oxigraph_load_s": 0.1,
            "oxigraph_cold_start_s": 0.1, "oxigraph_peak_rss_bytes": 10, "targets": targets,
            "ratios": ratios(targets), "sparql_queries": [{"name": "q", "toolbox": 1, "oxigraph": 1, "same": True}],
            "errors": {"load": errors, "seq": 0, "warmup": 0, "oxigraph": 0, "clients": 50}}
    return {"date": "2026-11-22T10:00:00+00:00", "seconds": 1,
            "machine": {"cpu": "cpu", "cpus": 2, "memory_bytes": 2 ** 33, "platform": "linux", "python": "3.11",
                        "versions": {"granian": "2"}, "commit": "abc"},
            "config": {"sizes": [factor], "clients": 50, "quick": False, "seed": 1, "server_threads": 8,
                       "budget": {"seq_requests": 1, "seq_seconds": 1, "load_requests": 1, "load_seconds": 1}},
            "sizes": [size]}


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(range(1, 101)), 95) == 95


def test_classify_counts_missing_pages_and_bad_json_as_errors():
    page, sparql = Request("/doc/x/y"), Request("/sparql", expect="sparql")
    assert classify(page, 200, b"<html>", None) is None
    assert classify(page, 404, b"", None) == "HTTP 404"
    assert classify(page, None, b"", "ConnectionResetError") == "ConnectionResetError"
    assert classify(sparql, 200, b"<html>", None) == "geen JSON"
    assert classify(sparql, 200, b'{"boolean": true}', None) is None


def test_ratios_and_targets():
    results = _results(page_median=2.5, errors=3)
    size = results["sizes"][0]
    assert size["ratios"]["home"]["load"] == 2.5
    assert size["ratios"]["sparql_toolbox"]["load"] == 1.5
    assert size["ratios"]["step"]["load"] is None
    by_name = {(t["target"], t["size"]): t for t in evaluate_targets(results)}
    assert by_name[("page home ≤ 3x static", "1x")]["pass"] is True
    assert by_name[("page step ≤ 3x static", "1x")]["pass"] is False  # no successful responses
    assert by_name[("SPARQL mix ≤ 1.5x Oxigraph server", "1x")]["pass"] is True
    assert by_name[("cold start < 3 s", "1x")]["pass"] is True
    assert by_name[("peak memory < 1 GiB (server and its SPARQL workers)", "100x")]["pass"] is None
    assert by_name[("zero errors at 50 clients", "1x")]["pass"] is False


def test_markdown_has_targets_machine_and_a_table_per_size(tmp_path):
    text = render_markdown(_results(), tmp_path / "r.json")
    assert "### Targets" in text and "### 1x content" in text and "2 CPUs" in text
    assert "python -m bench.run --sizes 1,10,100 --clients 50" in text
    assert "| static (baseline) | – | 1.00 ms |" in text


def test_compare_lists_both_runs():
    assert "| 1x | home | 2.00 ms | 4.00 ms |" in compare(_results(page_median=4.0), _results(page_median=2.0))


def test_workload_uses_the_conventions_and_twins():
    content = REPO_ROOT / "content"
    names = {t.name: t for t in all_targets(content, 1)}
    assert [r.path for r in names["step"].requests] == ["/doc/stap/opdrachtformulering"]
    assert names["static"].requests[0].path.startswith("/static/")
    assert names["library"].requests[0].path == "/tools?categorie=afwegen-op-criteria&niveau=uitvoering"
    assert all(r.path.startswith("/sparql?query=") for r in names["sparql_toolbox"].requests)
    assert any("format=json" in r.path for r in names["search_json"].requests)
    assert pick_slugs(content, "casus", 1) == ["laakhavens"]


def test_pick_slugs_adds_twins_when_present(tmp_path):
    folder = tmp_path / "tools"
    folder.mkdir()
    for stem in ("ambitieweb", "ambitieweb-v5", "ambitieweb-v10"):
        slug = stem
        (folder / f"{stem}.ttl").write_text(
            f"<https://toolbox-openbare-ruimte.nl/id/tool/{slug}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://toolbox-openbare-ruimte.nl/def/tor#Tool> .\n")
    assert pick_slugs(Path(tmp_path), "tool", 10) == ["ambitieweb", "ambitieweb-v5", "ambitieweb-v10"]


def test_quick_mode_defaults():
    args = parse_args(["--quick"])
    assert args.sizes == [1] and args.docs == "none"
    assert parse_args(["--sizes", "1,10"]).sizes == [1, 10]
