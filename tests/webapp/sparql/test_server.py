"""The SPARQL endpoint over real HTTP: a `toolbox serve` process, driven by SPARQLWrapper, rdflib and requests.

The server runs on the minimal fixture with a 2 s time limit and a 500-row cap, so the
refusals can be seen without waiting long.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.conftest import MINIMAL
from toolbox.config import REPO_ROOT

pytestmark = pytest.mark.server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TYPES = "SELECT ?s ?t WHERE { ?s a ?t } ORDER BY ?s ?t"
RESULT_LIMIT = 500


# --------------------------------------------------------------------------- running a server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_app(build_dir: Path, **env_overrides: str):
    """`toolbox serve` (Granian) in a subprocess on a free loopback port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update({"TOOLBOX_CONTENT": str(MINIMAL), "TOOLBOX_BUILD": str(build_dir), "PYTHONUNBUFFERED": "1"})
    env.update(env_overrides)
    process = subprocess.Popen(
        [sys.executable, "-m", "toolbox.cli", "serve", "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError("server stopped: " + process.stdout.read().decode(errors="replace")[-3000:])
            try:
                if requests.get(base + "/sparql", headers={"Accept": "text/turtle"}, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def server(minimal_store, minimal_settings):
    with serve_app(minimal_settings.build_dir, TOOLBOX_QUERY_TIMEOUT="2", TOOLBOX_QUERY_QUEUE_WAIT="3",
                   TOOLBOX_QUERY_THREADS="2", TOOLBOX_RESULT_LIMIT=str(RESULT_LIMIT)) as (base, process):
        # Warm the worker processes so timings below measure queries, not start-up.
        requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=60)
        yield base, process


@pytest.fixture(scope="module")
def base(server):
    return server[0]


@pytest.fixture(scope="module")
def endpoint(base):
    return base + "/sparql"


@pytest.fixture(scope="module")
def local(minimal_settings):
    """The same dataset in-process, for expected answers."""
    store = ox.Store()
    store.bulk_load(path=str(minimal_settings.build_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def _count(store, query: str, **kw) -> int:
    kw.setdefault("use_default_graph_as_union", True)
    return len(list(store.query(query, **kw)))


def _total(store) -> int:
    return int(next(iter(store.query(COUNT, use_default_graph_as_union=True)))["n"].value)


# --------------------------------------------------------------------------- protocol and formats
METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
RESULT_TYPES = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
                CSV: "text/csv", TSV: "text/tab-separated-values"}


def _sparqlwrapper_query(endpoint, method, request_method, fmt, query):
    """One query through SPARQLWrapper with the given HTTP method, request style and result format."""
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setReturnFormat(fmt)
    client.setQuery(query)
    return client.query()


@pytest.mark.parametrize("method, request_method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_with_sparqlwrapper(endpoint, local, method, request_method, fmt):
    result = _sparqlwrapper_query(endpoint, method, request_method, fmt, TYPES)
    assert result.response.headers["Content-Type"] == RESULT_TYPES[fmt] + "; charset=utf-8"
    converted = result.convert()
    expected = _count(local, TYPES)
    if fmt == JSON:
        assert len(converted["results"]["bindings"]) == expected
    elif fmt == XML:
        assert len(converted.getElementsByTagName("result")) == expected
    elif fmt == CSV:
        assert len(list(csv.reader(io.StringIO(converted.decode("utf-8"))))) == expected + 1
    else:
        assert len(converted.decode("utf-8").splitlines()) == expected + 1


@pytest.mark.parametrize("method, request_method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_with_sparqlwrapper(endpoint, method, request_method, fmt):
    result = _sparqlwrapper_query(endpoint, method, request_method, fmt,
                                  "ASK { ?s a <https://toolbox-openbare-ruimte.nl/def/tor#Tool> }")
    assert result.response.headers["Content-Type"] == RESULT_TYPES[fmt] + "; charset=utf-8"
    converted = result.convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    elif fmt == XML:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert converted.strip() == b"true"


CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }"


@pytest.mark.parametrize("method, request_method", METHODS)
@pytest.mark.parametrize("fmt, media, parse_as", [
    (TURTLE, "text/turtle", "turtle"), (N3, "text/turtle", "turtle"),
    (RDFXML, "application/rdf+xml", None), (JSONLD, "application/ld+json", None),
])
def test_construct_with_sparqlwrapper(endpoint, local, method, request_method, fmt, media, parse_as):
    result = _sparqlwrapper_query(endpoint, method, request_method, fmt, CONSTRUCT)
    assert result.response.headers["Content-Type"] == media + "; charset=utf-8"
    converted = result.convert()
    if parse_as:
        graph = Graph().parse(data=converted, format=parse_as)
    else:
        graph = converted
    assert len(graph) == len(set(local.query(CONSTRUCT, use_default_graph_as_union=True)))


@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(endpoint, local, return_format, method):
    graph = Graph(store=SPARQLStore(endpoint, returnFormat=return_format, method=method))
    rows = list(graph.query(TYPES))
    assert len(rows) == _count(local, TYPES)
    if return_format != "csv":  # rdflib's CSV parser has no ASK
        assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    if return_format == "xml":  # rdflib then accepts RDF/XML for graphs
        assert len(graph.query(CONSTRUCT).graph) == len(set(local.query(CONSTRUCT, use_default_graph_as_union=True)))


@pytest.mark.parametrize("fmt, media", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
])
def test_format_parameter_and_media_types(endpoint, fmt, media):
    response = requests.get(endpoint, params={"query": TYPES, "format": fmt})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media + "; charset=utf-8"
    assert response.headers["X-Toolbox-Result-Truncated"] == "false"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept, media", [
    ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml"),
    ("*/*", "text/turtle"),
])
def test_graph_results_by_accept(endpoint, local, accept, media):
    response = requests.post(endpoint, data=CONSTRUCT.encode(),
                             headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media + "; charset=utf-8"
    formats = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml"}
    graph = Graph().parse(data=response.content, format=formats[media])
    assert len(graph) == len(set(local.query(CONSTRUCT, use_default_graph_as_union=True)))


def test_describe(endpoint):
    response = requests.get(endpoint, params={"query": "DESCRIBE <https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb>"},
                            headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert b"<https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb>" in response.content


def test_default_accept_is_sparql_json(endpoint):
    response = requests.get(endpoint, params={"query": TYPES}, headers={"Accept": "*/*"})
    assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"


@pytest.mark.parametrize("query, accept, params", [
    (TYPES, "image/png", {}),
    (TYPES, "text/turtle", {}),
    (CONSTRUCT, "text/csv", {}),
    (CONSTRUCT, "*/*", {"format": "tsv"}),
    (TYPES, "*/*", {"format": "pdf"}),
])
def test_unsupported_formats_get_406(endpoint, query, accept, params):
    response = requests.get(endpoint, params={"query": query, **params}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "beschikbaar" in response.text.lower() or "kies uit" in response.text


def test_dataset_parameters_are_honoured(endpoint, local):
    ontology = "https://toolbox-openbare-ruimte.nl/graph/ontologie"
    content = "https://toolbox-openbare-ruimte.nl/graph/inhoud"
    expected = len(list(local.quads_for_pattern(None, None, None, ox.NamedNode(ontology))))
    for send in ("get", "form", "direct"):
        params = {"default-graph-uri": ontology}
        if send == "get":
            response = requests.get(endpoint, params={"query": COUNT, **params})
        elif send == "form":
            response = requests.post(endpoint, data={"query": COUNT, **params})
        else:
            response = requests.post(endpoint, params=params, data=COUNT.encode(),
                                     headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"][0]["n"]["value"] == str(expected), send
    response = requests.get(endpoint, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                              "named-graph-uri": content})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [content]
    response = requests.get(endpoint, params={"query": COUNT, "default-graph-uri": "geen iri"})
    assert response.status_code == 400 and "graaf-IRI" in response.text


# --------------------------------------------------------------------------- refusals
UPDATES = [
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <urn:x:g>",
    "ADD DEFAULT TO <urn:x:g>",
    "MOVE DEFAULT TO <urn:x:g>",
    "COPY DEFAULT TO <urn:x:g>",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_however_sent(endpoint, local, update):
    attempts = [
        requests.get(endpoint, params={"query": update}),
        requests.get(endpoint, params={"update": update}),
        requests.post(endpoint, data={"query": update}),
        requests.post(endpoint, data={"update": update}),
        requests.post(endpoint, data=update.encode(), headers={"Content-Type": "application/sparql-query"}),
        requests.post(endpoint, data=update.encode(), headers={"Content-Type": "application/sparql-update"}),
    ]
    for response in attempts:
        assert response.status_code == 400, (update, response.request.method, response.text)
        assert "alleen-lezen" in response.text and "niets gewijzigd" in response.text
    count = requests.get(endpoint, params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    assert int(count) == _total(local)


def test_updates_from_real_clients_are_refused(endpoint, local):
    client = SPARQLWrapper(endpoint)
    client.setQuery("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    client.setMethod(POST)
    with pytest.raises(QueryBadFormed):
        client.query()
    store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint)
    with pytest.raises(Exception) as info:
        store.update("DROP ALL")
    assert "400" in str(info.value)
    count = requests.get(endpoint, params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    assert int(count) == _total(local)


@contextmanager
def listener():
    """A loopback socket that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    hits = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                hits.append(conn)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], hits
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_service_is_refused_and_nothing_goes_out(endpoint):
    with listener() as (port, hits):
        target = f"http://127.0.0.1:{port}/sparql"
        queries = [
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ BIND(<{target}> AS ?x) SERVICE ?x {{ ?s ?p ?o }} }}",
            f'SELECT * WHERE {{ # """\n SERVICE <{target}> {{ ?s ?p ?o }} # """\n }}',
        ]
        for query in queries:
            for response in (requests.get(endpoint, params={"query": query}),
                             requests.post(endpoint, data=query.encode(),
                                           headers={"Content-Type": "application/sparql-query"})):
                assert response.status_code == 400, query
                assert "SERVICE" in response.text
        # FROM with a graph outside the dataset is refused (it was answered as an empty graph).
        response = requests.get(endpoint, params={"query": f"ASK FROM <{target}> {{ ?s ?p ?o }}"})
        assert response.status_code == 400
        assert "hoort niet bij deze dataset" in response.text
        time.sleep(0.5)
        assert hits == []


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def test_time_limit_really_stops_the_work(server, endpoint):
    base, process = server
    started = time.monotonic()
    response = requests.get(endpoint, params={"query": SLOW})
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert "tijdslimiet" in response.text
    assert elapsed < 6
    # The worker that ran it is gone and its replacement is idle: no process keeps burning CPU.
    time.sleep(1)
    children = _children(process.pid)
    before = _cpu_seconds(children)
    time.sleep(1.5)
    assert _cpu_seconds(children) - before < 0.3
    # And the endpoint answers the next query.
    assert requests.get(endpoint, params={"query": "ASK {}"}).json()["boolean"] is True


def test_result_cap_is_signalled(endpoint, local):
    assert _total(local) > RESULT_LIMIT
    response = requests.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["X-Toolbox-Result-Truncated"] == "true"
    assert response.headers["X-Toolbox-Result-Count"] == str(RESULT_LIMIT)
    assert len(list(csv.reader(io.StringIO(response.text)))) == RESULT_LIMIT + 1
    graph = requests.get(endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["X-Toolbox-Result-Truncated"] == "true"
    lines = graph.text.splitlines()
    assert len(lines) == RESULT_LIMIT + 1 and lines[0].startswith("# Afgekapt")  # said in the graph itself
    page = requests.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/html"})
    assert "Afgekapt" in page.text


def test_oversized_query_is_refused(endpoint):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 25000
    response = requests.post(endpoint, data={"query": query})
    assert response.status_code == 413
    assert "te lang" in response.text


@pytest.mark.parametrize("query, line", [
    ("SELECT * WHERE { ?s ?p }", 1),
    ("PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n  ?s ?p ?o ?x .\n}", 4),  # Oxigraph: after the triple
    ("SELEC * WHERE { ?s ?p ?o }", 1),
])
def test_malformed_query_gives_parser_message_and_position(endpoint, query, line):
    response = requests.get(endpoint, params={"query": query})
    assert response.status_code == 400
    match = re.search(r"error at (\d+):(\d+): expected", response.text)
    assert match and int(match.group(1)) == line and "Syntaxfout" in response.text


def test_missing_query_and_wrong_content_type(endpoint):
    assert requests.get(endpoint, params={"query": ""}).status_code == 400
    response = requests.post(endpoint, data=b"SELECT * {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert requests.get(endpoint, params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400


def test_cors(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(endpoint, headers={"Origin": "https://example.org",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_service_description(endpoint):
    response = requests.get(endpoint, headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.text, format="turtle")
    answer = graph.query("""PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        ASK { ?s a sd:Service ; sd:endpoint ?e ; sd:supportedLanguage sd:SPARQL11Query ;
              sd:feature sd:UnionDefaultGraph }""")
    assert answer.askAnswer
    assert len(Graph().parse(data=requests.get(endpoint, headers={"Accept": "application/ld+json"}).text,
                             format="json-ld")) == len(graph)


def _fire(url: str, query: str | list[str], n: int) -> list[tuple[int, float]]:
    """n concurrent requests (of one query, or of each in a list of n); (status, seconds) of each."""
    results = []
    queries = [query] * n if isinstance(query, str) else query

    def one(text):
        started = time.monotonic()
        response = requests.get(url, params={"query": text}, timeout=60)
        results.append((response.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=one, args=(text,)) for text in queries]
    for thread in threads:
        thread.start()
    return results, threads


def _page_timings(base: str) -> list[float]:
    timings = []
    for path in ["/", "/doc/tool/ambitieweb", "/tools", "/data/", "/sparql", "/id/tool/ambitieweb"] * 2:
        started = time.monotonic()
        response = requests.get(base + path, headers={"Accept": "text/html"})
        timings.append(time.monotonic() - started)
        assert response.status_code == 200, path
    return timings


def test_slow_queries_wait_in_line_for_a_bounded_time_and_do_not_stall_the_site(base, endpoint):
    # Ten different slow queries (one query asked ten times at once runs once: see test_endpoint.py).
    results, threads = _fire(endpoint, [f"{SLOW} LIMIT {n + 1}" for n in range(10)], 10)
    time.sleep(0.3)
    timings = _page_timings(base)
    for thread in threads:
        thread.join(60)
    statuses = sorted(status for status, _ in results)
    # Two workers of two query threads, a 2 s wall-clock limit: the first queries run into the limit (504); the rest
    # wait in line, at most until their own limit (TOOLBOX_QUERY_QUEUE_WAIT is 3 s here, but the 2 s limit counts
    # from arrival), and are then told the endpoint is busy (503).
    assert set(statuses) <= {503, 504} and 503 in statuses and 504 in statuses
    assert max(t for _, t in results) < 2 + 1.5
    assert max(timings) < 1.5, timings


def test_many_quick_queries_all_get_an_answer(endpoint):
    results, threads = _fire(endpoint, COUNT, 40)
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in results] == [200] * 40


def test_sparql_leaves_threads_to_the_pages(minimal_store, minimal_settings):
    """With 12 server threads SPARQL may hold 4 (8 stay with the pages): the rest is refused at once."""
    with serve_app(minimal_settings.build_dir, TOOLBOX_QUERY_TIMEOUT="2", TOOLBOX_QUERY_QUEUE_WAIT="3",
                   TOOLBOX_SERVER_THREADS="12") as (base, _):
        requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=60)
        results, threads = _fire(base + "/sparql", SLOW, 10)
        time.sleep(0.3)
        timings = _page_timings(base)
        for thread in threads:
            thread.join(60)
    busy = [t for status, t in results if status == 503]
    assert busy and min(busy) < 1  # refused at once, not queued
    assert max(timings) < 1.5, timings


# --------------------------------------------------------------------------- pages, Linked Data, downloads over HTTP
def test_html_page_for_browsers(endpoint):
    response = requests.get(endpoint, params={"query": TYPES},
                            headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<table" in response.text and 'href="/doc/tool/ambitieweb"' in response.text


def test_rdflib_dereferences_a_thing(base):
    graph = Graph().parse(base + "/id/tool/ambitieweb")
    subject = "https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb"
    assert any(str(s) == subject for s in graph.subjects())


@pytest.mark.parametrize("accept, location", [
    ("text/html", "/doc/tool/ambitieweb"),
    ("text/turtle", "/doc/tool/ambitieweb.ttl"),
    ("application/n-triples", "/doc/tool/ambitieweb.nt"),
    ("application/ld+json", "/doc/tool/ambitieweb.jsonld"),
    ("application/rdf+xml", "/doc/tool/ambitieweb.rdf"),
])
def test_uri_content_negotiation_over_http(base, accept, location):
    response = requests.get(base + "/id/tool/ambitieweb", headers={"Accept": accept}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(location)
    followed = requests.get(base + "/id/tool/ambitieweb", headers={"Accept": accept})
    assert followed.status_code == 200 and followed.headers["Content-Type"].startswith(accept)


def test_gzipped_dump_over_http(base, local):
    import gzip

    response = requests.get(base + "/data/toolbox-openbare-ruimte.nt.gz")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/gzip"
    graph = Graph().parse(data=gzip.decompress(response.content), format="nt")
    assert len(graph) == len(set(local.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))


def test_error_bodies_are_plain_text_for_machines(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT"}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("Syntaxfout")
