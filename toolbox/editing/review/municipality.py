"""New gemeenten: picked from the shipped CBS list, kept as a draft, published through the editor's gate.

The list (toolbox/data/gemeenten.csv, source in toolbox/data/README.md) holds all 342 municipalities with
their CBS code; nothing is fetched at run time. A proposed gemeente gets the model of the eleven in
content/gemeenten/: tor:Municipality with "Gemeente {naam}" and {naam} as names, the CBS code as
org:identifier, organisation type gemeente and the TOOI identifier as schema:sameAs (also its source).
Publishing validates it with the project's shapes, checks that neither the address nor the code is taken,
and writes content/gemeenten/{slug}.ttl atomically under the editor's lock, approved for the refresh gate.
"""

from __future__ import annotations

import csv
import functools
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from toolbox.config import CANONICAL_BASE
from toolbox.editing.editor import CaseEditor, SaveResult
from toolbox.editing.form import EditError, Prepared, account_iri, slugify
from toolbox.editing.review.additions import publish_new_file
from toolbox.editing.review.approval import add_approval
from toolbox.editing.turtle import attributions
from toolbox.editing.validation import shacl_errors
from toolbox.graph.content import parse_turtle, rebase_graph
from toolbox.namespaces import SCHEMA, TOR

LIST_FILE = Path(__file__).resolve().parents[2] / "data" / "gemeenten.csv"
FOLDER = "gemeenten"
TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/"
GEMEENTE = f"{CANONICAL_BASE}/id/gemeente/"
ORGANISATION_TYPE = URIRef(f"{CANONICAL_BASE}/id/organisatietype/gemeente")


@functools.cache
def municipalities() -> dict[str, str]:
    """CBS code -> official name, for all Dutch municipalities (the shipped list)."""
    with LIST_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["naam"] for row in csv.DictReader(handle)}


def slug_for(name: str) -> str:
    """The address of a gemeente: its name in lower case ('s-Hertogenbosch -> s-hertogenbosch)."""
    return slugify(name)


def values_for(code: str) -> dict:
    """The form values of a gemeente from the list: the editor picks the code, name and address follow."""
    code = (code or "").strip().upper()
    name = municipalities().get(code)
    if name is None:
        raise EditError("Kies een gemeente uit de lijst.")
    return {"code": code, "naam": name, "slug": slug_for(name)}


def known_codes(editor: CaseEditor) -> dict[str, str]:
    """CBS code -> slug of the gemeenten the content already has."""
    found = {}
    for path in sorted((Path(editor.settings.content_dir) / FOLDER).glob("*.ttl")):
        graph, problem = parse_turtle(path.read_text("utf-8", "replace"), path.name, CANONICAL_BASE)
        if problem:
            continue
        for subject, code in graph.subject_objects(ORG.identifier):
            found[str(code)] = str(subject).rsplit("/", 1)[-1]
    return found


