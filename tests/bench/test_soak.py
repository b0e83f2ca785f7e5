"""The soak's summary: what a reader of the figures needs to find a failure again."""

from bench.soak import rss_summary, summarise


def test_the_summary_names_the_urls_that_failed_and_counts_them():
    samples = [("page", 0.01, None, 200, None)] * 5 + [
        ("sparql", 0.5, "HTTP 503", 503, "/sparql?query=SELECT"),
        ("sparql", 0.4, "HTTP 503", 503, "/sparql?query=SELECT"),
        ("page", 0.2, "HTTP 500", 500, "/doc/casus/x"),
    ]
    summary = summarise(samples, wall=1.0)
    assert summary["requests"] == 8 and summary["status_5xx"] == 3 and summary["ok"] == 5
    assert summary["failed_urls"] == [{"url": "/sparql?query=SELECT", "failure": "HTTP 503", "n": 2},
                                      {"url": "/doc/casus/x", "failure": "HTTP 500", "n": 1}]


def test_memory_counts_the_processes_that_stay_after_the_warm_up():
    rss = [{"t": 0, "total": 100 * 1024**2, "site": 100 * 1024**2},
           {"t": 70, "total": 900 * 1024**2, "site": 500 * 1024**2},
           {"t": 80, "total": 510 * 1024**2, "site": 510 * 1024**2}]
    summary = rss_summary(rss, warmup=60)
    assert (summary["rss_start_mb"], summary["rss_end_mb"], summary["rss_tree_max_mb"]) == (500.0, 510.0, 900.0)
    assert summary["rss_growth_pct"] == 2.0
