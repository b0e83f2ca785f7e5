"""The Lighthouse runner's bookkeeping without a browser: what it reads from a report, the verdict, the docs section."""

from __future__ import annotations

from bench import lighthouse


def _report(perf=0.99, a11y=1.0, bp=1.0, lcp_ms=1500, console=(), css=8000):
    audits = {
        "largest-contentful-paint": {"numericValue": lcp_ms, "score": 1},
        "first-contentful-paint": {"numericValue": 800, "score": 1},
        "target-size": {"score": 1 if a11y == 1.0 else 0},
        "errors-in-console": {"score": 0 if console else 1,
                              "details": {"items": [{"description": c} for c in console]}},
        "network-requests": {"details": {"items": [
            {"resourceType": "Document", "transferSize": 5000},
            {"resourceType": "Stylesheet", "transferSize": css}]}},
    }
    refs = {"performance": [{"id": "largest-contentful-paint", "weight": 25}],
            "accessibility": [{"id": "target-size", "weight": 7}],
            "best-practices": [{"id": "errors-in-console", "weight": 1}]}
    scores = {"performance": perf, "accessibility": a11y, "best-practices": bp}
    return {"lighthouseVersion": "12.2.3", "audits": audits,
            "categories": {c: {"score": scores[c], "auditRefs": refs[c]} for c in lighthouse.CATEGORIES}}


def test_summary_reads_scores_lcp_console_and_css():
    row = lighthouse.summarise(_report(perf=0.96, lcp_ms=1840, css=8192))
    assert row["scores"] == {"performance": 96, "accessibility": 100, "best-practices": 100}
    assert row["lcp_s"] == 1.84 and row["css_transfer_bytes"] == 8192 and row["total_transfer_bytes"] == 13192
    assert row["console_errors"] == [] and lighthouse.passes(row)


def test_each_target_can_fail_the_verdict():
    assert not lighthouse.passes(lighthouse.summarise(_report(perf=0.94)))
    assert not lighthouse.passes(lighthouse.summarise(_report(a11y=0.96)))
    assert not lighthouse.passes(lighthouse.summarise(_report(bp=0.96)))
    assert not lighthouse.passes(lighthouse.summarise(_report(lcp_ms=2100)))
    failing = lighthouse.summarise(_report(console=["Failed to load resource: 404"]))
    assert not lighthouse.passes(failing) and failing["failed_audits"]["best-practices"] == ["errors-in-console"]


def test_docs_section_is_replaced_not_repeated(tmp_path, monkeypatch):
    before = {"date": "d1", "commit": "aaa", "note": "before", "lighthouse": "12.2.3",
              "pages": {"home": dict(path="/", **lighthouse.summarise(_report(perf=0.77, lcp_ms=4100)))}}
    monkeypatch.setattr(lighthouse, "recorded_runs", lambda: [before])
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nother text\n", encoding="utf-8")
    lighthouse.update_docs(doc)
    lighthouse.update_docs(doc)
    text = doc.read_text(encoding="utf-8")
    assert text.count(lighthouse.BEGIN) == 1 and "other text" in text
    assert "| home (`/`) | 77 | 100 | 100 | 4.1 s | 0 | 8 kB | 13 kB |" in text
    assert "targets missed" in text
