"""/sparql in a browser: editor, examples, result tables with links into the site, downloads."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from toolbox.config import REPO_ROOT
from toolbox.sparql.service import examples

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def client(minimal_app):
    """These tests run over the minimal fixture content."""
    return minimal_app.test_client()


def _page(client, **params):
    response = client.get("/sparql", query_string=params, headers={"Accept": BROWSER})
    return response, response.get_data(as_text=True)


def test_editor_has_prefixes_and_examples(client):
    response, text = _page(client)
    assert response.status_code == 200
    textarea = htmllib.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", text, re.S).group(1))
    assert "PREFIX tor: <https://toolbox-openbare-ruimte.nl/def/tor#>" in textarea
    assert "PREFIX tool: <https://toolbox-openbare-ruimte.nl/id/tool/>" in textarea
    assert "SELECT" in textarea
    for example in examples():
        assert htmllib.escape(example.title) in text
        assert f"voorbeeld={example.name}" in text
    assert re.search(r'src="/assets/js/sparql\.[0-9a-f]{12}\.js"', text)


def test_example_loads_into_editor(client):
    example = examples()[0]
    _, text = _page(client, voorbeeld=example.name)
    textarea = htmllib.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", text, re.S).group(1))
    assert textarea.strip() == example.query.strip()
    assert client.get("/sparql?voorbeeld=bestaat-niet", headers={"Accept": BROWSER}).status_code == 404


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.name)
def test_every_example_runs_as_a_page(client, example):
    response, text = _page(client, query=example.query, format="html")
    assert response.status_code == 200, text[-2000:]
    assert 'id="resultaat"' in text
    assert "Downloaden" in text


def test_result_table_links_into_the_site(client):
    query = "SELECT ?tool ?type WHERE { ?tool a ?type } ORDER BY ?tool"
    _, text = _page(client, query=query)
    assert "<table" in text
    assert 'href="/doc/tool/ambitieweb"' in text
    assert 'href="/def/tor#Tool"' in text
    assert "tool:ambitieweb" in text  # shown compactly with the prefix


@pytest.mark.parametrize("query, formats", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 3", ["json", "xml", "csv", "tsv"]),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", ["ttl", "nt", "jsonld", "rdfxml"]),
])
def test_download_buttons_per_format(client, query, formats):
    _, text = _page(client, query=query)
    links = [htmllib.unescape(h) for h in re.findall(r'href="(/sparql\?[^"]*download=1[^"]*)"', text)]
    assert sorted(re.search(r"format=(\w+)", link).group(1) for link in links) == sorted(formats)
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.headers["Content-Disposition"].startswith("attachment; filename=\"resultaat.")


def test_construct_shows_triples(client):
    _, text = _page(client, query="CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 5")
    assert "<th scope=\"col\">subject</th>" in text


def test_errors_are_shown_on_the_page(client):
    response, text = _page(client, query="SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert 'role="alert"' in text and "error at 1:" in text
    response, text = _page(client, query="DROP ALL")
    assert response.status_code == 400 and "alleen-lezen" in text


def test_queries_doc_lists_every_example():
    text = (REPO_ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    for example in examples():
        assert example.title in text, example.name
        assert example.query.strip() in text, example.name


def test_form_post_without_query_is_400(client):
    """Issue 25: a form POST without `query` answered the service description (200)."""
    for accept in ("application/sparql-results+json", "text/html"):
        response = client.post("/sparql", data={"default-graph-uri": "x"}, headers={"Accept": accept})
        assert response.status_code == 400 and "query" in response.get_data(as_text=True)
    empty = client.post("/sparql", data=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert empty.status_code == 400


def test_service_description_iri_comes_from_the_base_uri(client):
    """Issue 25: the service description followed the request's Host while DCAT used the base URI."""
    response = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "elders.example"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<https://toolbox-openbare-ruimte.nl/sparql>" in text and "elders.example" not in text


def test_limits_page(client):
    page = client.get("/sparql/limieten")
    assert page.status_code == 200 and "LIMIT" in page.get_data(as_text=True)
