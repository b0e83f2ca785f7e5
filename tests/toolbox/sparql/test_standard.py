"""toolbox/sparql/standard.py: only standard SPARQL 1.1 reaches a store."""

from __future__ import annotations

import pytest

from toolbox.sparql.errors import QueryError
from toolbox.sparql.standard import check_standard


@pytest.mark.parametrize("query, said", [
    ('SELECT (bif:http_get("http://127.0.0.1:8899/bif") AS ?x) WHERE {}', "bif:"),
    ('PREFIX bif: <bif:> SELECT (bif:http_get("http://127.0.0.1:8899/") AS ?x) WHERE {}', "<bif:http_get>"),
    ("PREFIX sql: <sql:> SELECT * WHERE { ?s ?p ?o FILTER(sql:rdf_sponge(?o)) }", "<sql:rdf_sponge>"),
    ("PREFIX ex: <http://example.org/fn#> SELECT (ex:f(1) AS ?x) WHERE {}", "<http://example.org/fn#f>"),
    ('define input:same-as "no" INSERT DATA { <urn:a> <urn:b> <urn:c> }', "Syntaxfout"),
    ("define sql:signal-void-variables 1 SELECT * WHERE { ?s ?p ?o }", "Syntaxfout"),
    ("SELECT * WHERE { ?s ?p ?o . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p }", "Syntaxfout"),
])
def test_what_is_not_standard_sparql_is_refused_with_a_reason(query, said):
    with pytest.raises(QueryError) as info:
        check_standard(query)
    assert info.value.status == 400 and said in str(info.value)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:integer("5") AS ?n) (STRLEN("ab") AS ?l) '
    'WHERE { ?s ?p ?o FILTER(regex(str(?o), "a", "i")) } LIMIT 1',
    "ASK { ?s a ?t }",
    "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }",
    "DESCRIBE <https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb>",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT * WHERE { ?s <http://www.w3.org/2004/02/skos/core#broader>+ ?o }",
])
def test_standard_queries_pass(query):
    check_standard(query)


def test_many_threads_check_at_once_without_breaking_each_other():
    """rdflib's parser is not thread-safe: the endpoint checks queries from many server threads at once."""
    import threading

    errors: list[str] = []

    def check(n: int) -> None:
        for _ in range(10):
            try:
                check_standard(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {n + 1}")
            except Exception as exc:  # noqa: BLE001 - any failure here is the bug
                errors.append(repr(exc))

    threads = [threading.Thread(target=check, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_a_query_nested_too_deep_for_the_parser_is_a_400_and_the_parser_still_works():
    with pytest.raises(QueryError) as info:
        check_standard("SELECT * WHERE " + "{ " * 2000 + "?s ?p ?o " + "} " * 2000)
    assert info.value.status == 400 and "te diep genest" in str(info.value)
    check_standard("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_a_query_is_parsed_once_and_a_refused_one_is_refused_every_time(monkeypatch):
    """The check depends only on the text: an accepted query is not parsed again (rdflib's parser is slow
    and runs under one lock); a refused one is never remembered as accepted."""
    from toolbox.sparql import standard

    parsed = []
    real = standard.parseQuery
    monkeypatch.setattr(standard, "parseQuery", lambda q: parsed.append(q) or real(q))
    accepted = "SELECT ?once WHERE { ?s ?p ?once } LIMIT 3"
    refused = "SELECT * WHERE { ?s ?p ?o . SERVICE <http://127.0.0.1:9/once> { ?s ?p ?o } }"
    for _ in range(3):
        check_standard(accepted)
        with pytest.raises(QueryError):
            check_standard(refused)
    assert parsed.count(accepted) == 1 and parsed.count(refused) == 3
