"""The site's one negotiation rule (toolbox/negotiation.py): RFC 9110 Accept with parameters and q-values."""

from __future__ import annotations

import pytest

from toolbox.negotiation import choose, parse_accept, quality, rdf_or_html, wants_expanded_jsonld

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_parameters_do_not_exclude_and_q_is_read():
    ranges = parse_accept('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"; q=0.7, text/turtle')
    assert ranges[0][:2] == ("application", "ld+json") and ranges[0][3] == 0.7
    assert ranges[0][2]["profile"] == "http://www.w3.org/ns/json-ld#expanded"
    assert quality("text/turtle; charset=utf-8", "text/turtle") == 1.0
    assert quality("text/turtle; charset=iso-8859-1", "text/turtle") == 0.0  # everything here is UTF-8


def test_the_most_specific_range_decides():
    assert quality("text/*;q=0.3, text/turtle;q=0.9, */*;q=0.1", "text/turtle") == 0.9
    assert quality("text/*;q=0.3, */*;q=0.1", "text/csv") == 0.3
    assert quality("text/turtle;q=0, */*", "text/turtle") == 0.0  # refused by name, not rescued by */*


@pytest.mark.parametrize("header, offered, expected", [
    (None, ["text/html", "text/turtle"], "text/html"),  # no header is */*: the route's first offer
    ("", ["text/turtle", "text/html"], "text/turtle"),
    (BROWSER, ["text/turtle", "application/xml", "text/html"], "text/html"),
    ("text/turtle;q=0.5, application/n-triples", ["text/turtle", "application/n-triples"], "application/n-triples"),
    ("image/png", ["text/turtle"], None),
    ('application/ld+json; profile="a, b", text/csv;q=0.1', ["text/csv", "application/ld+json"], "application/ld+json"),
])
def test_choose(header, offered, expected):
    assert choose(header, offered) == expected


def test_rdf_or_html_is_the_same_for_every_page_with_twins():
    assert rdf_or_html(BROWSER) is None
    assert rdf_or_html("*/*") is None
    assert rdf_or_html("text/n3") == "ttl"
    assert rdf_or_html("text/turtle; charset=utf-8") == "ttl"
    assert rdf_or_html("application/json") == "jsonld"
    assert rdf_or_html(None, "rdf") == "rdfxml"
    assert rdf_or_html("text/turtle", "html") is None


def test_the_expanded_profile():
    assert wants_expanded_jsonld('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"')
    assert not wants_expanded_jsonld("application/ld+json")
    assert not wants_expanded_jsonld('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"')
