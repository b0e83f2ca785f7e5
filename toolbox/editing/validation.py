"""Validating an edited case: the project's SHACL shapes over the merged content, focused on the case,
with each result placed at the form field it is about (Dutch messages, as `toolbox validate` gives them).
"""

from __future__ import annotations

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from toolbox.config import Settings
from toolbox.editing.form import PATH_FIELD, _segment_slug
from toolbox.graph.validate import _dutch_message, _path_text, ontology_graph, shapes_graph
from toolbox.namespaces import SH, TOR


def shacl_errors(settings: Settings, data: Graph, focus: URIRef,
                 case_graph: Graph) -> tuple[dict[str, list[str]], list[str]]:
    """The project's SHACL shapes over the merged content, focused on the case and its knelpunt reports."""
    reports = sorted(case_graph.subjects(TOR.reportingCase, focus), key=str)
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes_graph(settings), ont_graph=ontology_graph(settings),
        inference="none", abort_on_first=False, allow_warnings=True, advanced=True,
        focus_nodes=[focus, *reports],
    )
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if conforms:
        return errors, general
    for result in results.subjects(RDF.type, SH.ValidationResult):
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

