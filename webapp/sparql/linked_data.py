"""Linked Data: dereferenceable URIs (/id/…), RDF twins of pages (/doc/….ttl …) and the ontology (/def/…).

Following the Dutch URI strategy (NL-URI) and httpRange-14: {base}/id/{type}/{slug} names the
thing itself, so it answers 303 See Other to a document about it: the HTML page
/doc/{type}/{slug} for browsers, or /doc/{type}/{slug}.ttl|.nt|.jsonld|.rdf for RDF clients
(by Accept, or `?format=`). Vocabulary terms are hash URIs under /def/tor#, so /def/tor
answers directly with the ontology (HTML or RDF). See docs/linked-data.md.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from toolbox.graph.describe import describe
from toolbox.graph.export import serialise
from toolbox.namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY, ONTOLOGY_IRI, PREFIXES, SH, SHAPES, TOR
from toolbox.negotiation import JSONLD_EXPANDED, rdf_or_html, wants_expanded_jsonld
from webapp.state import state

bp = Blueprint("linked_data", __name__)

# File extension of an RDF twin -> (format name for toolbox.describe/export, media type)
EXTENSIONS = {
    "ttl": ("ttl", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
    "jsonld": ("jsonld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
EXTENSION_OF = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}  # negotiation's names -> extension
SHAPES_IRI = ONTOLOGY_IRI.replace("/def/tor", "/def/shapes")


@bp.after_request
def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _requested_extension() -> str | None:
    """The RDF extension the client asks for, or None for HTML (the default, also for */*): the
    site's one rule (toolbox.negotiation), so /id/, /doc/, /def/ and /data/ answer alike."""
    fmt = rdf_or_html(request.headers.get("Accept"), request.args.get("format"))
    return EXTENSION_OF[fmt] if fmt else None


def _thing(segment: str, slug: str) -> str:
    s = state()
    uri = f"{s.settings.base_uri}/id/{segment}/{slug}"
    if not s.model.exists(uri) or s.model.segment(uri) != segment:
        abort(404)
    return uri


def _see_other(location: str) -> Response:
    response = redirect(location, code=303)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/id/<segment>/<slug>")
def thing(segment: str, slug: str):
    uri = _thing(segment, slug)
    ext = _requested_extension()
    if ext:
        return _see_other(url_for("linked_data.twin", segment=segment, slug=slug, ext=ext))
    archived = state().model.text(uri, "tor:status") == "gearchiveerd"
    args = {"archief": 1} if archived else {}
    return _see_other(url_for("pages.entity", segment=segment, slug=slug, **args))


@bp.route("/graph/<name>")
def graph(name: str):
    """The named graphs' IRIs dereference (issue 25: they were 404): 303 to the dataset description,
    which describes each as a VoID subset with `sd:name` and its number of triples; browsers get the
    downloads page at that graph, RDF clients the description in the format they ask for."""
    if "/graph/" + name not in (GRAPH_CONTENT, GRAPH_ONTOLOGY, GRAPH_INFERRED):
        abort(404)
    ext = _requested_extension()
    if ext:
        fmt = {"rdf": "rdfxml"}.get(ext, ext)
        return _see_other(url_for("sparql.data_index", format=fmt))
    return _see_other(url_for("sparql.data_index") + "#graaf-" + name)


@bp.route("/doc/<segment>/<slug>.<any(ttl, nt, jsonld, rdf):ext>")
def twin(segment: str, slug: str, ext: str):
    """The RDF description of one thing: its statements, incoming links and the labels of what it links to."""
    uri = _thing(segment, slug)
    fmt, media = EXTENSIONS[ext]
    if fmt == "jsonld" and wants_expanded_jsonld(request.headers.get("Accept")):
        fmt, media = "jsonld-expanded", f'application/ld+json; profile="{JSONLD_EXPANDED}"'
    s = state()
    body = s.cached(("twin", uri, fmt), lambda: describe(s.model, uri, fmt, s.settings))
    headers = {"Vary": "Accept",
               "Link": f'<{uri}>; rel="describes", <{url_for("pages.entity", segment=segment, slug=slug)}>; '
                       'rel="alternate"; type="text/html"'}
    return Response(body, content_type=media + "; charset=utf-8", headers=headers)


# --------------------------------------------------------------------------- ontology and shapes
def _vocabulary(kind: str) -> Graph:
    s = state()
    path = s.settings.ontology_file if kind == "tor" else s.settings.shapes_file

    def load() -> Graph:
        graph = Graph()
        graph.parse(path, format="turtle")
        return graph

    return s.cached(("vocabulary", kind), load)


def _vocabulary_response(kind: str, ext: str | None) -> Response:
    s = state()
    if ext is None:
        context = s.cached(("vocabulary-page", kind), _ontology_context if kind == "tor" else _shapes_context)
        page = render_template("sparql/ontology.html", **context)
        return Response(page, mimetype="text/html", headers={"Vary": "Accept"})
    fmt, media = EXTENSIONS[ext]
    if fmt == "ttl":  # the source file itself, with its comments
        path = s.settings.ontology_file if kind == "tor" else s.settings.shapes_file
        body = path.read_bytes()
    else:
        body = s.cached(("vocabulary-out", kind, fmt), lambda: serialise(_copy(_vocabulary(kind)), fmt, s.settings))
    return Response(body, content_type=media + "; charset=utf-8", headers={"Vary": "Accept"})


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


@bp.route("/def/tor")
def ontology():
    return _vocabulary_response("tor", _requested_extension())


@bp.route("/def/tor.<any(ttl, nt, jsonld, rdf):ext>")
def ontology_file(ext: str):
    return _vocabulary_response("tor", ext)


@bp.route("/def/shapes")
def shapes():
    return _vocabulary_response("shapes", _requested_extension())


@bp.route("/def/shapes.<any(ttl, nt, jsonld, rdf):ext>")
def shapes_file(ext: str):
    return _vocabulary_response("shapes", ext)


def _text(graph: Graph, subject, predicate, lang: str = "nl") -> str:
    values = list(graph.objects(subject, predicate))
    for value in values:
        if getattr(value, "language", None) == lang:
            return str(value)
    return str(values[0]) if values else ""


def _curie(iri) -> str:
    iri = str(iri)
    namespaces = {**PREFIXES, "shapes": str(SHAPES), "sh": str(SH)}
    for prefix, namespace in sorted(namespaces.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _term_link(iri) -> dict:
    iri = str(iri)
    tor = str(TOR)
    if iri.startswith(tor):
        return {"label": _curie(iri), "href": "#" + iri[len(tor):], "iri": iri}
    return {"label": _curie(iri), "href": iri, "iri": iri}


def _refs(graph: Graph, subject, predicate) -> list[dict]:
    """Links to the classes or properties in subject's predicate values; unions are listed by their members."""
    links = []
    for value in graph.objects(subject, predicate):
        if isinstance(value, URIRef):
            links.append(_term_link(value))
            continue
        members = graph.value(value, OWL.unionOf)
        if members is not None:
            links.extend(_term_link(m) for m in Collection(graph, members) if isinstance(m, URIRef))
    return links


def _ontology_context() -> dict:
    s = state()
    graph = _vocabulary("tor")
    onto = URIRef(ONTOLOGY_IRI)
    tor = str(TOR)
    counts = {}
    for cls in graph.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(tor):
            counts[str(cls)] = len(s.model.instances(str(cls)[len(tor):], include_archived=True))

    def entry(term, kind: str) -> dict:
        return {
            "id": str(term)[len(tor):],
            "iri": str(term),
            "kind": kind,
            "label": _text(graph, term, SKOS.prefLabel) or _text(graph, term, RDFS.label),
            "label_en": _text(graph, term, RDFS.label, "en"),
            "definition": _text(graph, term, SKOS.definition),
            "parents": _refs(graph, term, RDFS.subClassOf) + _refs(graph, term, RDFS.subPropertyOf),
            "domain": _refs(graph, term, RDFS.domain),
            "range": _refs(graph, term, RDFS.range),
            "inverse": [_term_link(o) for o in graph.objects(term, OWL.inverseOf)],
            "characteristics": sorted(_curie(t) for t in graph.objects(term, RDF.type)
                                      if t in (OWL.TransitiveProperty, OWL.SymmetricProperty,
                                               OWL.FunctionalProperty, OWL.InverseFunctionalProperty)),
            "instances": counts.get(str(term)),
        }

    sections = defaultdict(list)
    kinds = {OWL.Class: "klassen", OWL.ObjectProperty: "relaties", OWL.DatatypeProperty: "eigenschappen",
             OWL.AnnotationProperty: "annotaties"}
    for rdf_class, name in kinds.items():
        for term in graph.subjects(RDF.type, rdf_class):
            if isinstance(term, URIRef) and str(term).startswith(tor):
                sections[name].append(entry(term, name))
    for items in sections.values():
        items.sort(key=lambda e: e["id"].lower())
    reused = sorted({_curie(t) for rdf_class in kinds for t in graph.subjects(RDF.type, rdf_class)
                     if isinstance(t, URIRef) and not str(t).startswith(tor)})
    return {
        "kind": "ontology",
        "title": _text(graph, onto, RDFS.label) or "Ontologie",
        "breadcrumb": [{"label": "Ontologie", "url": None}],
        "iri": ONTOLOGY_IRI,
        "namespace": tor,
        "definition": _text(graph, onto, SKOS.definition),
        "version": _text(graph, onto, OWL.versionInfo),
        "modified": _text(graph, onto, URIRef("http://purl.org/dc/terms/modified")),
        "sections": [("klassen", "Klassen"), ("relaties", "Relaties (objecteigenschappen)"),
                     ("eigenschappen", "Eigenschappen (gegevens)"), ("annotaties", "Annotaties")],
        "terms": sections,
        "reused": reused,
        "formats": [(ext, EXTENSIONS[ext][1]) for ext in EXTENSIONS],
        "file_endpoint": "linked_data.ontology_file",
        "canonical": ONTOLOGY_IRI,
    }


def _shapes_context() -> dict:
    graph = _vocabulary("shapes")
    shapes = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        properties = []
        for prop in graph.objects(shape, SH.property):
            path = graph.value(prop, SH.path)
            properties.append({
                "path": _term_link(path) if isinstance(path, URIRef) else {"label": "(pad)", "href": None},
                "min": graph.value(prop, SH.minCount), "max": graph.value(prop, SH.maxCount),
                "cls": _term_link(graph.value(prop, SH["class"])) if graph.value(prop, SH["class"]) else None,
                "datatype": _curie(graph.value(prop, SH.datatype)) if graph.value(prop, SH.datatype) else "",
                "severity": _curie(graph.value(prop, SH.severity)) if graph.value(prop, SH.severity) else "",
                "message": _text(graph, prop, SH.message),
            })
        properties.sort(key=lambda p: p["path"]["label"])
        targets = [_term_link(t) for t in graph.objects(shape, SH.targetClass)]
        shapes.append({"id": _curie(shape).split(":", 1)[-1], "iri": str(shape), "targets": targets,
                       "properties": properties})
    return {
        "kind": "shapes",
        "title": "SHACL-regels",
        "breadcrumb": [{"label": "Ontologie", "url": url_for("linked_data.ontology")},
                       {"label": "SHACL-regels", "url": None}],
        "iri": SHAPES_IRI,
        "shapes": shapes,
        "formats": [(ext, EXTENSIONS[ext][1]) for ext in EXTENSIONS],
        "file_endpoint": "linked_data.shapes_file",
        "canonical": SHAPES_IRI,
    }
