"""The public pages: the blueprint, the process plate, /over and the page per thing (/doc/...).

The list pages (list_views) and the guide (guide_views) add their routes to this blueprint, so
every public page keeps its endpoint name `pages.*`; webapp.app imports them before registering it.
What a page shows next to a thing (similar cases, related tools, cases per step) is in related.
Every page reads from the in-memory graph model (built once per content version) and
has a machine-readable twin: JSON-LD of the thing by content negotiation or ?format=jsonld.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request, url_for

from toolbox.graph.dataset import data_dir
from toolbox.graph.describe import describe
from toolbox.graph.standards import read_conformance
from toolbox.negotiation import JSONLD_EXPANDED, RDF_CONTENT_TYPES, rdf_or_html, wants_expanded_jsonld
from webapp.filters import prefers_over_html
from webapp.pages import plate
from webapp.pages.related import cases_for_step, related_tools, similar_cases
from webapp.state import state

bp = Blueprint("pages", __name__)

# Page template per URI type segment; other types use the generic page.
TEMPLATES = {
    "niveau": "pages/level.html",
    "stap": "pages/step.html",
    "tool": "pages/tool.html",
    "checklist": "pages/checklist.html",
    "rol": "pages/role.html",
    "knelpunt": "pages/knelpunt.html",
    "casus": "pages/case.html",
    "toolaanbeveling": "pages/relation.html",
    "aanpak": "pages/relation.html",
    "melding": "pages/relation.html",
    "rolcompetentie": "pages/relation.html",
    "roluitdaging": "pages/relation.html",
}
# Where a type sits in the site, for the breadcrumb.
SECTIONS = {
    "tool": ("Tools", "pages.library"),
    "toolcategorie": ("Tools", "pages.library"),
    "hulpmiddel": ("Tools", "pages.library"),
    "rol": ("Samenwerken", "pages.fan"),
    "organisatietype": ("Samenwerken", "pages.fan"),
    "randvoorwaarde": ("Samenwerken", "pages.fan"),
    "notitie": ("Samenwerken", "pages.fan"),
    "competentie": ("Samenwerken", "pages.fan"),
    "knelpunt": ("Knelpunten", "pages.knelpunten"),
    "dimensie": ("Knelpunten", "pages.knelpunten"),
    "projecttype": ("Knelpunten", "pages.knelpunten"),
    "casus": ("Casussen", "pages.cases"),
    "gemeente": ("Casussen", "pages.cases"),
    "cluster": ("Casussen", "pages.cases"),
    "thema": ("Casussen", "pages.cases"),
    "ontwikkelteam": ("Casussen", "pages.cases"),
}
JSONLD = "application/ld+json"


def _wanted_rdf() -> str | None:
    """The RDF format of the page's twin the client asks for (None: the page), by toolbox.negotiation's rule."""
    fmt = request.args.get("format")
    return rdf_or_html(request.headers.get("Accept"), None if fmt in ("md", "csv") else fmt)


DESCRIBE_FORMATS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdfxml": "xml"}  # negotiation -> describe()


def _rdf_twin(uri: str, fmt: str) -> Response:
    s = state()
    name = DESCRIBE_FORMATS[fmt]
    content_type = RDF_CONTENT_TYPES[fmt] + ("" if fmt == "jsonld" else "; charset=utf-8")
    if fmt == "jsonld" and wants_expanded_jsonld(request.headers.get("Accept")):
        name, content_type = "jsonld-expanded", f'{JSONLD}; profile="{JSONLD_EXPANDED}"'
    body = s.cached((name, uri), lambda: describe(s.model, uri, name, s.settings))
    return Response(body, content_type=content_type, headers={"Vary": "Accept", "Link": f'<{uri}>; rel="canonical"'})


@bp.after_request
def cors_on_documents(response: Response) -> Response:
    """Pages about things (/doc/…) and their twins are public and read-only: any origin may read them."""
    if request.path.startswith("/doc/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _list_twin(name: str, items: list[str], total: int | None = None) -> Response | None:
    """JSON-LD of a list page (schema:ItemList of the things on it), when the client asks for it.

    On a paged list the items are those of the page and numberOfItems counts all pages."""
    if not (request.args.get("format") == "jsonld" or prefers_over_html(JSONLD)):
        return None
    m = state().model
    body = {
        "@context": {"schema": "https://schema.org/", "skos": "http://www.w3.org/2004/02/skos/core#"},
        "@id": absolute(request.full_path.rstrip("?")),
        "@type": "schema:ItemList",
        "schema:name": name,
        "schema:numberOfItems": len(items) if total is None else total,
        "schema:itemListElement": [
            {"@type": "schema:ListItem", "schema:position": i + 1,
             "schema:item": {"@id": uri, "skos:prefLabel": {"@value": m.label(uri), "@language": "nl"}}}
            for i, uri in enumerate(items)
        ],
    }

    return Response(json.dumps(body, ensure_ascii=False), mimetype=JSONLD, headers={"Vary": "Accept"})


def _alternates(uri: str) -> list[dict]:
    return [{"type": JSONLD, "href": request.path + "?format=jsonld"}]


def uri_for(segment: str, slug: str) -> str:
    return f"{state().settings.base_uri}/id/{segment}/{slug}"


def breadcrumb_for(uri: str) -> list[dict]:
    m = state().model
    segment = m.segment(uri)
    crumbs = []
    if segment in ("stap", "niveau", "checklist"):
        step = uri
        if segment == "checklist":
            step = m.one(uri, "tor:checklistFor")
        if segment in ("stap", "checklist") and step:
            level = m.one(step, "tor:level")
            if level:
                crumbs.append({"label": m.label(level), "url": _doc(level)})
            broader = m.one(step, "tor:broaderStep")
            if broader:
                crumbs.append({"label": m.label(broader), "url": _doc(broader)})
            if segment == "checklist":
                crumbs.append({"label": m.label(step), "url": _doc(step)})
    elif segment in SECTIONS:
        title, endpoint = SECTIONS[segment]
        crumbs.append({"label": title, "url": url_for(endpoint)})
    crumbs.append({"label": m.label(uri), "url": None})
    return crumbs


def _doc(uri: str) -> str:
    m = state().model
    return url_for("pages.entity", segment=m.segment(uri), slug=m.slug(uri))


def absolute(path: str) -> str:
    """An absolute URL on the site's own address (TOOLBOX_BASE_URI), never on the request's Host."""
    return state().settings.base_uri + path


LIST_PAGES_WITH_TWIN = {"pages.home", "pages.library", "pages.fan", "pages.knelpunten", "pages.cases"}


@bp.app_context_processor
def list_page_alternates():
    """List pages advertise their JSON-LD twin; entity pages set their own alternates."""
    if request.endpoint in LIST_PAGES_WITH_TWIN:
        return {"alternates": [{"type": JSONLD, "href": request.path + "?format=jsonld"}],
                "canonical": absolute(request.path)}
    return {}


# ---------------------------------------------------------------------------
@bp.route("/")
def home():
    s = state()
    svg = s.cached("plate", lambda: plate.render(s.model))
    steps = [st for level in s.model.instances("Level") for st in s.model.subjects("tor:level", level)]
    twin = _list_twin("Procesplaat integraal werken", s.model.instances("Level") + steps)
    if twin:
        return twin
    return render_template("pages/home.html", nav="home", plate_svg=svg, m=s.model, levels=s.model.instances("Level"))


@bp.route("/over")
def about():
    s = state()
    return render_template(
        "pages/about.html", breadcrumb=[{"label": "Over deze toolbox", "url": None}], m=s.model,
        sources=s.model.instances("SourceDocument"), manifest=s.manifest,
    )


@bp.route("/over/standaarden")
def standards():
    """Which standards the published data meets, with the figures of the build's own checks; `?format=json` twin."""
    s = state()
    report = read_conformance(data_dir(s.settings))
    if request.args.get("format") == "json" or prefers_over_html("application/json"):
        body = {**(report or {"standards": []}), "version": (s.manifest or {}).get("version")}
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json", headers={"Vary": "Accept"})
    return render_template("pages/standards.html", report=report, manifest=s.manifest,
                           breadcrumb=[{"label": "Over deze toolbox", "url": url_for("pages.about")},
                                       {"label": "Standaarden", "url": None}])


