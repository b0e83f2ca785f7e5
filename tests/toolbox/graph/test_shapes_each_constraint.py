"""One broken fixture per shape constraint, generated from ontology/shapes.ttl itself.

For every property shape with sh:minCount, the minimal valid content loses that property
on one thing the shape targets; for every sh:class, the link points to a thing that does
not exist. Each time validation must name exactly that thing with the shape's Dutch message.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from tests.conftest import MINIMAL
from toolbox.config import Settings
from toolbox.graph.validate import validate_content
from toolbox.namespaces import SH

SETTINGS = Settings.from_env()
MISSING = URIRef("https://toolbox-openbare-ruimte.nl/id/bestaat/niet")


def minimal_graph() -> Graph:
    graph = Graph()
    for path in sorted(MINIMAL.glob("*.ttl")):
        graph.parse(path)
    return graph


def dutch(shapes: Graph, node) -> str | None:
    for message in shapes.objects(node, SH.message):
        if isinstance(message, Literal) and message.language == "nl":
            return str(message)
    return None


def target_classes(shapes: Graph, shape) -> list:
    ontology = Graph().parse(SETTINGS.ontology_file)
    classes = list(shapes.objects(shape, SH.targetClass))
    # subclasses count too (sh:class and targets follow rdfs:subClassOf)
    return classes + [s for c in classes for s in ontology.subjects(RDFS.subClassOf, c)]


def cases():
    shapes = Graph().parse(SETTINGS.shapes_file)
    data = minimal_graph()
    found = []
    for shape in set(shapes.subjects(SH.targetClass, None)):
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            message = dutch(shapes, prop)
            if not isinstance(path, URIRef) or message is None:
                continue
            focus = next(
                (s for c in target_classes(shapes, shape) for s in data.subjects(RDF.type, c)
                 if isinstance(s, URIRef) and (s, path, None) in data),
                None,
            )
            if focus is None:
                continue
            name = f"{shape.split('#')[-1]}-{path.split('/')[-1].split('#')[-1]}"
            min_count = shapes.value(prop, SH.minCount)
            if min_count is not None and int(min_count) >= 1:
                found.append(pytest.param("weg", focus, path, message, id=name + "-verplicht"))
            if shapes.value(prop, SH["class"]) is not None:
                found.append(pytest.param("kapot", focus, path, message, id=name + "-bestaat"))
    return sorted(found, key=lambda p: p.id)


CASES = cases()


def test_there_are_many_generated_cases():
    assert len(CASES) > 40


@pytest.mark.parametrize("mode,focus,path,message", CASES)
def test_constraint(tmp_path, mode, focus, path, message):
    data = minimal_graph()
    if mode == "weg":
        data.remove((focus, path, None))
    else:
        for value in list(data.objects(focus, path)):
            if not isinstance(value, BNode):
                data.remove((focus, path, value))
        data.add((focus, path, MISSING))
    content = tmp_path / "content"
    content.mkdir()
    data.serialize(content / "alles.ttl", format="turtle")
    report = validate_content(Settings.from_env(content_dir=content), owl=False)
    found = [(p.entity, p.message) for p in report.problems]
    assert (str(focus), message) in found, found
