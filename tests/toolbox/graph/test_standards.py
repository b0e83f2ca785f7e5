"""The Dutch standards (issue 25): DCAT-AP-NL 3.0 for the dataset description, NL-SBB for the
vocabulary, checked with our own shapes in ontology/, with 0 violations in the build; and each
shape can fail (fed a description or a vocabulary that breaks it)."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from toolbox.config import REPO_ROOT
from toolbox.graph.content import load_content
from toolbox.graph.dataset import DESCRIPTION_FILE, data_dir
from toolbox.graph.standards import CONFORMANCE_FILE, DCAT_AP_NL, NL_SBB, check
from toolbox.graph.validate import ontology_graph, validate_content

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ORG = Namespace("http://www.w3.org/ns/org#")
BASE = "https://toolbox-openbare-ruimte.nl"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"


@pytest.fixture(scope="module")
def description(real_store, real_settings) -> Graph:
    return Graph().parse(data_dir(real_settings) / DESCRIPTION_FILE, format="turtle")


@pytest.fixture(scope="module")
def vocabulary(real_settings) -> Graph:
    """The content with the ontology, as `toolbox validate` sees it."""
    graph = Graph()
    loaded = load_content(real_settings.content_dir, real_settings.base_uri)
    for triple in loaded.graph:
        graph.add(triple)
    for triple in ontology_graph(real_settings):
        graph.add(triple)
    return graph


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


# --------------------------------------------------------------------------- DCAT-AP-NL
def test_the_description_meets_dcat_ap_nl(description):
    outcome = check(DCAT_AP_NL, description)
    assert outcome.violations == 0 and outcome.warnings == 0, outcome.messages
    assert outcome.checks > 100 and outcome.passed == outcome.checks


def test_the_defects_of_issue_25_are_gone(description):
    """Catalogue without contact point, dataset without creator, a data service without
    description, identifier, publisher, contact point and theme, conformsTo not a Standard."""
    catalog, dataset = URIRef(BASE + "/data/#catalogus"), URIRef(BASE + "/data/#dataset")
    service = URIRef(BASE + "/sparql#service")
    assert (description.value(catalog, DCAT.contactPoint), RDF.type, VCARD.Kind) in description
    assert (description.value(dataset, DCTERMS.creator), RDF.type, FOAF.Agent) in description
    for prop in (DCTERMS.description, DCTERMS.identifier, DCTERMS.publisher, DCAT.contactPoint, DCAT.theme):
        assert description.value(service, prop) is not None, prop
    for thing in (dataset, service):
        assert all(str(t).startswith(EU_THEME) for t in description.objects(thing, DCAT.theme))
        for standard in description.objects(thing, DCTERMS.conformsTo):
            assert (standard, RDF.type, DCTERMS.Standard) in description
    publisher = description.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in description and description.value(publisher, FOAF.name)


@pytest.mark.parametrize("remove", [
    (URIRef(BASE + "/data/#catalogus"), DCAT.contactPoint),
    (URIRef(BASE + "/data/#dataset"), DCTERMS.creator),
    (URIRef(BASE + "/sparql#service"), DCTERMS.description),
    (URIRef(BASE + "/sparql#service"), DCAT.theme),
])
def test_the_dcat_shapes_can_fail(description, remove):
    broken = _copy(description)
    broken.remove((remove[0], remove[1], None))
    assert check(DCAT_AP_NL, broken).violations >= 1


def test_a_theme_outside_the_eu_list_fails(description):
    broken = _copy(description)
    broken.add((URIRef(BASE + "/data/#dataset"), DCAT.theme,
                URIRef("http://standaarden.overheid.nl/owms/terms/Ruimte_en_infrastructuur")))
    assert check(DCAT_AP_NL, broken).violations == 1


def test_the_build_writes_its_conformance(real_store, real_settings):
    report = json.loads((data_dir(real_settings) / CONFORMANCE_FILE).read_text(encoding="utf-8"))
    found = {s["key"]: s for s in report["standards"]}
    assert set(found) == {"dcat-ap-nl", "nl-sbb"}
    for standard in found.values():
        assert standard["violations"] == 0 and standard["checks"] > 0 and standard["conforms"]
        assert standard["version"] and standard["url"].startswith("https://docs.geostandaarden.nl/")


# --------------------------------------------------------------------------- NL-SBB
def test_the_vocabulary_meets_nl_sbb(vocabulary):
    outcome = check(NL_SBB, vocabulary)
    assert outcome.violations == 0 and outcome.warnings == 0, outcome.messages


def test_every_concept_has_a_dutch_definition_and_every_scheme_a_title(vocabulary):
    """Issue 25: 49 concepts without skos:definition, 8 schemes without dct:title."""
    concepts = {s for c in vocabulary.subjects(RDF.type, SKOS.Concept) for s in [c]}
    concepts |= {s for cls in vocabulary.subjects(URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                                                   SKOS.Concept) for s in vocabulary.subjects(RDF.type, cls)}
    assert len(concepts) >= 49
    for concept in concepts:
        assert any(d.language == "nl" for d in vocabulary.objects(concept, SKOS.definition)), concept
    for scheme in vocabulary.subjects(RDF.type, SKOS.ConceptScheme):
        assert any(t.language == "nl" for t in vocabulary.objects(scheme, DCTERMS.title)), scheme


def test_steps_are_not_in_skos_hierarchies(real_store, real_settings):
    """Issue 25: steps used skos:broader/narrower without being concepts. The step hierarchy is
    tor:broaderStep, a sub-property of dcterms:isPartOf; nothing in the built graph (inferences
    included) relates a non-concept with a SKOS semantic relation."""
    query = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?s WHERE { VALUES ?p { skos:broader skos:narrower skos:related } ?s ?p ?o .
          FILTER NOT EXISTS { ?s a/rdfs:subClassOf* skos:Concept } }"""
    assert real_store.select(query) == []
    step = f"{real_settings.base_uri}/id/stap/richting-do"
    ask = f"ASK {{ <{step}> <http://purl.org/dc/terms/isPartOf> ?umbrella }}"
    assert real_store.ask(ask)


