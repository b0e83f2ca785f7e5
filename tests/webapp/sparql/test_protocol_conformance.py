"""SPARQL 1.1 Protocol conformance against the real server (`toolbox serve`), case by case.

Walks the query cases of the W3C SPARQL 1.1 Protocol test suite (query via GET, URL-encoded POST
and direct POST; dataset parameters against FROM / FROM NAMED; the response's media type per
query form; the error cases), plus what the endpoint promises beyond the protocol: a wall-clock
time limit also under load, truncation said in the result, an explicit LIMIT above the cap refused.
Clients are SPARQLWrapper, rdflib's SPARQLStore and requests.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

from tests.webapp.sparql.test_server import serve_app

pytestmark = pytest.mark.server

BASE = "https://toolbox-openbare-ruimte.nl"
CONTENT, ONTOLOGY, INFERRED = (BASE + "/graph/inhoud", BASE + "/graph/ontologie", BASE + "/graph/afgeleid")
RESULT_LIMIT = 500
TIMEOUT = 2.0
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SRJ = "application/sparql-results+json"


@pytest.fixture(scope="module")
def base(minimal_store, minimal_settings):
    with serve_app(minimal_settings.build_dir, TOOLBOX_QUERY_TIMEOUT=str(TIMEOUT), TOOLBOX_QUERY_QUEUE_WAIT="30",
                   TOOLBOX_QUERY_THREADS="2", TOOLBOX_RESULT_LIMIT=str(RESULT_LIMIT)) as (url, _):
        requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60)
        yield url


@pytest.fixture(scope="module")
def endpoint(base):
    return base + "/sparql"


def _n(response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _send(endpoint, how: str, query: str, params: dict | None = None, headers: dict | None = None):
    """One query as the protocol allows it: GET, URL-encoded POST, or POST with the query as body."""
    params = params or {}
    headers = {"Accept": SRJ, **(headers or {})}
    if how == "get":
        return requests.get(endpoint, params={"query": query, **params}, headers=headers, timeout=30)
    if how == "form":
        return requests.post(endpoint, data={"query": query, **params}, headers=headers, timeout=30)
    return requests.post(endpoint, params=params, data=query.encode("utf-8"),
                         headers={**headers, "Content-Type": "application/sparql-query"}, timeout=30)


HOW = ["get", "form", "direct"]


# --------------------------------------------------------------------------- query operation (§2.1)
@pytest.mark.parametrize("how", HOW)
def test_query_by_each_method(endpoint, how):
    """query_get, query_post_form, query_post_direct."""
    response = _send(endpoint, how, "ASK { ?s ?p ?o }")
    assert response.status_code == 200 and response.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("method, request_method", [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)])
def test_sparqlwrapper_each_method(endpoint, method, request_method):
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setReturnFormat(JSON)
    client.setQuery(COUNT)
    assert int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) > 0


def test_rdflib_sparqlstore_reads_the_graph(endpoint):
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    labels = list(graph.query("SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 5"))
    assert len(labels) == 5


# --------------------------------------------------------------------------- datasets (§2.1.4, Query §13)
def _graph_size(endpoint, graph: str) -> int:
    return _n(_send(endpoint, "get", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))


@pytest.mark.parametrize("how", HOW)
def test_from_forms_the_default_graph(endpoint, how):
    """Issue 25: FROM was ignored (the union was counted)."""
    union = _n(_send(endpoint, how, COUNT))
    ontology = _graph_size(endpoint, ONTOLOGY)
    assert 0 < ontology < union
    assert _n(_send(endpoint, how, f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}")) == ontology
    both = _n(_send(endpoint, how, f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> FROM <{CONTENT}> "
                                   "WHERE { ?s ?p ?o }"))
    assert ontology < both <= ontology + _graph_size(endpoint, CONTENT)


@pytest.mark.parametrize("how", HOW)
def test_dataset_parameters(endpoint, how):
    """query_dataset_default_graph(s), query_dataset_named_graphs, query_dataset_full."""
    ontology, content = _graph_size(endpoint, ONTOLOGY), _graph_size(endpoint, CONTENT)
    assert _n(_send(endpoint, how, COUNT, {"default-graph-uri": ONTOLOGY})) == ontology
    merged = _n(_send(endpoint, how, COUNT, {"default-graph-uri": [ONTOLOGY, CONTENT]}))
    assert ontology < merged <= ontology + content
    named = _send(endpoint, how, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                  {"named-graph-uri": [CONTENT, INFERRED]})
    assert sorted(b["g"]["value"] for b in named.json()["results"]["bindings"]) == sorted([CONTENT, INFERRED])
    full = _send(endpoint, how, "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                 {"default-graph-uri": ONTOLOGY, "named-graph-uri": CONTENT})
    assert _n(full) == ontology + content


@pytest.mark.parametrize("how", HOW)
def test_protocol_dataset_overrides_the_query(endpoint, how):
    """query_multiple_dataset: with both, the protocol's dataset is used, not FROM / FROM NAMED."""
    content = _graph_size(endpoint, CONTENT)
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> FROM NAMED <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
    assert _n(_send(endpoint, how, query, {"default-graph-uri": CONTENT})) == content
    graphs = _send(endpoint, how, f"SELECT DISTINCT ?g FROM NAMED <{ONTOLOGY}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                   {"named-graph-uri": CONTENT})
    assert [b["g"]["value"] for b in graphs.json()["results"]["bindings"]] == [CONTENT]


def test_from_named_without_from_has_an_empty_default_graph(endpoint):
    assert _n(_send(endpoint, "get", f"SELECT (COUNT(*) AS ?n) FROM NAMED <{CONTENT}> WHERE {{ ?s ?p ?o }}")) == 0


def test_graphs_outside_the_dataset_are_refused(endpoint):
    for query, params in (("ASK FROM <http://elders.example/g> { ?s ?p ?o }", {}),
                          ("ASK { ?s ?p ?o }", {"default-graph-uri": "http://elders.example/g"}),
                          ("ASK { ?s ?p ?o }", {"named-graph-uri": "http://elders.example/g"})):
        response = _send(endpoint, "get", query, params)
        assert response.status_code == 400 and "hoort niet bij deze dataset" in response.text


# --------------------------------------------------------------------------- response formats
SELECT_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"]
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml"}


@pytest.mark.parametrize("media", SELECT_TYPES)
@pytest.mark.parametrize("suffix", ["", "; charset=utf-8", ";q=0.9"])
def test_select_and_ask_content_types(endpoint, media, suffix):
    """query_content_type_select / _ask, with media-type parameters (issue 25: those were 406)."""
    for query in ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "ASK { ?s ?p ?o }"):
        response = _send(endpoint, "get", query, headers={"Accept": media + suffix})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == media + "; charset=utf-8"


