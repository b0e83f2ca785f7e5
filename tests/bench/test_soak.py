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
    assert summary["web_start_mb"] is None  # samples from before the web server was told apart


def test_the_web_server_is_told_apart_from_the_sparql_workers():
    mb = 1024**2
    rss = [{"t": 60, "total": 900 * mb, "site": 800 * mb, "web": 300 * mb},
           {"t": 70, "total": 1300 * mb, "site": 1200 * mb, "web": 310 * mb},  # two pools during a hand-over
           {"t": 80, "total": 800 * mb, "site": 800 * mb, "web": 305 * mb}]
    summary = rss_summary(rss, warmup=60)
    assert (summary["web_start_mb"], summary["web_end_mb"], summary["web_max_mb"]) == (300.0, 305.0, 310.0)
