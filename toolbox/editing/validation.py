"""Validating an edited case: the project's SHACL shapes over the case and what it links to,
with each result about the case placed at the form field it is about (Dutch messages, as
`toolbox validate` gives them).

The shapes run over the whole small graph, not with pyshacl's `focus_nodes`: with focus nodes
pyshacl (0.40) skips the shapes nested in `sh:or`, so a case could link to a tool that does not
exist and pass here while `toolbox validate` refused it. Only the results about the case (and
blank nodes it holds) count; the linked things are present only as their classes.
"""

from __future__ import annotations

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from toolbox.config import Settings
from toolbox.editing.form import PATH_FIELD, _segment_slug
from toolbox.graph.validate import _dutch_message, _path_text, ontology_graph, shapes_graph
from toolbox.namespaces import SH, TOR
from toolbox.process import RDFLIB_SPARQL

# One run at a time (toolbox.process.RDFLIB_SPARQL): twenty editors saving at once made pyshacl fail (500).


def shacl_errors(settings: Settings, data: Graph, focus: URIRef, case_graph: Graph,
                 shapes: Graph | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """The project's SHACL shapes (or `shapes`, for tests) over the case, its knelpunt reports and the
    classes of what it links to; the results about the case and its reports, by form field.

    Every shape runs (no pyshacl focus_nodes: it skips shapes nested in sh:or, so an unknown tool
    passed); the results about other things are left out."""
    shacl_graph, ont_graph = shapes if shapes is not None else shapes_graph(settings), ontology_graph(settings)
    with RDFLIB_SPARQL:
        conforms, results, _ = shacl_validate(
            data, shacl_graph=shacl_graph, ont_graph=ont_graph,
            inference="none", abort_on_first=False, allow_warnings=True, advanced=True,
        )
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if conforms:
        return errors, general
    own = _own_nodes(case_graph, focus) | set(case_graph.subjects(TOR.reportingCase, focus))
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.focusNode) not in own:
            continue  # about a linked thing, of which only its class is here
        message = _dutch_message(results, result)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        name = _field_for(results, path, value, case_graph, focus)
        if name:
            if message not in errors.setdefault(name, []):
                errors[name].append(message)
        elif message not in general:
            general.append(message)
    return errors, general


def _own_nodes(case_graph: Graph, focus: URIRef) -> set:
    """The case and the blank nodes it holds (what `toolbox validate` reports under the case)."""
    own, todo = {focus}, [focus]
    while todo:
        for o in case_graph.objects(todo.pop(), None):
            if isinstance(o, BNode) and o not in own:
                own.add(o)
                todo.append(o)
    return own


def _field_for(results: Graph, path, value, case_graph: Graph, focus: URIRef) -> str | None:
    if path is None:
        if value is not None and (focus, TOR.startYear, value) in case_graph:
            return "end_year"  # begin after end: shown at the end year
        if value == focus or value is None:
            return "slug" if path is None and value == focus else None
        return None
    if isinstance(path, URIRef):
        if path == DCTERMS.source and value is not None and not _segment_slug(str(value)):
            return "source_urls"
        name = "knelpunt" if path == TOR.reportedKnelpunt else PATH_FIELD.get(str(path))
        if name == "knelpunt" and value is not None and (focus, TOR.topKnelpunt, value) in case_graph:
            return "top_knelpunt"
        return name
    text = _path_text(results, path)
    if "topKnelpunt" in text or "reportsKnelpunt" in text:
        if value is not None and (focus, TOR.topKnelpunt, value) in case_graph:
            return "top_knelpunt"
        return "knelpunt"
    return None