@bp.route("/doc/<segment>/<slug>")
def entity(segment: str, slug: str):
    s = state()
    uri = uri_for(segment, slug)
    m = s.model
    if not m.exists(uri) or m.segment(uri) != segment:
        abort(404)
    if m.text(uri, "tor:status") == "gearchiveerd" and not request.args.get("archief"):
        abort(404)
    rdf = _wanted_rdf()
    if rdf:
        return _rdf_twin(uri, rdf)
    template = TEMPLATES.get(segment, "pages/entity.html")
    context = {"m": m, "uri": uri, "segment": segment, "canonical": uri, "alternates": _alternates(uri),
               "breadcrumb": breadcrumb_for(uri)}
    if segment == "casus":
        context["similar"] = similar_cases(uri)
    if segment == "checklist":
        fmt = request.args.get("format")
        if fmt in ("md", "csv"):
            return checklist_export(uri, fmt)
        context["print_view"] = request.args.get("weergave") == "print"
    if segment == "stap":
        context["cases"] = cases_for_step(uri)
        context["cases_shown"] = STEP_CASES_SHOWN
    if segment == "tool":
        context["related"] = related_tools(uri)
    response = Response(render_template(template, **context))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = (
        f'<{uri}>; rel="canonical", <{request.path}?format=jsonld>; rel="alternate"; type="{JSONLD}"'
    )
    return response


STEP_CASES_SHOWN = 12


def checklist_export(uri: str, fmt: str) -> Response:
    """A (filled) checklist as Markdown or CSV; ticked items come from ?v=1&v=3 (item order numbers)."""
    import csv
    import io

    m = state().model
    ticked = set(request.args.getlist("v"))
    items = m.objects(uri, "tor:item")
    slug = m.slug(uri)
    if fmt == "md":
        lines = [f"# {m.label(uri)}", ""]
        for aspect in m.instances("Aspect"):
            rows = [i for i in items if m.one(i, "tor:aspect") == aspect]
            if not rows:
                continue
            lines += [f"## {m.label(aspect)}", ""]
            for item in rows:
                mark = "x" if str(m.order(item)) in ticked else " "
                lines.append(f"- [{mark}] {m.label(item)}")
            lines.append("")
        body = "\n".join(lines)
        return Response(body, mimetype="text/markdown",
                        headers={"Content-Disposition": f'attachment; filename="checklist-{slug}.md"'})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nummer", "aspect", "vraag", "afgevinkt"])
    for item in items:
        writer.writerow([m.order(item), m.label(m.one(item, "tor:aspect")), m.label(item),
                         "ja" if str(m.order(item)) in ticked else "nee"])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="checklist-{slug}.csv"'})
