"""Linked Data: /id/ URIs dereference by content negotiation, RDF twins under /doc/, the ontology at /def/tor."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from toolbox.config import REPO_ROOT
from toolbox.namespaces import TOR

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdf", "xml"),
}


@pytest.fixture
def client(minimal_app):
    """These tests run over the minimal fixture content."""
    return minimal_app.test_client()


@pytest.fixture(scope="module")
def things(minimal_app):
    state = minimal_app.extensions["toolbox"]
    base = state.settings.base_uri + "/id/"
    return sorted(u for u in state.model.out if u.startswith(base) and state.model.segment(u))


def _path(uri: str) -> str:
    return uri.split("/id/", 1)[1]


def test_every_thing_dereferences(client, things):
    assert len(things) > 20
    for uri in things:
        path = _path(uri)
        html = client.get(f"/id/{path}", headers={"Accept": BROWSER})
        assert html.status_code == 303, uri
        assert html.headers["Location"].endswith(f"/doc/{path}")
        assert "Accept" in html.headers["Vary"]
        rdf = client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
        assert rdf.status_code == 303
        assert rdf.headers["Location"].endswith(f"/doc/{path}.ttl")
        twin = client.get(rdf.headers["Location"])
        assert twin.status_code == 200, uri
        graph = Graph().parse(data=twin.data, format="turtle")
        assert (URIRef(uri), None, None) in graph


@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_each_rdf_format(client, media):
    ext, parser = RDF_TYPES[media]
    uri = "https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb"
    response = client.get("/id/tool/ambitieweb", headers={"Accept": media})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/doc/tool/ambitieweb.{ext}")
    twin = client.get(f"/doc/tool/ambitieweb.{ext}")
    assert twin.status_code == 200
    assert twin.headers["Content-Type"] == f"{media}; charset=utf-8"
    assert twin.headers["Access-Control-Allow-Origin"] == "*"
    assert f'<{uri}>; rel="describes"' in twin.headers["Link"]
    graph = Graph().parse(data=twin.data, format=parser)
    assert (URIRef(uri), RDF.type, TOR.Tool) in graph
    # Labels of what it links to come along, so the description stands on its own.
    assert len(graph) > 5


@pytest.mark.parametrize("accept, target", [
    ("*/*", "/doc/tool/ambitieweb"),
    ("", "/doc/tool/ambitieweb"),
    (BROWSER, "/doc/tool/ambitieweb"),
    ("text/turtle;q=0.5, text/html", "/doc/tool/ambitieweb"),
    ("text/html;q=0.5, application/ld+json", "/doc/tool/ambitieweb.jsonld"),
    ("application/json", "/doc/tool/ambitieweb.jsonld"),
])
def test_negotiation_preferences(client, accept, target):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/id/tool/ambitieweb", headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(target)


@pytest.mark.parametrize("path", ["/id/tool/ambitieweb", "/doc/tool/ambitieweb", "/def/tor"])
def test_accept_nobody_serves_is_406(client, path):
    """Found by tests/reliability: an Accept the site cannot serve was answered with HTML (200/303)."""
    response = client.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.get_json()["error"] == "not_acceptable"
    assert "text/html" in response.get_json()["formats"]
    assert client.get(path + "?format=png").status_code == 406


def test_format_parameter_on_uri(client):
    response = client.get("/id/tool/ambitieweb?format=nt", headers={"Accept": BROWSER})
    assert response.headers["Location"].endswith("/doc/tool/ambitieweb.nt")


@pytest.mark.parametrize("path", [
    "/id/tool/bestaat-niet", "/id/rol/ambitieweb", "/id/onzin/ambitieweb", "/doc/tool/bestaat-niet.ttl",
    "/doc/rol/ambitieweb.nt",
])
def test_unknown_things_are_404(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_pages_keep_their_route(client):
    response = client.get("/doc/tool/ambitieweb", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


# --------------------------------------------------------------------------- ontology
def test_ontology_html_documents_every_term(client):
    response = client.get("/def/tor", headers={"Accept": BROWSER})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    ontology = Graph().parse(REPO_ROOT / "ontology" / "tor.ttl")
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in ontology.subjects(RDF.type, kind) if str(t).startswith(str(TOR))]
    assert len(terms) > 50
    for term in terms:
        assert f'id="{str(term)[len(str(TOR)):]}"' in html, term
    assert 'href="/def/tor.ttl"' in html


def test_ontology_turtle_is_the_source_file(client):
    response = client.get("/def/tor", headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert response.data == (REPO_ROOT / "ontology" / "tor.ttl").read_bytes()
    assert client.get("/def/tor.ttl").data == response.data


@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_ontology_in_every_format(client, media):
    ext, parser = RDF_TYPES[media]
    expected = len(Graph().parse(REPO_ROOT / "ontology" / "tor.ttl"))
    by_accept = client.get("/def/tor", headers={"Accept": media})
    by_file = client.get(f"/def/tor.{ext}")
    for response in (by_accept, by_file):
        assert response.status_code == 200
        assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
        assert len(Graph().parse(data=response.data, format=parser)) == expected


def test_shapes(client):
    html = client.get("/def/shapes", headers={"Accept": BROWSER})
    assert html.status_code == 200 and "SHACL" in html.get_data(as_text=True)
    turtle = client.get("/def/shapes", headers={"Accept": "text/turtle"})
    assert turtle.data == (REPO_ROOT / "ontology" / "shapes.ttl").read_bytes()


def test_linked_data_is_documented():
    text = (REPO_ROOT / "docs" / "linked-data.md").read_text(encoding="utf-8")
    for needle in ("303", "/id/", "/doc/", "/def/tor", "text/turtle", "application/ld+json", "/data/", "/sparql"):
        assert needle in text


# --------------------------------------------------------------------------- issue 25: one negotiation rule
@pytest.mark.parametrize("accept, media", [
    ("text/turtle; charset=utf-8", "text/turtle"),
    ("text/n3", "text/turtle"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    ("application/rdf+xml;q=0.5, application/n-triples;q=0.9", "application/n-triples"),
])
@pytest.mark.parametrize("path", ["/id/tool/ambitieweb", "/doc/tool/ambitieweb", "/def/tor"])
def test_one_negotiation_rule_everywhere(client, path, accept, media):
    """Media types with parameters and aliases (text/n3) were 406 on /id/ and /doc/; /doc/ refused
    Turtle while it gave JSON-LD. Every route now asks toolbox.negotiation and answers alike."""
    response = client.get(path, headers={"Accept": accept}, follow_redirects=True)
    assert response.status_code == 200, (path, accept)
    assert response.headers["Content-Type"].split(";")[0] == media
    parsers = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
    assert len(Graph().parse(data=response.data, format=parsers[media])) > 0


def test_doc_pages_carry_cors(client):
    """Issue 25: /doc/ pages had no CORS header (their twins had)."""
    for accept in ("text/html", "application/ld+json", "text/turtle"):
        response = client.get("/doc/tool/ambitieweb", headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", ["inhoud", "ontologie", "afgeleid"])
def test_named_graph_iris_dereference(client, name):
    """Issue 25: /graph/inhoud, /graph/ontologie and /graph/afgeleid were 404."""
    page = client.get(f"/graph/{name}", headers={"Accept": BROWSER})
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/data/#graaf-{name}")
    assert f'id="graaf-{name}"' in client.get("/data/", headers={"Accept": BROWSER}).get_data(as_text=True)
    rdf = client.get(f"/graph/{name}", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert rdf.status_code == 200 and rdf.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=rdf.data, format="turtle")
    iri = URIRef(f"https://toolbox-openbare-ruimte.nl/graph/{name}")
    assert (None, URIRef("http://www.w3.org/ns/sparql-service-description#name"), iri) in graph
    assert client.get("/graph/elders").status_code == 404


@pytest.mark.parametrize("path", ["/id/tool/ambitieweb", "/doc/tool/ambitieweb", "/doc/tool/ambitieweb.jsonld"])
def test_jsonld_expanded_profile_is_honoured(client, path):
    """`profile="…#expanded"` gets JSON-LD in expanded form (full IRIs, no context); without it the
    twin stays compacted with the site's prefixes."""
    import json

    expanded = client.get(path, headers={"Accept": 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'},
                          follow_redirects=True)
    assert expanded.status_code == 200
    assert 'profile="http://www.w3.org/ns/json-ld#expanded"' in expanded.headers["Content-Type"]
    body = json.loads(expanded.data)
    assert isinstance(body, list) and all("@context" not in node for node in body)
    assert any(node.get("@id") == "https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb" for node in body)
    compacted = client.get(path, headers={"Accept": "application/ld+json"}, follow_redirects=True)
    assert "@context" in json.loads(compacted.data)
    assert len(Graph().parse(data=expanded.data, format="json-ld")) == len(
        Graph().parse(data=compacted.data, format="json-ld"))
    again = client.get(path, headers={"Accept": 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'},
                       follow_redirects=True)  # from the page cache: the profile parameter is kept
    assert again.headers["Content-Type"] == expanded.headers["Content-Type"] and again.data == expanded.data