@pytest.mark.parametrize("breakage", ["definition", "title", "step-broader"])
def test_the_nl_sbb_shapes_can_fail(vocabulary, breakage):
    broken = _copy(vocabulary)
    if breakage == "definition":
        broken.remove((URIRef(BASE + "/id/thema/mobiliteit"), SKOS.definition, None))
    elif breakage == "title":
        broken.remove((URIRef(BASE + "/id/lijst/themas"), DCTERMS.title, None))
    else:
        broken.add((URIRef(BASE + "/id/stap/richting-do"), SKOS.broader, URIRef(BASE + "/id/stap/richting")))
    assert check(NL_SBB, broken).violations >= 1


def test_validate_refuses_a_concept_without_definition(minimal_copy):
    path = minimal_copy / "basis.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('schaal:wijk skos:definition "Ruimtelijke schaal van een wijk."@nl .', ""),
                    encoding="utf-8")
    from toolbox.config import Settings

    report = validate_content(Settings.from_env(content_dir=minimal_copy), minimal_copy, owl=False)
    assert any("definitie" in p.message and p.entity.endswith("/schaal/wijk") for p in report.problems)


def test_validate_refuses_a_step_in_a_skos_hierarchy(minimal_copy):
    path = minimal_copy / "proces.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nstap:ontwerp skos:broader stap:opdracht .\n",
                    encoding="utf-8")
    from toolbox.config import Settings

    report = validate_content(Settings.from_env(content_dir=minimal_copy), minimal_copy, owl=False)
    assert any("skos:broader" in p.message and p.entity.endswith("/stap/ontwerp") for p in report.problems)


# --------------------------------------------------------------------------- agents and national identifiers
def test_sources_name_their_publisher_as_an_agent(vocabulary):
    """Issue 25: dcterms:publisher was a plain literal on the sources (its range is an agent)."""
    publishers = list(vocabulary.objects(None, DCTERMS.publisher))
    assert publishers
    for publisher in publishers:
        assert isinstance(publisher, URIRef), publisher
        assert (publisher, RDF.type, FOAF.Agent) in vocabulary and vocabulary.value(publisher, FOAF.name)


def test_municipalities_link_to_their_national_identifiers(vocabulary):
    """Issue 25: municipalities linked to nothing outside the project, and ORG was only a type. Each
    has its CBS municipality code (org:identifier), its classification (org:classification, the
    organisation type 'gemeente') and the TOOI IRI of the municipal organisation, made of that code."""
    municipalities = list(vocabulary.subjects(RDF.type, URIRef(BASE + "/def/tor#Municipality")))
    assert len(municipalities) >= 11
    for municipality in municipalities:
        code = str(vocabulary.value(municipality, ORG.identifier))
        assert vocabulary.value(municipality, ORG.classification) == URIRef(BASE + "/id/organisatietype/gemeente")
        assert re.fullmatch(r"GM\d{4}", code), municipality
        same = {str(o) for o in vocabulary.objects(municipality, URIRef("https://schema.org/sameAs"))}
        assert "https://identifier.overheid.nl/tooi/id/gemeente/" + code.lower() in same
        assert all(o.startswith(("https://identifier.overheid.nl/tooi/id/gemeente/gm",
                                 "http://www.wikidata.org/entity/Q")) for o in same)
    assert Literal("GM0518") in vocabulary.objects(URIRef(BASE + "/id/gemeente/den-haag"), ORG.identifier)


def test_the_shapes_are_ours_and_say_where_they_come_from():
    for profile in (DCAT_AP_NL, NL_SBB):
        text = profile.shapes.read_text(encoding="utf-8")
        assert profile.url in text and "eigen" in text.lower()
        assert profile.shapes.parent == REPO_ROOT / "ontology"
