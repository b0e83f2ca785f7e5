"""Downloads of the whole graph and their description (DCAT-AP-NL 3.0 + VoID), written at build time.

`toolbox build` calls `write_dumps`, which writes into {build}/data/:

* toolbox-openbare-ruimte.ttl / .nt / .jsonld: every distinct triple of the store's union
  graph (ontology, content, inferences), and .nq: the quads with their named graphs;
* each of these gzipped as well (.gz, reproducible: no timestamp in the gzip header);
* dataset.ttl: a DCAT catalogue with the dataset, its distributions and the SPARQL service,
  and VoID statistics (triples, entities, classes, properties, partitions);
* conformance.json: what the checks of toolbox.graph.standards found (DCAT-AP-NL over
  dataset.ttl, NL-SBB over the graph), for /over/standaarden.

The description meets DCAT-AP-NL 3.0 (ontology/dcat-ap-nl.ttl); a violation stops the writing,
since the description is made here and a violation is a bug in this module.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from toolbox import __version__
from toolbox.config import Settings
from toolbox.files import atomic_write
from toolbox.graph.canonical import canonical_quads, jsonld
from toolbox.graph.standards import CONFORMANCE_FILE, DCAT_AP_NL, NL_SBB, check, report, vocabulary_part
from toolbox.namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY, ONTOLOGY_IRI, PREFIXES, id_prefixes

DUMP_STEM = "toolbox-openbare-ruimte"
DESCRIPTION_FILE = "dataset.ttl"
# Format -> (file extension, media type, EU file-type authority code, label)
DUMP_FORMATS = {
    "ttl": ("ttl", "text/turtle", "RDF_TURTLE", "Turtle"),
    "nt": ("nt", "application/n-triples", "RDF_N_TRIPLES", "N-Triples"),
    "jsonld": ("jsonld", "application/ld+json", "JSON_LD", "JSON-LD"),
    "nq": ("nq", "application/n-quads", "RDF_N_QUADS", "N-Quads (met benoemde grafen)"),
}
TRIPLE_FORMATS = ("ttl", "nt", "jsonld")
MEDIA_TYPES = {ext: media for ext, media, _, _ in DUMP_FORMATS.values()} | {"gz": "application/gzip"}

# Licence of the data: a decision for the publisher; change here (and in docs/linked-data.md).
LICENSE = "http://creativecommons.org/licenses/by/4.0/"
PUBLISHER_NAME = "City Deal Openbare Ruimte"
CREATOR_NAME = "Redactie Toolbox Openbare Ruimte"  # the editorial team: an organisation, never a person

VOID = Namespace("http://rdfs.org/ns/void#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ORG_MEMBER_OF = URIRef("http://www.w3.org/ns/org#memberOf")
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE_NL = URIRef("http://publications.europa.eu/resource/authority/language/NLD")
EU_ACCESS_PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
IANA = "http://www.iana.org/assignments/media-types/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
THEMES = (URIRef(EU_THEME + "REGI"), URIRef(EU_THEME + "GOVE"))  # regions and cities; government and public sector
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
DONL_STATUS_AVAILABLE = URIRef("http://data.overheid.nl/status/beschikbaar")
KEYWORDS = ("openbare ruimte", "integraal werken", "gebiedsontwikkeling", "procesaanpak", "City Deal", "kennisgraaf")

_remote_lock = threading.Lock()


def dump_names() -> list[str]:
    names = [f"{DUMP_STEM}.{DUMP_FORMATS[f][0]}" for f in DUMP_FORMATS]
    return names + [n + ".gz" for n in names] + [DESCRIPTION_FILE]


def data_dir(settings: Settings) -> Path:
    """Where the dumps of this configuration live (remote stores get their own folder)."""
    return settings.build_dir / ("data-remote" if settings.sparql_endpoint else "data")


def dumps_present(settings: Settings) -> bool:
    folder = settings.build_dir / "data"
    return all((folder / name).exists() for name in dump_names())


def media_type_for(name: str) -> str:
    return MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")


def _sort_key(triple) -> tuple[str, str, str]:
    subject = str(triple.subject)
    # IRIs first, blank nodes last, so the Turtle reads from things to their details.
    return ("1" if subject.startswith("_:") else "0") + subject, str(triple.predicate), str(triple.object)


@dataclass
class Statistics:
    triples: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    distinct_subjects: int
    distinct_objects: int
    graphs: dict[str, int]


def statistics(triples: list, base_uri: str, graphs: dict[str, int] | None = None) -> Statistics:
    rdf_type = ox.NamedNode(str(RDF.type))
    instances: dict[str, set] = {}
    properties: Counter = Counter()
    subjects, objects = set(), set()
    things = set()
    prefix = base_uri + "/id/"
    for t in triples:
        properties[t.predicate.value] += 1
        subjects.add(t.subject)
        objects.add(t.object)
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
            instances.setdefault(t.object.value, set()).add(t.subject)
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefix):
            things.add(t.subject.value)
    return Statistics(
        triples=len(triples), entities=len(things),
        classes={c: len(members) for c, members in sorted(instances.items())},
        properties=dict(sorted(properties.items())),
        distinct_subjects=len(subjects), distinct_objects=len(objects), graphs=graphs or {},
    )


def _serialise(triples: list, quads: list | None, fmt: str, settings: Settings) -> bytes:
    prefixes = {**PREFIXES, **id_prefixes(settings.base_uri)}
    if fmt == "ttl":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    if fmt == "nq":
        return ox.serialize(quads or [], format=ox.RdfFormat.N_QUADS) or b""
    if fmt == "jsonld":
        # Compact with the same prefixes as the Turtle, in a fixed order (toolbox/graph/canonical.py).
        return jsonld(triples, prefixes)
    raise ValueError(fmt)


def _write_all(settings: Settings, triples: list, quads: list | None, target: Path,
               graphs: dict[str, int] | None = None) -> Path:
    if quads is not None:  # one labelling of the blank nodes for all files, whoever wrote them
        quads = sorted(canonical_quads(quads), key=lambda q: (str(q.graph_name), *_sort_key(q)))
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    else:
        triples = [q.triple for q in canonical_quads(ox.Quad(t.subject, t.predicate, t.object) for t in triples)]
    triples = sorted(set(triples), key=_sort_key)
    files: dict[str, dict] = {}
    for fmt in DUMP_FORMATS:
        if fmt == "nq" and quads is None:
            continue
        ext = DUMP_FORMATS[fmt][0]
        data = _serialise(triples, quads, fmt, settings)
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        for name, blob in ((f"{DUMP_STEM}.{ext}", data), (f"{DUMP_STEM}.{ext}.gz", packed)):
            atomic_write(target / name, blob)
            files[name] = {"format": fmt, "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                           "gzip": name.endswith(".gz")}
    stats = statistics(triples, settings.base_uri, graphs)
    description = describe_dataset(settings, stats, files)
    conformance = check_published(description, triples)
    atomic_write(target / DESCRIPTION_FILE, description.serialize(format="turtle").encode("utf-8"))
    atomic_write(target / CONFORMANCE_FILE, json.dumps(conformance, indent=2, ensure_ascii=False).encode())
    summary = {"triples": stats.triples, "entities": stats.entities, "graphs": stats.graphs, "files": files,
               "written": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    atomic_write(target / "summary.json", json.dumps(summary, indent=2).encode())
    return target


def check_published(description: Graph, triples: list) -> dict:
    """DCAT-AP-NL over the description (a violation is a bug here: refused) and NL-SBB over the graph."""
    dcat = check(DCAT_AP_NL, description)
    if not dcat.conforms:
        raise ValueError("De datasetbeschrijving voldoet niet aan DCAT-AP-NL: "
                         + "; ".join(m["message"] for m in dcat.messages if m["severity"] == "fout"))
    part = [ox.Triple(*t) for t in vocabulary_part(((t.subject, t.predicate, t.object) for t in triples),
                                                      iri=lambda term: getattr(term, "value", ""))]
    graph = Graph()
    graph.parse(data=ox.serialize(part, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return report([dcat, check(NL_SBB, graph)])


def write_dumps(settings: Settings, store: ox.Store, paths=None, *, target: Path | None = None) -> Path:
    """Write the dumps and the dataset description for the built store into {build}/data/ (or target)."""
    triples = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    quads = sorted(store, key=lambda q: (str(q.graph_name), *_sort_key(q)))
    graphs = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
    return _write_all(settings, triples, quads, target or settings.build_dir / "data", dict(graphs))


def ensure_remote_dumps(settings: Settings, store) -> Path:
    """With an external store there is no build: write the dumps once, from the site's checked copy of the
    store (toolbox/graph/remote_copy.py), so they hold the same bytes as on the embedded store."""
    target = data_dir(settings)
    if (target / DESCRIPTION_FILE).exists():
        return target
    with _remote_lock:
        if not (target / DESCRIPTION_FILE).exists():
            write_dumps(settings, store.store, target=target)
    return target


def read_summary(folder: Path) -> dict:
    try:
        return json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _agents(g: Graph, base: str) -> tuple[URIRef, URIRef, URIRef]:
    """Publisher and creator as organisations (foaf:Agent), and the contact point (vcard:Kind)."""
    data = base + "/data/"
    publisher, creator, contact = URIRef(data + "#uitgever"), URIRef(data + "#redactie"), URIRef(data + "#contact")
    for agent, name in ((publisher, PUBLISHER_NAME), (creator, CREATOR_NAME)):
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, FOAF.Organization))
        g.add((agent, FOAF.name, Literal(name, lang="nl")))
        g.add((agent, FOAF.homepage, URIRef(base + "/over")))
    g.add((creator, ORG_MEMBER_OF, publisher))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(CREATOR_NAME, lang="nl")))
    g.add((contact, VCARD.hasURL, URIRef(base + "/over")))
    return publisher, creator, contact


def _standards(g: Graph) -> None:
    """What conformsTo and the licence point to, typed as DCAT-AP-NL asks (dcterms:Standard, LicenseDocument)."""
    g.add((URIRef(LICENSE), RDF.type, DCTERMS.LicenseDocument))
    g.add((URIRef(LICENSE), DCTERMS.title, Literal("Creative Commons Naamsvermelding 4.0 Internationaal", lang="nl")))
    g.add((URIRef(ONTOLOGY_IRI), RDF.type, DCTERMS.Standard))
    g.add((URIRef(ONTOLOGY_IRI), DCTERMS.title, Literal("Ontologie Toolbox Openbare Ruimte (tor)", lang="nl")))
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, DCTERMS.title, Literal("SPARQL 1.1 Protocol", lang="en")))


def describe_dataset(settings: Settings, stats: Statistics, files: dict[str, dict]) -> Graph:
    """DCAT catalogue per DCAT-AP-NL 3.0 (mandatory and recommended properties) with VoID statistics."""
    base = settings.base_uri
    data = base + "/data/"
    catalog, dataset, service = URIRef(data + "#catalogus"), URIRef(data + "#dataset"), URIRef(base + "/sparql#service")
    g = Graph()
    for prefix, ns in {"dcat": DCAT, "dcterms": DCTERMS, "void": VOID, "vcard": VCARD, "foaf": FOAF, "adms": ADMS,
                       "spdx": SPDX, "sd": SD, "xsd": XSD, "owl": OWL, "tor": PREFIXES["tor"]}.items():
        g.bind(prefix, ns)
    modified = Literal(time.strftime("%Y-%m-%dT%H:%M:%S"), datatype=XSD.dateTime)
    nl = "nl"
    publisher, creator, contact = _agents(g, base)
    _standards(g)

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Catalogus Toolbox Openbare Ruimte", lang=nl)))
    g.add((catalog, DCTERMS.description, Literal("De open data van de Toolbox Openbare Ruimte.", lang=nl)))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.creator, creator))
    g.add((catalog, DCAT.contactPoint, contact))
    g.add((catalog, DCTERMS.language, EU_LANGUAGE_NL))
    g.add((catalog, DCTERMS.license, URIRef(LICENSE)))
    g.add((catalog, FOAF.homepage, URIRef(base + "/")))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    g.add((catalog, DCTERMS.modified, modified))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    g.add((dataset, DCTERMS.title, Literal("Toolbox Openbare Ruimte", lang=nl)))
    g.add((dataset, DCTERMS.title, Literal("Toolbox Public Space", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Kennisgraaf van de integrale aanpak van de openbare ruimte volgens de City Deal Openbare Ruimte: "
        "processtappen op drie niveaus, checks en checklists, tools, rollen en competenties, organisaties, "
        "knelpunten en casussen, met de ontologie en de afgeleide relaties.", lang=nl)))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.creator, creator))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCTERMS.language, EU_LANGUAGE_NL))
    g.add((dataset, DCTERMS.license, URIRef(LICENSE)))
    g.add((dataset, DCTERMS.accessRights, EU_ACCESS_PUBLIC))
    for theme in THEMES:
        g.add((dataset, DCAT.theme, theme))
    g.add((dataset, ADMS.status, DONL_STATUS_AVAILABLE))
    for keyword in KEYWORDS:
        g.add((dataset, DCAT.keyword, Literal(keyword, lang=nl)))
    g.add((dataset, DCAT.landingPage, URIRef(data)))
    g.add((dataset, FOAF.page, URIRef(base + "/over/standaarden")))
    g.add((dataset, DCTERMS.modified, modified))
    g.add((dataset, OWL.versionInfo, Literal(__version__)))
    g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(base + "/sparql")))
    g.add((dataset, VOID.uriSpace, Literal(base + "/id/")))
    g.add((dataset, VOID.rootResource, URIRef(base + "/id/lijst/niveaus")))
    for vocabulary in (ONTOLOGY_IRI, PREFIXES["skos"], PREFIXES["dcterms"], PREFIXES["schema"], PREFIXES["prov"]):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary.rstrip("#"))))
    _void_statistics(g, dataset, stats, base)
    for name, info in sorted(files.items()):
        _distribution(g, dataset, name, info, data, modified)
    _service(g, service, dataset, base, publisher, creator, contact)
    g.add((dataset, RDFS.seeAlso, URIRef(base + "/def/tor")))
    return g


def _void_statistics(g: Graph, dataset: URIRef, stats: Statistics, base: str) -> None:
    data, nl = base + "/data/", "nl"
    g.add((dataset, VOID.triples, Literal(stats.triples)))
    g.add((dataset, VOID.entities, Literal(stats.entities)))
    g.add((dataset, VOID.classes, Literal(len(stats.classes))))
    g.add((dataset, VOID.properties, Literal(len(stats.properties))))
    g.add((dataset, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    g.add((dataset, VOID.distinctObjects, Literal(stats.distinct_objects)))
    for cls, count in stats.classes.items():
        part = BNode()
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in stats.properties.items():
        part = BNode()
        g.add((dataset, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))
    titles = {base + GRAPH_CONTENT: "inhoud", base + GRAPH_ONTOLOGY: "ontologie", base + GRAPH_INFERRED: "afgeleid"}
    for graph_iri, count in sorted(stats.graphs.items()):
        subset = URIRef(data + "#graaf-" + titles.get(graph_iri, graph_iri.rsplit("/", 1)[-1]))
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, URIRef(graph_iri)))
        g.add((subset, DCTERMS.title, Literal(f"Benoemde graaf {titles.get(graph_iri, graph_iri)}", lang=nl)))
        g.add((subset, VOID.triples, Literal(count)))


def _distribution(g: Graph, dataset: URIRef, name: str, info: dict, data: str, modified: Literal) -> None:
    fmt = info["format"]
    _, media, eu_code, label = DUMP_FORMATS[fmt]
    url = URIRef(data + name)
    dist = URIRef(data + "#" + name)
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(label + (" (gzip)" if info["gzip"] else ""), lang="nl")))
    g.add((dist, DCAT.accessURL, url))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
    g.add((dist, DCTERMS["format"], URIRef(EU_FILE_TYPE + eu_code)))
    g.add((dist, DCTERMS.license, URIRef(LICENSE)))
    g.add((dist, DCTERMS.language, EU_LANGUAGE_NL))
    g.add((dist, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((dist, ADMS.status, DONL_STATUS_AVAILABLE))
    g.add((dist, DCAT.byteSize, Literal(info["bytes"], datatype=XSD.nonNegativeInteger)))
    g.add((dist, DCTERMS.modified, modified))
    if info["gzip"]:
        g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    checksum = BNode()
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(info["sha256"], datatype=XSD.hexBinary)))
    if fmt == "nt":
        g.add((dataset, VOID.dataDump, url))


def _service(g: Graph, service: URIRef, dataset: URIRef, base: str, publisher, creator, contact) -> None:
    nl = "nl"
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.identifier, Literal(str(service))))
    g.add((service, DCTERMS.title, Literal("SPARQL-endpoint Toolbox Openbare Ruimte", lang=nl)))
    g.add((service, DCTERMS.description, Literal(
        "Alleen-lezen SPARQL 1.1-endpoint over de hele kennisgraaf, met vaste grenzen aan tijd en omvang "
        "van een antwoord (zie /sparql/limieten).", lang=nl)))
    g.add((service, DCAT.endpointURL, URIRef(base + "/sparql")))
    g.add((service, DCAT.endpointDescription, URIRef(base + "/sparql")))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((service, DCTERMS.license, URIRef(LICENSE)))
    g.add((service, DCTERMS.accessRights, EU_ACCESS_PUBLIC))
    g.add((service, DCTERMS.publisher, publisher))
    g.add((service, DCTERMS.creator, creator))
    g.add((service, DCAT.contactPoint, contact))
    g.add((service, DCTERMS.language, EU_LANGUAGE_NL))
    g.add((service, FOAF.page, URIRef(base + "/sparql/limieten")))
    for theme in THEMES:
        g.add((service, DCAT.theme, theme))
    for keyword in ("SPARQL", "linked data", "openbare ruimte"):
        g.add((service, DCAT.keyword, Literal(keyword, lang=nl)))
