"""SPARQL 1.1 JSON results read strictly, as Oxigraph terms, with what the standard lets stores vary made equal.

Stores answer the same query with different spellings of the same thing: Virtuoso labels blank nodes
`nodeID://b10192` (not a valid blank node label), writes booleans as `"1"^^xsd:boolean`, uses the SPARQL 1.0
`typed-literal`; others write language tags in upper case or integers with a plus sign. The site reads
every external answer through here, so pages, downloads and checksums come out the same on every
engine. Anything that is not a SPARQL 1.1 JSON term is refused with a precise message, never guessed.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGERS = {XSD + name for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_BOOLEANS = {"true": "true", "1": "true", "false": "false", "0": "false"}
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


class ResultError(ValueError):
    """An answer of an external store that is not valid SPARQL 1.1 JSON; the message names what is wrong."""


class BlankNodes:
    """One answer's blank nodes: the same label is the same node, whatever characters the store uses."""

    def __init__(self):
        self._nodes: dict[str, ox.BlankNode] = {}

    def __call__(self, label: str) -> ox.BlankNode:
        node = self._nodes.get(label)
        if node is None:
            node = self._nodes[label] = ox.BlankNode()
        return node


def literal(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    """A literal in its canonical spelling where the lexical form may vary (booleans, integers, tags)."""
    if language:
        if not _LANGUAGE.match(language):
            raise ResultError(f"ongeldige taalcode {language!r}")
        return ox.Literal(value, language=language.lower())
    if not datatype or datatype == XSD_STRING:
        return ox.Literal(value)
    if datatype == XSD + "boolean":
        canonical = _BOOLEANS.get(value.strip())
        if canonical is None:
            raise ResultError(f"ongeldige xsd:boolean {value!r}")
        value = canonical
    elif datatype in _INTEGERS:
        if _INTEGER.match(value.strip()):  # "+05" -> "5"; an ill-typed literal stays as it was written
            value = str(int(value.strip()))
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def json_term(cell, blank_nodes: BlankNodes):
    """One RDF term of a SPARQL 1.1 JSON result (`type` uri, bnode, literal or typed-literal, triple)."""
    if not isinstance(cell, dict) or not isinstance(cell.get("value"), str | dict):
        raise ResultError(f"geen RDF-term in het resultaat: {str(cell)[:200]}")
    kind, value = cell.get("type"), cell["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return blank_nodes(value)
    if kind in ("literal", "typed-literal"):
        return literal(value, cell.get("datatype"), cell.get("xml:lang"))
    if kind == "triple" and isinstance(value, dict):
        return ox.Triple(*(json_term(value.get(part), blank_nodes) for part in ("subject", "predicate", "object")))
    raise ResultError(f"onbekend termtype {kind!r} in het resultaat")


def json_rows(body: dict) -> tuple[list[str], list[list]]:
    """The variables and rows of a SELECT answer (None where a variable is unbound)."""
    try:
        variables = list(body["head"].get("vars", []))
        bindings = body["results"]["bindings"]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ResultError("geen SPARQL-JSON-resultaat (head.vars en results.bindings ontbreken)") from exc
    if not isinstance(bindings, list) or not all(isinstance(v, str) for v in variables):
        raise ResultError("geen SPARQL-JSON-resultaat (bindings is geen lijst)")
    blank_nodes = BlankNodes()
    rows = []
    for binding in bindings:
        if not isinstance(binding, dict):
            raise ResultError("een rij van het resultaat is geen object")
        rows.append([json_term(binding[v], blank_nodes) if v in binding else None for v in variables])
    return variables, rows


def json_boolean(body: dict) -> bool:
    """The answer of an ASK query (`true`/`false`, or the strings some stores write)."""
    value = body.get("boolean")
    if isinstance(value, bool):
        return value
    if isinstance(value, str | int) and str(value).lower() in _BOOLEANS:
        return _BOOLEANS[str(value).lower()] == "true"
    raise ResultError(f"geen ASK-antwoord: {str(body)[:200]}")
