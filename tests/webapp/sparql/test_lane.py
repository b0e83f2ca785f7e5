"""The SPARQL lane: programs' GET queries answered before Flask, with the same answer Flask gives."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from webapp.sparql.views import SparqlLane

QUERY = "SELECT ?tool WHERE { ?tool a <https://toolbox-openbare-ruimte.nl/def/tor#Tool> } ORDER BY ?tool"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def client(minimal_app):
    return minimal_app.test_client()


@contextmanager
def without_lane(app):
    """The same app with the lane taken out: every request through Flask's view."""
    lane = app.wsgi_app
    assert isinstance(lane, SparqlLane)
    app.wsgi_app = lane.wsgi_app
    try:
        yield
    finally:
        app.wsgi_app = lane


@pytest.fixture
def lane_calls(minimal_app, monkeypatch):
    """Counts the requests the lane answered itself (outside any Flask request context)."""
    from flask import has_request_context

    import webapp.sparql.views as views

    answered = []
    original = views.machine_answer

    def counting(request, site):
        answer = original(request, site)
        if answer is not None and not has_request_context():
            answered.append(request.path)
        return answer

    monkeypatch.setattr(views, "machine_answer", counting)
    return answered


@pytest.mark.parametrize("params, accept", [
    ({"query": QUERY}, "application/sparql-results+json"),
    ({"query": QUERY}, "text/csv"),
    ({"query": QUERY, "format": "xml"}, "*/*"),
    ({"query": QUERY, "format": "tsv", "download": "1"}, ""),
    ({"query": "ASK { ?s ?p ?o }"}, "application/sparql-results+xml"),
    ({"query": "CONSTRUCT WHERE { ?s a ?t } LIMIT 3"}, "text/turtle"),
    ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, "application/sparql-results+json"),
    ({"query": "SELECT * WHERE { ?s ?p }"}, "application/sparql-results+json"),
    ({"query": QUERY}, "image/png"),
    ({"query": QUERY, "format": "png"}, ""),
])
def test_lane_gives_what_flask_gives(minimal_app, client, lane_calls, params, accept):
    headers = {"Accept": accept} if accept else {}
    fast = client.get("/sparql", query_string=params, headers=headers)
    assert lane_calls == ["/sparql"]  # the lane answered, not the view
    with without_lane(minimal_app):
        slow = client.get("/sparql", query_string=params, headers=headers)
    assert lane_calls == ["/sparql"]
    assert (fast.status_code, fast.get_data()) == (slow.status_code, slow.get_data())
    ignore = {"X-Toolbox-Query-Seconds", "X-Toolbox-Cache", "Content-Length", "Date"}
    assert {k: v for k, v in fast.headers.items() if k not in ignore} == \
           {k: v for k, v in slow.headers.items() if k not in ignore}


def test_lane_sends_cors_and_security_headers(client):
    response = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "application/json"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(response.data)["results"]["bindings"]


@pytest.mark.parametrize("method, params, headers", [
    ("GET", {"query": QUERY}, {"Accept": BROWSER}),  # a person: the page with the result table
    ("GET", {}, {"Accept": "text/turtle"}),  # no query: the service description
    ("POST", {"query": QUERY}, {"Accept": "application/json"}),  # form bodies go through Flask
])
def test_lane_leaves_pages_descriptions_and_posts_to_flask(client, lane_calls, method, params, headers):
    if method == "GET":
        response = client.get("/sparql", query_string=params, headers=headers)
    else:
        response = client.post("/sparql", data=params, headers=headers)
    assert response.status_code == 200
    assert lane_calls == []