@pytest.mark.parametrize("media", list(GRAPH_TYPES))
@pytest.mark.parametrize("form", ["CONSTRUCT WHERE { ?s a ?t } LIMIT 5", "DESCRIBE <" + BASE + "/id/lijst/niveaus>"])
def test_construct_and_describe_content_types(endpoint, media, form):
    """query_content_type_construct / _describe: an RDF graph in the asked syntax."""
    response = _send(endpoint, "get", form, headers={"Accept": media + "; charset=utf-8"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == media + "; charset=utf-8"
    Graph().parse(data=response.content, format=GRAPH_TYPES[media])


def test_jsonld_profile_is_accepted(endpoint):
    response = _send(endpoint, "get", "CONSTRUCT WHERE { ?s a ?t } LIMIT 5",
                     headers={"Accept": 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/ld+json")


def test_q_values_choose(endpoint):
    response = _send(endpoint, "get", "ASK {}", headers={"Accept": "text/csv;q=0.2, application/sparql-results+xml"})
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")


# --------------------------------------------------------------------------- error cases
def test_bad_query_method(endpoint):
    assert requests.put(endpoint, data="ASK {}", timeout=30).status_code == 405


def test_bad_multiple_queries(endpoint):
    response = requests.get(endpoint, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=30)
    assert response.status_code == 400


def test_bad_query_wrong_media_type(endpoint):
    response = requests.post(endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 415


def test_bad_query_missing_form_type(endpoint):
    assert requests.post(endpoint, data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""},
                         timeout=30).status_code in (400, 415)


def test_form_post_without_query(endpoint):
    """Issue 25: a form POST without `query` answered the service description."""
    response = requests.post(endpoint, data={"default-graph-uri": CONTENT}, headers={"Accept": SRJ}, timeout=30)
    assert response.status_code == 400


def test_bad_query_non_utf8(endpoint):
    response = requests.get(endpoint + "?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%E9%22%20%7D", timeout=30)
    assert response.status_code == 400


def test_bad_query_syntax(endpoint):
    response = _send(endpoint, "get", "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400 and "Syntaxfout" in response.text


@pytest.mark.parametrize("how", ["get", "form"])
def test_bad_update_operations(endpoint, how):
    """bad_update_get and updates through the query operation: refused, nothing changed."""
    before = _n(_send(endpoint, "get", COUNT))
    params = {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}
    if how == "get":
        response = requests.get(endpoint, params=params, timeout=30)
    else:
        response = requests.post(endpoint, data=params, timeout=30)
    assert response.status_code == 400
    assert _send(endpoint, "get", "INSERT DATA { <urn:a> <urn:b> <urn:c> }").status_code == 400
    assert _n(_send(endpoint, "get", COUNT)) == before


def test_not_acceptable(endpoint):
    assert _send(endpoint, "get", "ASK {}", headers={"Accept": "image/png"}).status_code == 406


# --------------------------------------------------------------------------- what the endpoint promises
def test_truncation_is_in_the_result_and_an_explicit_limit_above_it_is_refused(endpoint, base):
    cut = _send(endpoint, "get", "SELECT * WHERE { ?s ?p ?o }")
    assert cut.headers["X-Toolbox-Result-Truncated"] == "true"
    link = cut.json()["head"]["link"][0]
    assert link == BASE + "/sparql/limieten"
    assert requests.get(base + "/sparql/limieten", timeout=30).status_code == 200
    xml = _send(endpoint, "get", "SELECT * WHERE { ?s ?p ?o }", headers={"Accept": "application/sparql-results+xml"})
    head = ET.fromstring(xml.content).find("{http://www.w3.org/2005/sparql-results#}head")
    assert head.find("{http://www.w3.org/2005/sparql-results#}link").get("href") == link
    refused = _send(endpoint, "get", f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {RESULT_LIMIT + 1}")
    assert refused.status_code == 400 and f"LIMIT {RESULT_LIMIT + 1}" in refused.text
    assert "link" not in _send(endpoint, "get", f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {RESULT_LIMIT}").json()["head"]


def test_nobody_waits_past_the_wall_clock_limit_under_load(endpoint, base):
    """Issue 25: a heavy query held a client 30 s for a 10 s limit. Four heavy queries at once on
    two slots: each client has its answer (504, or 503) by the limit plus a moment, and the pages
    keep answering meanwhile."""
    outcomes: list[tuple[int, float]] = []

    def heavy():
        started = time.monotonic()
        response = requests.get(endpoint, params={"query": SLOW}, headers={"Accept": SRJ}, timeout=60)
        outcomes.append((response.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=heavy) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    page = requests.get(base + "/over", timeout=30)
    for thread in threads:
        thread.join(60)
    assert page.status_code == 200
    assert len(outcomes) == 4
    for status, seconds in outcomes:
        assert status in (503, 504)
        assert seconds < TIMEOUT + 1.5
    assert any(status == 504 for status, _ in outcomes)
    assert _send(endpoint, "get", "ASK {}").status_code == 200  # and the workers came back


def test_service_description(endpoint):
    """The service description is at the endpoint (GET without query), with IRIs from the base URI, not the Host."""
    forged = requests.get(endpoint, headers={"Accept": "text/turtle", "Host": "elders.example"}, timeout=30)
    assert forged.status_code == 400 and "elders.example" not in forged.text
    response = requests.get(endpoint, headers={"Accept": "text/turtle"}, timeout=30)
    assert "127.0.0.1" not in response.text
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(BASE + "/sparql#service"), URIRef(sd + "endpoint"), URIRef(BASE + "/sparql")) in graph
    jsonld = requests.get(endpoint, headers={"Accept": "application/ld+json; charset=utf-8"}, timeout=30)
    assert jsonld.status_code == 200 and json.loads(jsonld.text)
