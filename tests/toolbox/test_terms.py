"""toolbox/terms.py: external answers read strictly, in one spelling whatever the engine wrote."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from toolbox.terms import XSD, BlankNodes, ResultError, json_boolean, json_rows, json_term


def test_virtuoso_blank_node_labels_are_read_and_stay_one_node_per_label():
    body = {"head": {"vars": ["a", "b"]}, "results": {"bindings": [
        {"a": {"type": "bnode", "value": "nodeID://b10192"}, "b": {"type": "bnode", "value": "nodeID://b10192"}},
        {"a": {"type": "bnode", "value": "nodeID://b7"}},
    ]}}
    variables, rows = json_rows(body)
    assert variables == ["a", "b"]
    assert isinstance(rows[0][0], ox.BlankNode) and rows[0][0] == rows[0][1]
    assert rows[1][0] != rows[0][0] and rows[1][1] is None


@pytest.mark.parametrize("written, canonical", [("1", "true"), ("0", "false"), ("true", "true"), (" false ", "false")])
def test_booleans_in_any_lexical_form_become_canonical(written, canonical):
    cell = {"type": "typed-literal", "datatype": XSD + "boolean", "value": written}
    assert json_term(cell, BlankNodes()) == ox.Literal(canonical, datatype=ox.NamedNode(XSD + "boolean"))


def test_integers_and_language_tags_become_canonical():
    blank = BlankNodes()
    assert json_term({"type": "literal", "datatype": XSD + "integer", "value": "+007"}, blank).value == "7"
    assert json_term({"type": "literal", "value": "Tuin", "xml:lang": "NL-be"}, blank).language == "nl-be"
    assert json_term({"type": "literal", "datatype": XSD + "string", "value": "x"}, blank) == ox.Literal("x")


@pytest.mark.parametrize("cell", [
    {"type": "iri", "value": "http://x"},
    {"type": "literal"},
    {"type": "typed-literal", "datatype": XSD + "boolean", "value": "ja"},
    {"type": "literal", "value": "x", "xml:lang": "nl nl"},
    "http://x",
])
def test_anything_that_is_no_sparql_json_term_is_refused(cell):
    with pytest.raises(ResultError):
        json_term(cell, BlankNodes())


def test_answers_that_are_not_sparql_json_are_refused():
    with pytest.raises(ResultError):
        json_rows({"head": {}, "results": {}})
    with pytest.raises(ResultError):
        json_boolean({"boolean": "misschien"})
    assert json_boolean({"boolean": "1"}) is True and json_boolean({"boolean": False}) is False
