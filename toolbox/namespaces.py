"""Namespaces and the URI pattern {base}/id/{type}/{slug} (Dutch URI strategy)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from toolbox.config import CANONICAL_BASE

TOR = Namespace(CANONICAL_BASE + "/def/tor#")
ONTOLOGY_IRI = CANONICAL_BASE + "/def/tor"
SHAPES = Namespace(CANONICAL_BASE + "/def/shapes#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")

# Named graphs in the store: content, ontology and what the build infers.
GRAPH_CONTENT = "/graph/inhoud"
GRAPH_ONTOLOGY = "/graph/ontologie"
GRAPH_INFERRED = "/graph/afgeleid"

# URI type segment per class: the {type} in /id/{type}/{slug}.
TYPE_SEGMENTS = {
    "SourceDocument": "bron",
    "Level": "niveau",
    "ProcessStep": "stap",
    "SubStep": "deelstap",
    "Activity": "activiteit",
    "Check": "check",
    "Checklist": "checklist",
    "ChecklistItem": "checklistvraag",
    "Aspect": "aspect",
    "Tool": "tool",
    "ToolCategory": "toolcategorie",
    "OtherAid": "hulpmiddel",
    "Role": "rol",
    "Competency": "competentie",
    "Challenge": "uitdaging",
    "OrganisationType": "organisatietype",
    "CollaborationCondition": "randvoorwaarde",
    "OrganisationNote": "notitie",
    "Tip": "tip",
    "Knelpunt": "knelpunt",
    "Dimension": "dimensie",
    "ProjectType": "projecttype",
    "GuidingQuestion": "richtvraag",
    "Recommendation": "aanbeveling",
    "Theme": "thema",
    "Scale": "schaal",
    "Case": "casus",
    "Municipality": "gemeente",
    "Cluster": "cluster",
    "DevelopmentTeam": "ontwikkelteam",
    "MunicipalDomain": "domein",
    "WorkSession": "sessie",
    "KeyFigure": "kengetal",
    "CaseName": "casusnaam",
    # Herkomst: bronplaatsen en gekwalificeerde relaties met een eigen adres (docs/ontology.md).
    "SourcePlace": "bronplaats",
    "ToolRecommendation": "toolaanbeveling",
    "Remedy": "aanpak",
    "KnelpuntReport": "melding",
    "RoleCompetency": "rolcompetentie",
    "RoleChallenge": "roluitdaging",
}
SEGMENT_CLASSES = {segment: TOR[name] for name, segment in TYPE_SEGMENTS.items()}
SEGMENT_CLASSES["lijst"] = SKOS.ConceptScheme

PREFIXES = {
    "tor": str(TOR),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "org": str(ORG),
}


def id_prefixes(base: str) -> dict[str, str]:
    """Prefix per URI type segment, for Turtle output and the query editor."""
    prefixes = {segment: f"{base}/id/{segment}/" for segment in SEGMENT_CLASSES}
    prefixes["tor"] = f"{base}/def/tor#"
    return prefixes


def rebase(iri: str, base: str) -> str:
    """Map a thing's IRI written with the canonical base onto the configured base.

    Only /id/ IRIs and those of the dataset description (/data/#uitgever, the publisher the sources
    name) move: the vocabulary namespace (/def/tor#) keeps its identity.
    """
    if base != CANONICAL_BASE and iri.startswith((CANONICAL_BASE + "/id/", CANONICAL_BASE + "/data/")):
        return base + iri[len(CANONICAL_BASE):]
    return iri


def split_id(iri: str, base: str) -> tuple[str, str] | None:
    """Return (type, slug) for {base}/id/{type}/{slug}, else None."""
    prefix = base + "/id/"
    if not iri.startswith(prefix):
        return None
    rest = iri[len(prefix):]
    if "/" not in rest:
        return None
    segment, slug = rest.split("/", 1)
    if not slug or "/" in slug or "#" in slug:
        return None
    return segment, slug
