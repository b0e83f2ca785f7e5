"""Who approved a published version: the PROV-O pattern the editor adds when a second editor publishes a draft,
and reading it back for the history.

Kept apart from the case model (form.py) because it is not a form field: it is added at publication only, and a
later save without review drops it (form.MANAGED names both predicates, so they are never carried over).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from toolbox.editing.form import account_iri
from toolbox.namespaces import TOR


def add_approval(graph: Graph, uri: URIRef, approver_id: str, when: str) -> None:
    """Who approved this version (a draft published by a reviewer), as a PROV-O qualified attribution with
    the role tor:approver, and when (dcterms:dateAccepted). A later save without review drops both: they
    are managed, so never carried over as unmanaged statements."""
    attribution = BNode()
    graph.add((uri, PROV.qualifiedAttribution, attribution))
    graph.add((attribution, RDF.type, PROV.Attribution))
    graph.add((attribution, PROV.agent, account_iri(approver_id)))
    graph.add((attribution, PROV.hadRole, TOR.approver))
    graph.add((uri, DCTERMS.dateAccepted, Literal(when, datatype=XSD.dateTime)))


def approver_of(graph: Graph | None, uri: URIRef) -> str:
    """The account id of who approved this version ('' when it was published without review)."""
    if graph is None:
        return ""
    for attribution in graph.objects(uri, PROV.qualifiedAttribution):
        if (attribution, PROV.hadRole, TOR.approver) in graph:
            agent = graph.value(attribution, PROV.agent)
            if agent is not None:
                return str(agent).rsplit("/", 1)[-1]
    return ""
