"""The SPARQL endpoint's description: example queries, the editor's PREFIX block and the service description."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from toolbox.config import QUERY_DIR, Settings
from toolbox.namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES, id_prefixes

EXAMPLE_DIR = QUERY_DIR / "examples"
RESEARCH_DIR = QUERY_DIR / "research"  # research questions, answers checked against the sources (tests)


@dataclass
class Example:
    name: str
    title: str
    description: str
    query: str


@functools.cache
def examples() -> list[Example]:
    """The example queries (toolbox/queries/examples/ and research/*.rq); `# title:` and `# description:` head each."""
    found = []
    for path in sorted(EXAMPLE_DIR.glob("*.rq")) + sorted(RESEARCH_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = dict(re.findall(r"^#\s*(title|description):\s*(.+)$", text, re.M))
        body = "\n".join(line for line in text.splitlines() if not re.match(r"#\s*(title|description):", line))
        found.append(Example(path.stem, meta.get("title", path.stem), meta.get("description", ""),
                             body.strip() + "\n"))
    return found


def prefix_block(base_uri: str) -> str:
    """PREFIX lines for the query editor: vocabularies and the /id/ type segments."""
    prefixes = {**PREFIXES, **id_prefixes(base_uri)}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())


SERVICE_DESCRIPTION = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix formats: <http://www.w3.org/ns/formats/> .

<{endpoint}#service> a sd:Service ;
    rdfs:label "SPARQL-endpoint Toolbox Openbare Ruimte"@nl ;
    rdfs:comment "Alleen-lezen SPARQL 1.1-endpoint. Tijdslimiet {timeout:g} s wachttijd per verzoek, maximaal \
{limit} rijen per resultaat, queries tot {length} tekens. Geen updates en geen SERVICE."@nl ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat formats:SPARQL_Results_JSON , formats:SPARQL_Results_XML , formats:SPARQL_Results_CSV ,
        formats:SPARQL_Results_TSV , formats:Turtle , formats:N-Triples , formats:JSON-LD , formats:RDF_XML ;
    sd:defaultDataset <{base}/data/#dataset-sparql> .

<{base}/data/#dataset-sparql> a sd:Dataset ;
    dcterms:title "Toolbox Openbare Ruimte"@nl ;
    void:sparqlEndpoint <{endpoint}> ;
    sd:defaultGraph [ a sd:Graph ; rdfs:comment "De vereniging (union) van alle benoemde grafen."@nl ] ;
{named}
"""


def service_description(settings: Settings) -> str:
    """The service description; its IRIs come from TOOLBOX_BASE_URI (as the DCAT description's do),
    never from the Host a request happened to use."""
    endpoint_url = settings.base_uri + "/sparql"
    graphs = [settings.base_uri + g for g in (GRAPH_CONTENT, GRAPH_ONTOLOGY, GRAPH_INFERRED)]
    named = " ;\n".join(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ]" for g in graphs) + " ."
    return SERVICE_DESCRIPTION.format(endpoint=endpoint_url, base=settings.base_uri, timeout=settings.query_timeout,
                                      limit=settings.result_limit, length=settings.max_query_length, named=named)
