"""The ontology: every class and property has Dutch and English labels and a definition."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from toolbox.config import Settings

TOR = "https://toolbox-openbare-ruimte.nl/def/tor#"


def ontology() -> Graph:
    return Graph().parse(Settings.from_env().ontology_file)


def own_terms(g: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(TOR)})


def test_every_term_has_nl_and_en_labels_and_definition():
    g = ontology()
    terms = own_terms(g)
    assert len(terms) > 80
    for term in terms:
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.definition):
            langs = {o.language for o in g.objects(term, prop)}
            assert {"nl", "en"} <= langs, f"{term} mist {prop} in nl/en"


def test_required_classes_exist():
    g = ontology()
    names = {str(t)[len(TOR):] for t in own_terms(g)}
    for required in ["Level", "ProcessStep", "SubStep", "Activity", "Check", "Checklist", "ChecklistItem", "Aspect",
                     "Tool", "ToolCategory", "OtherAid", "ToolRecommendation", "Role", "Competency", "Challenge",
                     "OrganisationType", "CollaborationCondition", "OrganisationNote", "Tip", "Knelpunt",
                     "Dimension", "ProjectType", "Theme", "Case", "Municipality", "Cluster", "DevelopmentTeam",
                     "Scale"]:
        assert required in names


def test_ontology_is_consistent_with_owl_reasoner():
    from toolbox.graph.reasoning import check_consistency

    consistent, explanation = check_consistency(ontology(), Graph())
    assert consistent, explanation
