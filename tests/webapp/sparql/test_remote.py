"""The site and the endpoint against an external store: an Oxigraph server the test starts itself."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

from tests.webapp.sparql.test_server import SLOW, free_port, serve_app

pytestmark = pytest.mark.server

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
RESULT_LIMIT = 500


@pytest.fixture(scope="module")
def oxigraph(minimal_settings, minimal_store, tmp_path_factory):
    """`oxigraph load` the built dataset, then `oxigraph serve-read-only --union-default-graph`."""
    if not OXIGRAPH.exists():
        pytest.skip("the oxigraph server binary (pip package `oxigraph`) is not installed")
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file",
                    str(minimal_settings.build_dir / "graph.nq")], check=True, capture_output=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph", "--timeout-s", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("oxigraph did not start: " + process.stdout.read().decode(errors="replace"))
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def base(oxigraph, tmp_path_factory):
    build = tmp_path_factory.mktemp("build-remote")
    with serve_app(build, TOOLBOX_SPARQL_ENDPOINT=oxigraph, TOOLBOX_QUERY_TIMEOUT="2",
                   TOOLBOX_RESULT_LIMIT=str(RESULT_LIMIT)) as (url, _process):
        yield url


@pytest.fixture(scope="module")
def local(minimal_settings):
    store = ox.Store()
    store.bulk_load(path=str(minimal_settings.build_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def _n(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_pages_render_from_the_remote_store(base):
    for path in ["/", "/doc/tool/ambitieweb", "/tools", "/def/tor", "/sparql"]:
        response = requests.get(base + path, headers={"Accept": "text/html"})
        assert response.status_code == 200, path
    assert "Ambitieweb" in requests.get(base + "/doc/tool/ambitieweb").text


def test_linked_data_from_the_remote_store(base):
    response = requests.get(base + "/id/tool/ambitieweb", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/doc/tool/ambitieweb.ttl")
    graph = Graph().parse(data=requests.get(base + "/id/tool/ambitieweb", headers={"Accept": "text/turtle"}).text,
                          format="turtle")
    assert len(graph) > 5


def test_select_ask_construct_through_the_endpoint(base, local):
    endpoint = base + "/sparql"
    assert _n(requests.get(endpoint, params={"query": COUNT})) == len(local)
    client = SPARQLWrapper(endpoint)
    client.setReturnFormat(JSON)
    client.setQuery("ASK { ?s a <https://toolbox-openbare-ruimte.nl/def/tor#Tool> }")
    assert client.query().convert()["boolean"] is True
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    client.setReturnFormat(TURTLE)
    client.setQuery("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }")
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == len(set(local.query("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }",
                                             use_default_graph_as_union=True)))
    csv = requests.get(endpoint, params={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 3"},
                       headers={"Accept": "text/csv"})
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8" and len(csv.text.splitlines()) == 4


def test_dataset_parameters_are_forwarded(base, local):
    ontology = "https://toolbox-openbare-ruimte.nl/graph/ontologie"
    expected = len(list(local.quads_for_pattern(None, None, None, ox.NamedNode(ontology))))
    response = requests.get(base + "/sparql", params={"query": COUNT, "default-graph-uri": ontology})
    assert _n(response) == expected


def test_refusals_happen_before_anything_is_sent(base, local):
    endpoint = base + "/sparql"
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DROP ALL", "LOAD <http://127.0.0.1:9/x>"):
        response = requests.post(endpoint, data={"query": update})
        assert response.status_code == 400 and "alleen-lezen" in response.text
    response = requests.get(endpoint, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert response.status_code == 400 and "SERVICE" in response.text
    response = requests.post(endpoint, data={"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 25000})
    assert response.status_code == 413
    assert _n(requests.get(endpoint, params={"query": COUNT})) == len(local)


def test_store_errors_are_passed_on(base):
    response = requests.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "1:" in response.text  # the store's parser position


def test_time_limit_and_result_cap(base):
    started = time.monotonic()
    response = requests.get(base + "/sparql", params={"query": SLOW})
    assert response.status_code == 504
    assert time.monotonic() - started < 6
    capped = requests.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                          headers={"Accept": "text/tab-separated-values"})
    assert capped.headers["X-Toolbox-Result-Truncated"] == "true"
    assert len(capped.text.splitlines()) == RESULT_LIMIT + 1


def test_dumps_from_the_remote_store(base, local):
    distinct = len(set(local.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))
    for name, parser in (("toolbox-openbare-ruimte.ttl", "turtle"), ("toolbox-openbare-ruimte.jsonld.gz", "json-ld")):
        response = requests.get(base + "/data/" + name)
        assert response.status_code == 200, name
        data = gzip.decompress(response.content) if name.endswith(".gz") else response.content
        assert len(Graph().parse(data=data, format=parser)) == distinct
    assert requests.get(base + "/data/", headers={"Accept": "text/turtle"}).status_code == 200
