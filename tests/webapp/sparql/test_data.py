"""Downloads at /data/: dumps that parse back into the same triples, DCAT and VoID descriptions."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import replace

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from toolbox.build.pipeline import ensure_built
from toolbox.graph.dataset import DUMP_STEM, dumps_present

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
BASE = "https://toolbox-openbare-ruimte.nl"
PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@pytest.fixture
def client(minimal_app):
    """These tests run over the minimal fixture content."""
    return minimal_app.test_client()


@pytest.fixture(scope="module")
def local(minimal_settings, minimal_store):
    store = ox.Store()
    store.bulk_load(path=str(minimal_settings.build_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def distinct_triples(local) -> int:
    return len(set(local.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
@pytest.mark.parametrize("gz", [False, True])
def test_dumps_parse_back_into_the_same_triples(client, distinct_triples, fmt, gz):
    name = f"{DUMP_STEM}.{fmt}" + (".gz" if gz else "")
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    data = response.data
    if gz:
        assert response.headers["Content-Type"] == "application/gzip"
        data = gzip.decompress(data)
    else:
        media = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json"}[fmt]
        assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
    graph = Graph().parse(data=data, format=PARSERS[fmt])
    assert len(graph) == distinct_triples


def test_nquads_dump_keeps_the_graphs(client, local):
    data = gzip.decompress(client.get(f"/data/{DUMP_STEM}.nq.gz").data)
    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    assert len(list(dataset.quads())) == len(local)
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert {BASE + "/graph/inhoud", BASE + "/graph/ontologie", BASE + "/graph/afgeleid"} <= graphs


@pytest.fixture(scope="module")
def description(minimal_app) -> Graph:
    client = minimal_app.test_client()
    response = client.get("/data/dataset.ttl")
    assert response.status_code == 200
    return Graph().parse(data=response.data, format="turtle")


def test_void_statistics(description, distinct_triples, local):
    dataset = URIRef(BASE + "/data/#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in description
    assert description.value(dataset, VOID.triples).toPython() == distinct_triples
    assert description.value(dataset, VOID.entities).toPython() > 10
    assert description.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "/sparql")
    tools = [p for p in description.objects(dataset, VOID.classPartition)
             if description.value(p, VOID["class"]) == URIRef(BASE + "/def/tor#Tool")]
    query = "SELECT DISTINCT ?t WHERE { ?t a <https://toolbox-openbare-ruimte.nl/def/tor#Tool> }"
    expected = len(list(local.query(query, use_default_graph_as_union=True)))
    assert description.value(tools[0], VOID.entities).toPython() == expected
    partitions = list(description.objects(dataset, VOID.propertyPartition))
    assert sum(description.value(p, VOID.triples).toPython() for p in partitions) == distinct_triples
    subsets = list(description.objects(dataset, VOID.subset))
    assert sum(description.value(s, VOID.triples).toPython() for s in subsets) == len(local)


def test_dcat_distributions_match_the_files(client, description):
    dataset = URIRef(BASE + "/data/#dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in description
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.license, DCTERMS.language,
                 DCTERMS.accessRights, DCAT.theme, DCAT.contactPoint, DCAT.landingPage, DCTERMS.modified):
        assert description.value(dataset, prop) is not None, prop
    distributions = list(description.objects(dataset, DCAT.distribution))
    assert len(distributions) == 8  # ttl, nt, jsonld, nq, each also gzipped
    for dist in distributions:
        url = str(description.value(dist, DCAT.downloadURL))
        response = client.get(url.replace(BASE, ""))
        assert response.status_code == 200, url
        assert description.value(dist, DCAT.byteSize).toPython() == len(response.data)
        checksum = description.value(dist, SPDX.checksum)
        assert str(description.value(checksum, SPDX.checksumValue)) == hashlib.sha256(response.data).hexdigest()
        assert description.value(dist, DCAT.mediaType) is not None
        assert description.value(dist, DCTERMS["format"]) is not None
    service = URIRef(BASE + "/sparql#service")
    assert (service, RDF.type, DCAT.DataService) in description
    assert (service, DCAT.servesDataset, dataset) in description
    assert (URIRef(BASE + "/data/#catalogus"), DCAT.dataset, dataset) in description


def test_data_page_and_negotiation(client, distinct_triples):
    page = client.get("/data/", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for ext in ("ttl", "nt", "jsonld", "nq"):
        assert f'href="/data/{DUMP_STEM}.{ext}"' in text and f'href="/data/{DUMP_STEM}.{ext}.gz"' in text
    assert str(distinct_triples) in text
    turtle = client.get("/data/", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
    jsonld = client.get("/data/?format=jsonld")
    assert jsonld.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    assert len(Graph().parse(data=jsonld.data, format="json-ld")) == len(Graph().parse(data=turtle.data,
                                                                                       format="turtle"))
    void = client.get("/.well-known/void")
    assert void.status_code == 200 and void.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert client.get("/.well-known/void", headers={"Accept": "text/html"}).status_code == 303
    assert client.get("/data/graph.nq").status_code == 404
    assert client.get("/data/../manifest.json").status_code == 404


def test_missing_dumps_make_the_build_stale(minimal_copy, tmp_path):
    from toolbox.config import Settings

    settings = replace(Settings.from_env(), content_dir=minimal_copy, build_dir=tmp_path / "build",
                       sparql_endpoint=None)
    ensure_built(settings)
    assert dumps_present(settings)
    (settings.build_dir / "data" / f"{DUMP_STEM}.jsonld.gz").unlink()
    assert not dumps_present(settings)
    ensure_built(settings)
    assert dumps_present(settings)


@pytest.mark.parametrize("accept, media", [
    ("application/ld+json", "application/ld+json"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    ("text/turtle; charset=utf-8", "text/turtle"),
    ("text/n3", "text/turtle"),
    ("application/n-triples;q=0.9, text/turtle;q=0.1", "application/n-triples"),
])
def test_well_known_void_negotiates_like_the_rest(client, accept, media):
    """Issue 25: /.well-known/void always redirected to Turtle; now it follows the site's one rule."""
    for path in ("/.well-known/void", "/data/"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == media + "; charset=utf-8", path