def municipality_graph(values: dict, author: str, modified: str, approver: str | None = None) -> Graph:
    """The gemeente as it will be published (canonical IRIs)."""
    uri = URIRef(GEMEENTE + values["slug"])
    tooi = URIRef(TOOI + values["code"].lower())
    graph = Graph()
    graph.add((uri, RDF.type, TOR.Municipality))
    graph.add((uri, SKOS.prefLabel, Literal(f"Gemeente {values['naam']}", lang="nl")))
    graph.add((uri, SKOS.altLabel, Literal(values["naam"], lang="nl")))
    graph.add((uri, DCTERMS.source, tooi))
    graph.add((uri, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((uri, ORG.identifier, Literal(values["code"])))
    graph.add((uri, ORG.classification, ORGANISATION_TYPE))
    graph.add((uri, SCHEMA.sameAs, tooi))
    graph.add((uri, PROV.wasAttributedTo, account_iri(author)))
    if approver:
        add_approval(graph, uri, approver, modified)
    return graph


def serialize_municipality(graph: Graph, uri: URIRef) -> str:
    """The gemeente in the layout of the existing files in content/gemeenten/; same graph, same bytes."""
    def one(p):
        return graph.value(uri, p)

    slug = str(uri).rsplit("/", 1)[-1]
    lines = [
        "@prefix tor:      <https://toolbox-openbare-ruimte.nl/def/tor#> .",
        "@prefix skos:     <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dcterms:  <http://purl.org/dc/terms/> .",
        "@prefix xsd:      <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix prov:     <http://www.w3.org/ns/prov#> .",
        f"@prefix gemeente: <{GEMEENTE}> .",
        "",
        f"gemeente:{slug} a tor:Municipality ;",
        f"    skos:prefLabel {_literal(one(SKOS.prefLabel))} ;",
        f"    skos:altLabel {_literal(one(SKOS.altLabel))} ;",
        f"    dcterms:source <{one(DCTERMS.source)}> ; dcterms:modified \"{one(DCTERMS.modified)}\"^^xsd:dateTime ;",
        f"    prov:wasAttributedTo <{one(PROV.wasAttributedTo)}>"
        + (f" ;\n    dcterms:dateAccepted \"{one(DCTERMS.dateAccepted)}\"^^xsd:dateTime ." if one(DCTERMS.dateAccepted)
           else " ."),
        "",
        "# Landelijke identificatie: de CBS-gemeentecode en de organisatie in het TOOI-register.",
        f"gemeente:{slug} <http://www.w3.org/ns/org#identifier> {_literal(one(ORG.identifier))} ;",
        f"    <http://www.w3.org/ns/org#classification> <{ORGANISATION_TYPE}> ;",
        f"    <https://schema.org/sameAs> <{one(SCHEMA.sameAs)}> .",
    ]
    lines += attributions(graph, uri)
    text = "\n".join(lines) + "\n"
    check, problem = parse_turtle(text, f"{FOLDER}/{slug}.ttl", CANONICAL_BASE)
    if problem or not isomorphic(check, graph):
        raise ValueError("De Turtle van de gemeente komt niet overeen met de graaf (fout in de schrijver).")
    return text


def _literal(term) -> str:
    text = str(term).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"@{term.language}' if getattr(term, "language", None) else f'"{text}"'


def prepare(editor: CaseEditor, values: dict, author: str, approver: str | None = None) -> Prepared:
    """Validate a proposed gemeente against the shapes and the content; `text` is set only when valid."""
    modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = values_for(values.get("code", ""))
    uri = URIRef(GEMEENTE + values["slug"])
    graph = municipality_graph(values, author, modified, approver)
    general: list[str] = []
    taken = known_codes(editor).get(values["code"])
    if taken:
        general.append(f"Gemeente {values['naam']} ({values['code']}) staat al in de inhoud, als ‘{taken}’.")
    path = path_for(editor, values["slug"])
    if path.exists() and not taken:
        general.append(f"Het adres ‘{values['slug']}’ is al in gebruik in content/{FOLDER}/.")
    settings = editor.settings
    local_graph = graph if settings.base_uri == CANONICAL_BASE else rebase_graph(graph, settings.base_uri)
    local = URIRef(f"{settings.base_uri}/id/gemeente/{values['slug']}")
    data, _ = editor._with_linked_classes(local_graph, path, local)
    field_errors, general_errors = shacl_errors(settings, data, local, local_graph)
    general += [m for ms in field_errors.values() for m in ms] + general_errors
    prepared = Prepared(values["slug"], uri, graph, None, {}, general, local_graph)
    if not general:
        prepared.text = serialize_municipality(graph, uri)
    return prepared


def path_for(editor: CaseEditor, slug: str) -> Path:
    return Path(editor.settings.content_dir) / FOLDER / f"{slug}.ttl"


def publish(editor: CaseEditor, prepared: Prepared, on_saved=None) -> SaveResult:
    """Write a valid new gemeente, under the editor's lock; never over an existing file."""
    return publish_new_file(editor, prepared, path_for(editor, prepared.slug), "gemeente_aangemaakt",
                            "een gemeente", on_saved=on_saved)
