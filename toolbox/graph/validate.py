"""`toolbox validate`: SHACL shapes plus OWL consistency, reported per file and entity in Dutch."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SKOS

from toolbox.config import Settings
from toolbox.graph.content import LoadedContent, Problem, load_content
from toolbox.graph.reasoning import check_consistency
from toolbox.graph.standards import NL_SBB, vocabulary_part
from toolbox.graph.standards import shapes_graph as profile_shapes
from toolbox.namespaces import SH


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    loaded: LoadedContent | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@lru_cache(maxsize=4)
def _parsed(path: str, mtime: float) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology_graph(settings: Settings) -> Graph:
    path = settings.ontology_file
    return _parsed(str(path), path.stat().st_mtime)


def shapes_graph(settings: Settings) -> Graph:
    path = settings.shapes_file
    return _parsed(str(path), path.stat().st_mtime)


def shacl_problems(data: Graph, settings: Settings, loaded: LoadedContent | None = None,
                   shapes: Graph | None = None) -> list[Problem]:
    """Run the shapes (the project's own by default) over data, with the ontology mixed in for class hierarchy."""
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=shapes if shapes is not None else shapes_graph(settings),
        ont_graph=ontology_graph(settings),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    if conforms:
        return []
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = _path_text(results, results.value(result, SH.resultPath))
        message = _dutch_message(results, result)
        owner = loaded.owner(focus) if loaded else focus
        file_name = loaded.file_of(focus) if loaded else ""
        problems.append(
            Problem(
                file=file_name,
                entity=str(owner),
                property=path,
                message=message,
            )
        )
    problems.sort(key=lambda p: (p.file, p.entity, p.property, p.message))
    return _dedupe(problems)


def _dutch_message(results: Graph, result) -> str:
    messages = list(results.objects(result, SH.resultMessage))
    for m in messages:
        if getattr(m, "language", None) == "nl":
            return str(m)
    return str(messages[0]) if messages else "Onbekende fout in de inhoud."


def _path_text(results: Graph, path) -> str:
    """A property path as short text: tor:level, ^tor:item, tor:checkBefore|tor:checkAfter."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        text = str(path)
        for prefix, ns in (("tor:", "/def/tor#"), ("skos:", str(SKOS)), ("dcterms:", "http://purl.org/dc/terms/"),
                           ("schema:", "https://schema.org/")):
            if ns in text:
                return prefix + text.split(ns, 1)[1]
        return text
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(results, inverse)
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(results, p) for p in Collection(results, alternatives))
    return "(pad)"


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        key = (p.file, p.entity, p.property, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def validate_content(settings: Settings, content_dir: Path | None = None, owl: bool = True) -> Report:
    """Everything `toolbox validate` checks, in order: syntax, slugs, shapes, OWL consistency."""
    loaded = load_content(content_dir or settings.content_dir, settings.base_uri)
    report = Report(problems=list(loaded.problems), loaded=loaded)
    if any("syntaxis" in p.message for p in loaded.problems):
        return report  # shapes over half-read content would only add noise
    report.problems += shacl_problems(loaded.graph, settings, loaded)
    # The vocabulary profile (NL-SBB) over the whole content; not in a save's focused check, where the
    # concepts a case links to come without their definitions.
    part = Graph()
    for triple in vocabulary_part([*loaded.graph, *ontology_graph(settings).triples((None, RDFS.subClassOf, None))]):
        part.add(triple)
    report.problems += shacl_problems(part, settings, loaded, shapes=profile_shapes(NL_SBB))
    if owl and not report.problems:
        consistent, explanation = check_consistency(ontology_graph(settings), loaded.graph)
        if not consistent:
            report.problems.append(Problem(file="", entity="", property="", message=explanation))
    return report
