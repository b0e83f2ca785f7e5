"""Item 2: SPARQL abuse against the real server: updates, federation and remote graphs are refused
with nothing changed and nothing fetched; query bombs are cut at the limit while pages keep
answering; 100 bombs in a row leave the workers healthy and the memory back at its baseline."""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import MINIMAL
from tests.webapp.sparql.test_server import listener

from .support import FIGURES, descendants, real_server, rss_kib, server_env

TIMEOUT = 0.5  # TOOLBOX_QUERY_TIMEOUT of this server: bombs are cut quickly
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
WORKERS = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability-sparql")
    shutil.copytree(MINIMAL, root / "content")
    env = server_env(root / "content", root / "build", root / "instance", TOOLBOX_QUERY_TIMEOUT=str(TIMEOUT),
                     TOOLBOX_QUERY_WORKERS=str(WORKERS), TOOLBOX_QUERY_THREADS="2", TOOLBOX_RESULT_LIMIT="1000",
                     TOOLBOX_QUERY_QUEUE_WAIT="5")
    with real_server(env, root / "server.log") as (base, process):
        requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=60)  # start the workers
        yield base, process


def _count(base: str) -> int:
    response = requests.get(base + "/sparql", params={"query": COUNT},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def refused_queries(target: str) -> dict[str, str]:
    graph = f"<{target}>"
    return {
        "INSERT DATA": "INSERT DATA { <urn:x> <urn:p> <urn:o> }",
        "DELETE WHERE": "DELETE WHERE { ?s ?p ?o }",
        "DELETE/INSERT": "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "WITH": f"WITH {graph} DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        "LOAD": f"LOAD {graph}",
        "LOAD INTO": f"LOAD SILENT {graph} INTO GRAPH <urn:g>",
        "CLEAR ALL": "CLEAR ALL",
        "CLEAR DEFAULT": "CLEAR DEFAULT",
        "DROP": "DROP ALL",
        "CREATE": "CREATE GRAPH <urn:g>",
        "ADD": "ADD DEFAULT TO <urn:g>",
        "MOVE": "MOVE DEFAULT TO <urn:g>",
        "COPY": "COPY DEFAULT TO <urn:g>",
        "prefixed update": "PREFIX x: <urn:x#> CLEAR ALL",
        "update after comment": "# SELECT\nCLEAR ALL",
        "SERVICE": f"SELECT * WHERE {{ SERVICE {graph} {{ ?s ?p ?o }} }}",
        "SERVICE SILENT": f"SELECT * WHERE {{ SERVICE SILENT {graph} {{ ?s ?p ?o }} }}",
        "SERVICE variable": f"SELECT * WHERE {{ BIND({graph} AS ?x) SERVICE ?x {{ ?s ?p ?o }} }}",
        "SERVICE escaped": f"SELECT * WHERE {{ \\u0053ERVICE {graph} {{ ?s ?p ?o }} }}",
        "FROM remote": f"SELECT * FROM {graph} WHERE {{ ?s ?p ?o }}",
        "FROM NAMED remote": f"SELECT * FROM NAMED {graph} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "FROM relative to BASE": f"BASE {graph} SELECT * FROM <x> WHERE {{ ?s ?p ?o }}",
        "FROM prefixed": f"PREFIX r: {graph} SELECT * FROM r:x WHERE {{ ?s ?p ?o }}",
    }


def _send(base: str, how: str, query: str) -> requests.Response:
    url = base + "/sparql"
    if how == "GET query=":
        return requests.get(url, params={"query": query}, timeout=30)
    if how == "GET update=":
        return requests.get(url, params={"update": query}, timeout=30)
    if how == "POST query=":
        return requests.post(url, data={"query": query}, timeout=30)
    if how == "POST update=":
        return requests.post(url, data={"update": query}, timeout=30)
    if how == "POST sparql-query":
        return requests.post(url, data=query.encode(), headers={"Content-Type": "application/sparql-query"},
                             timeout=30)
    return requests.post(url, data=query.encode(), headers={"Content-Type": "application/sparql-update"},
                         timeout=30)


HOWS = ["GET query=", "GET update=", "POST query=", "POST update=", "POST sparql-query", "POST sparql-update"]


def test_updates_federation_and_remote_graphs_are_refused_and_nothing_changes(site):
    base, process = site
    before = _count(base)
    wrong = []
    with listener() as (port, hits):
        target = f"http://127.0.0.1:{port}/sparql"
        for name, query in refused_queries(target).items():
            for how in HOWS:
                response = _send(base, how, query)
                FIGURES.count("sparql-refused", str(response.status_code))
                if response.status_code not in (400, 403) or "Traceback" in response.text:
                    wrong.append(f"{name} via {how}: {response.status_code} {response.text[:120]}")
        for param in ("default-graph-uri", "named-graph-uri"):
            response = requests.get(base + "/sparql", params={"query": COUNT, param: target}, timeout=30)
            FIGURES.count("sparql-refused", str(response.status_code))
            if response.status_code != 400:
                wrong.append(f"{param}={target}: {response.status_code}")
        time.sleep(0.5)
        FIGURES.note("sparql-refused", "verbindingen naar het externe adres", len(hits))
        assert hits == [], "the server contacted the remote address"
    FIGURES.note("sparql-refused", "triples voor/na", [before, _count(base)])
    assert _count(base) == before
    assert not wrong, "\n".join(wrong)


def bombs() -> dict[str, str]:
    return {
        "cross product 4x": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        "cross product rows": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        "path over everything": "SELECT (COUNT(*) AS ?n) WHERE { ?s (<urn:x>|!<urn:x>)* ?o . ?o (!<urn:y>)+ ?z }",
        "path both ways": "SELECT ?s ?o WHERE { ?s (^!<urn:x>|!<urn:x>)* ?o } ORDER BY ?s",
        "deep nesting": "SELECT * WHERE " + "{ " * 2000 + "?s ?p ?o " + "} " * 2000,
        "deep OPTIONAL": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 300 + "}" * 300 + " }",
        "huge VALUES": "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(2500)) + " } ?s ?p ?o }",
        "VALUES over limit": "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(6000)) + " } }",
        "regex on everything": 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(REGEX(CONCAT(STR(?c), '
                               'STR(?f)), "(a+)+$")) }',
        "string blow-up": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . BIND(CONCAT(STR(?c), STR(?f), "
                          "STR(?c), STR(?f)) AS ?x) }",
        "construct everything": "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }",
        "describe everything": "DESCRIBE ?s WHERE { ?s ?p ?o }",
        "group by everything": "SELECT ?a ?f (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?a ?f",
    }


# A bomb's acceptable ends: cut by time (504), by rows (200 with the truncated flag), by length
# (413), refused as unparseable (400) or turned away while the workers are full (503).
CUT = {200, 400, 413, 503, 504}


def _bomb(base: str, name: str, query: str) -> tuple[str, int, float, bool]:
    started = time.monotonic()
    response = requests.post(base + "/sparql", data={"query": query},
                             headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"}, timeout=60)
    truncated = response.headers.get("X-Toolbox-Result-Truncated") == "true"
    return name, response.status_code, time.monotonic() - started, truncated


def _page_times(base: str, stop: threading.Event, out: list[float], statuses: list[int]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            statuses.append(requests.get(base + "/over", timeout=10).status_code)
        except requests.RequestException:
            statuses.append(0)
        out.append(time.monotonic() - started)
        time.sleep(0.05)


def test_bombs_are_cut_and_pages_keep_answering_and_100_leave_workers_healthy(site):
    base, process = site
    catalogue = bombs()
    # Baseline: every bomb once, so the workers have met each kind before memory is measured.
    warm = [_bomb(base, name, q) for name, q in catalogue.items()]
    for name, status, _, _ in warm:
        assert status in CUT, f"{name}: {status}"
    time.sleep(1)
    workers_before = sorted(descendants(process.pid))
    baseline = rss_kib(process.pid)
    stop, page_seconds, page_statuses = threading.Event(), [], []
    pages = threading.Thread(target=_page_times, args=(base, stop, page_seconds, page_statuses))
    pages.start()
    names = list(catalogue)
    outcomes = []
    try:
        with ThreadPoolExecutor(4) as pool:
            for i in range(0, 100, 4):
                batch = [names[(i + k) % len(names)] for k in range(4)]
                outcomes += list(pool.map(lambda n: _bomb(base, n, catalogue[n]), batch))
    finally:
        stop.set()
        pages.join(30)
    assert len(outcomes) == 100
    labels = {400: "400 geweigerd", 413: "413 te lang", 503: "503 bezet", 504: "504 afgebroken op de tijdslimiet"}
    for _name, status, _seconds, truncated in outcomes:
        if status == 200:
            label = "200 afgekapt op de rijgrens" if truncated else "200 volledig"
        else:
            label = labels.get(status, f"{status} onverwacht")
        FIGURES.count("sparql-bombs", label)
    wrong = [(n, s) for n, s, _, _ in outcomes if s not in CUT]
    slow = max(s for _, _, s, _ in outcomes)
    assert not wrong, wrong
    assert all(status == 200 for status in page_statuses), page_statuses
    assert max(page_seconds) < 5, f"a page took {max(page_seconds):.1f} s while bombs ran"
    # After: the pool answers at once, no worker is lost or left over, memory is back near its baseline.
    time.sleep(2)
    started = time.monotonic()
    assert _count(base) > 0
    healthy_seconds = time.monotonic() - started
    after = rss_kib(process.pid)
    workers_after = sorted(descendants(process.pid))
    FIGURES.note("sparql-bombs", "bommen", 100)
    FIGURES.note("sparql-bombs", "soorten", len(catalogue))
    FIGURES.note("sparql-bombs", "traagste bomantwoord (s)", round(slow, 2))
    FIGURES.note("sparql-bombs", "paginaantwoorden tijdens de bommen", len(page_statuses))
    FIGURES.note("sparql-bombs", "traagste pagina tijdens de bommen (s)",
                 round(max(page_seconds), 2))
    FIGURES.note("sparql-bombs", "geheugen server en werkers voor/na (MiB)",
                 [round(baseline / 1024), round(after / 1024)])
    FIGURES.note("sparql-bombs", "processen voor/na", [len(workers_before), len(workers_after)])
    FIGURES.note("sparql-bombs", "eerste query daarna (s)", round(healthy_seconds, 2))
    assert process.poll() is None
    assert healthy_seconds < 5
    assert len(workers_after) == len(workers_before)
    assert after < baseline * 1.25 + 50 * 1024, f"memory {baseline // 1024} MiB -> {after // 1024} MiB"
