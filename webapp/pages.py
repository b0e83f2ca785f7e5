"""The public pages: process plate, levels, steps, tools, collaboration, knelpunten, cases, guide.

Every page reads from the in-memory graph model (built once per content version) and
has a machine-readable twin: JSON-LD of the thing by content negotiation or ?format=jsonld.
"""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, Response, abort, render_template, request, send_from_directory, url_for

from toolbox.config import REPO_ROOT
from toolbox.describe import describe

from . import plate
from .filters import prefers_over_html
from .paging import paginate
from .situations import situation_json
from .state import state

bp = Blueprint("pages", __name__)

VENDOR_FILES = {
    "design-tokens.css": REPO_ROOT / "node_modules/@utrecht/design-tokens/dist/index.css",
    "components.css": REPO_ROOT / "node_modules/@utrecht/component-library-css/dist/index.css",
}

# Page template per URI type segment; other types use the generic page.
TEMPLATES = {
    "niveau": "level.html",
    "stap": "step.html",
    "tool": "tool.html",
    "checklist": "checklist.html",
    "rol": "role.html",
    "knelpunt": "knelpunt.html",
    "casus": "case.html",
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


def _wants_jsonld() -> bool:
    return request.args.get("format") in ("jsonld", "json") or prefers_over_html(JSONLD, "application/json")


def _jsonld(uri: str) -> Response:
    s = state()
    body = s.cached(("jsonld", uri), lambda: describe(s.model, uri, "jsonld", s.settings))
    return Response(body, mimetype=JSONLD, headers={"Vary": "Accept", "Link": f'<{uri}>; rel="canonical"'})


def _list_twin(name: str, items: list[str], total: int | None = None) -> Response | None:
    """JSON-LD of a list page (schema:ItemList of the things on it), when the client asks for it.

    On a paged list the items are those of the page and numberOfItems counts all pages."""
    if not (request.args.get("format") == "jsonld" or prefers_over_html(JSONLD)):
        return None
    m = state().model
    body = {
        "@context": {"schema": "https://schema.org/", "skos": "http://www.w3.org/2004/02/skos/core#"},
        "@id": request.url,
        "@type": "schema:ItemList",
        "schema:name": name,
        "schema:numberOfItems": len(items) if total is None else total,
        "schema:itemListElement": [
            {"@type": "schema:ListItem", "schema:position": i + 1,
             "schema:item": {"@id": uri, "skos:prefLabel": {"@value": m.label(uri), "@language": "nl"}}}
            for i, uri in enumerate(items)
        ],
    }
    import json

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


LIST_PAGES_WITH_TWIN = {"pages.home", "pages.library", "pages.fan", "pages.knelpunten", "pages.cases"}


@bp.app_context_processor
def list_page_alternates():
    """List pages advertise their JSON-LD twin; entity pages set their own alternates."""
    if request.endpoint in LIST_PAGES_WITH_TWIN:
        return {"alternates": [{"type": JSONLD, "href": request.path + "?format=jsonld"}],
                "canonical": request.base_url}
    return {}


# ---------------------------------------------------------------------------
@bp.route("/vendor/<name>")
def vendor(name: str):
    path = VENDOR_FILES.get(name)
    if path is None or not path.exists():
        abort(404)
    response = send_from_directory(path.parent, path.name, mimetype="text/css", max_age=86400)
    return response


@bp.route("/")
def home():
    s = state()
    svg = s.cached("plate", lambda: plate.render(s.model))
    steps = [st for level in s.model.instances("Level") for st in s.model.subjects("tor:level", level)]
    twin = _list_twin("Procesplaat integraal werken", s.model.instances("Level") + steps)
    if twin:
        return twin
    return render_template("home.html", nav="home", plate_svg=svg, m=s.model, levels=s.model.instances("Level"))


@bp.route("/over")
def about():
    s = state()
    return render_template(
        "about.html", breadcrumb=[{"label": "Over deze toolbox", "url": None}], m=s.model,
        sources=s.model.instances("SourceDocument"), manifest=s.manifest,
    )


@bp.route("/doc/<segment>/<slug>")
def entity(segment: str, slug: str):
    s = state()
    uri = uri_for(segment, slug)
    m = s.model
    if not m.exists(uri) or m.segment(uri) != segment:
        abort(404)
    if m.text(uri, "tor:status") == "gearchiveerd" and not request.args.get("archief"):
        abort(404)
    if _wants_jsonld():
        return _jsonld(uri)
    template = TEMPLATES.get(segment, "entity.html")
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


# ---------------------------------------------------------------------------
def _facet_filter(cls: str, params: dict[str, str], props: dict[str, str]):
    """Items of a class matching every chosen filter, and per filter the counts given the other filters.

    The slugs per item and filter are worked out once per content version (and `_faceted`
    keeps the answer per filter choice), so a list page costs the same at any size.
    """
    s = state()
    m = s.model

    def table():
        items = sorted(m.instances(cls), key=lambda u: m.label(u).lower())
        return [(item, {k: frozenset(m.slug(o) for o in facet_values(item, p)) for k, p in props.items()})
                for item in items]

    rows = s.cached(("facet-table", cls), table)
    chosen = {k: v for k, v in params.items() if v}
    selected = [item for item, values in rows if all(v in values[k] for k, v in chosen.items())]
    counts = {}
    for key in props:
        others = {k: v for k, v in chosen.items() if k != key}
        counter = Counter()
        for _item, values in rows:
            if all(v in values[k] for k, v in others.items()):
                counter.update(values[key])
        counts[key] = counter
    return selected, counts


def facet_values(item: str, prop: str) -> list[str]:
    """The things an item has for one filter; `steps-of-case` is derived (see case_steps)."""
    if prop == "steps-of-case":
        return case_steps(item)
    return state().model.objects(item, prop)


PAGE_SIZES = {"tools": 24, "cases": 20, "knelpunten": 50}


def _page_json(selected: list[str], shown: list[str], pager: dict, params: dict, facets: dict) -> dict:
    m = state().model
    return {
        "filters": params,
        "total": len(selected),
        "page": pager["page"],
        "pages": pager["pages"],
        "next": pager["next"],
        "results": [{"uri": u, "label": m.label(u), "url": _doc(u)} for u in shown],
        "facets": {k: {o["slug"]: o["count"] for o in v} for k, v in facets.items()},
    }


def _faceted(cls: str, params: dict[str, str], props: dict[str, str], segments: dict[str, str]):
    """Selected items and the filter options with counts, once per content version and filter choice."""
    s = state()

    def compute():
        selected, counts = _facet_filter(cls, params, props)
        return selected, {k: _options(counts[k], segments[k]) for k in props}

    return s.cached(("faceted", cls, tuple(sorted(params.items()))), compute)


def _options(slugs_counts: Counter, segment: str) -> list[dict]:
    m = state().model
    options = []
    for slug, count in slugs_counts.items():
        uri = uri_for(segment, slug)
        options.append({"slug": slug, "label": m.label(uri), "count": count, "sort": m.sort_key(uri)})
    options.sort(key=lambda o: o["sort"])
    return options


SELECT_OPTIONS = 150


def _most_frequent(options: list[dict], chosen: str) -> tuple[list[dict], bool]:
    """At most SELECT_OPTIONS options for a drop-down (the most frequent, plus the chosen one),
    in their usual order; a list of thousands is of no use to anyone choosing."""
    if len(options) <= SELECT_OPTIONS:
        return options, False
    keep = {o["slug"] for o in sorted(options, key=lambda o: -o["count"])[:SELECT_OPTIONS]} | {chosen}
    return [o for o in options if o["slug"] in keep], True


@bp.route("/tools")
def library():
    s = state()
    m = s.model
    props = {"categorie": "tor:category", "niveau": "tor:suitableLevel", "stap": "tor:usedInStep"}
    segments = {"categorie": "toolcategorie", "niveau": "niveau", "stap": "stap"}
    params = {k: request.args.get(k, "").strip() for k in props}
    selected, facets = _faceted("Tool", params, props, segments)
    shown, pager = paginate(selected, PAGE_SIZES["tools"])
    if request.args.get("format") == "json":
        return _page_json(selected, shown, pager, params, facets)
    twin = _list_twin("Toolbibliotheek", shown, total=len(selected))
    if twin:
        return twin
    categories = m.instances("ToolCategory")
    return render_template(
        "library.html", nav="tools", m=m, tools=shown, pager=pager, facets=facets, params=params,
        categories=categories, aids=m.instances("OtherAid"), breadcrumb=[{"label": "Tools", "url": None}],
    )


@bp.route("/samenwerkingswaaier")
def fan():
    m = state().model
    twin = _list_twin("Samenwerkingswaaier", m.instances("OrganisationType") + m.instances("CollaborationCondition")
                      + m.instances("OrganisationNote") + m.instances("Role") + m.instances("Competency"))
    if twin:
        return twin
    return render_template(
        "fan.html", nav="waaier", m=m,
        organisations=m.instances("OrganisationType"),
        conditions=m.instances("CollaborationCondition"),
        notes=m.instances("OrganisationNote"),
        roles=sorted(m.instances("Role"), key=lambda u: m.label(u).lower()),
        competencies=m.instances("Competency"),
        breadcrumb=[{"label": "Samenwerken", "url": None}],
    )


KNELPUNTEN_PER_DIMENSION = 20  # on the overview; ?dimensie= lists one dimension in pages


@bp.route("/knelpunten")
def knelpunten():
    """All knelpunten by dimension; ?stap= or ?rol= narrows them to those that step or role helps with,
    ?dimensie= to one dimension (paged). The overview shows the first KNELPUNTEN_PER_DIMENSION of each."""
    m = state().model
    dimensions = m.instances("Dimension")
    helper = dimension = None
    for key, segment, cls in (("stap", "stap", "ProcessStep"), ("rol", "rol", "Role")):
        if request.args.get(key):
            helper = uri_for(segment, request.args[key].strip())
            if not m.is_a(helper, cls):
                abort(404)
    if request.args.get("dimensie"):
        dimension = uri_for("dimensie", request.args["dimensie"].strip())
        if not m.is_a(dimension, "Dimension"):
            abort(404)
        dimensions = [dimension]
    by_dimension = {d: m.subjects("tor:dimension", d) for d in dimensions}
    if helper:
        helped = set(m.objects(helper, "tor:addresses"))
        by_dimension = {d: [k for k in ks if k in helped] for d, ks in by_dimension.items()}
    if request.args.get("format") == "json":
        return {
            "dimensions": [
                {"uri": d, "label": m.label(d), "knelpunten": [{"uri": k, "label": m.label(k)} for k in ks]}
                for d, ks in by_dimension.items()
            ]
        }
    twin = _list_twin("Knelpunten", list(dict.fromkeys(k for ks in by_dimension.values() for k in ks)))
    if twin:
        return twin
    pager = None
    if dimension:
        shown, pager = paginate(by_dimension[dimension], PAGE_SIZES["knelpunten"])
        by_dimension = {dimension: shown}
    return render_template(
        "knelpunten.html", nav="knelpunten", m=m, by_dimension=by_dimension, helper=helper, dimension=dimension,
        pager=pager, per_dimension=KNELPUNTEN_PER_DIMENSION,
        narrowed={k: request.args[k].strip() for k in ("stap", "rol") if request.args.get(k)},
        project_types=m.instances("ProjectType"), breadcrumb=[{"label": "Knelpunten", "url": None}],
    )


@bp.route("/casussen")
def cases():
    m = state().model
    props = {"gemeente": "tor:municipality", "cluster": "tor:cluster", "thema": "tor:theme",
             "schaal": "tor:scale", "knelpunt": "tor:reportsKnelpunt", "stap": "steps-of-case"}
    segments = {**{k: k for k in props}, "schaal": "schaal", "stap": "stap"}
    params = {k: request.args.get(k, "").strip() for k in props}
    selected, facets = _faceted("Case", params, props, segments)
    facets = dict(facets)  # the cached dict stays whole
    facets["knelpunt"], knelpunten_capped = _most_frequent(facets["knelpunt"], params["knelpunt"])
    shown, pager = paginate(selected, PAGE_SIZES["cases"])
    if request.args.get("format") == "json":
        return _page_json(selected, shown, pager, params, facets)
    twin = _list_twin("Casussen", shown, total=len(selected))
    if twin:
        return twin
    return render_template(
        "cases.html", nav="casussen", m=m, cases=shown, pager=pager, facets=facets, params=params,
        knelpunten_capped=knelpunten_capped,
        clusters=m.instances("Cluster"), breadcrumb=[{"label": "Casussen", "url": None}],
    )


def similar_cases(uri: str, limit: int = 5) -> list[dict]:
    """Cases ranked by shared knelpunten (3), themes (2) and the same scale (1)."""
    s = state()

    def compute():
        m = s.model
        mine_k = set(m.objects(uri, "tor:reportsKnelpunt"))
        mine_t = set(m.objects(uri, "tor:theme"))
        mine_s = set(m.objects(uri, "tor:scale"))
        ranked = []
        for other in m.instances("Case"):
            if other == uri:
                continue
            shared_k = mine_k & set(m.objects(other, "tor:reportsKnelpunt"))
            shared_t = mine_t & set(m.objects(other, "tor:theme"))
            same_s = mine_s & set(m.objects(other, "tor:scale"))
            score = 3 * len(shared_k) + 2 * len(shared_t) + len(same_s)
            if score:
                ranked.append({"uri": other, "score": score, "knelpunten": sorted(shared_k, key=m.sort_key),
                               "themes": sorted(shared_t, key=m.sort_key), "scale": bool(same_s)})
        ranked.sort(key=lambda r: (-r["score"], m.label(r["uri"]).lower()))
        return ranked[:limit]

    return s.cached(("similar", uri), compute)


def related_tools(tool: str) -> list[str]:
    """Tools the sources relate to this one, then tools recommended in the same steps (most shared first)."""
    s = state()

    def compute():
        m = s.model
        explicit = m.objects(tool, "tor:relatedTool")
        shared = Counter()
        for step in m.objects(tool, "tor:usedInStep"):
            shared.update(t for t in m.objects(step, "tor:relevantTool") if t != tool and m.is_a(t, "Tool"))
        ranked = [t for t, _ in sorted(shared.items(), key=lambda kv: (-kv[1], m.label(kv[0]).lower()))]
        return list(dict.fromkeys(explicit + ranked))[:8]

    return s.cached(("related", tool), compute)


def cases_for_step(step: str) -> list[str]:
    """Cases that went through this step (first), then cases that reported a knelpunt this step addresses."""
    s = state()

    def compute():
        m = s.model
        live = set(m.instances("Case"))  # archived cases stay out of the lists
        direct = [c for c in m.subjects("tor:usedStep", step) if c in live]
        via = {c for k in m.objects(step, "tor:addresses") for c in m.objects(k, "tor:reportedByCase") if c in live}
        ordered = sorted(via - set(direct), key=lambda u: m.label(u).lower())
        return sorted(direct, key=lambda u: m.label(u).lower()) + ordered

    return s.cached(("cases-for-step", step), compute)


def case_steps(case: str) -> list[str]:
    """The steps a case is filed under: those it went through and those that address its knelpunten."""
    m = state().model
    steps = set(m.objects(case, "tor:usedStep"))
    for knelpunt in m.objects(case, "tor:reportsKnelpunt"):
        steps.update(m.subjects("tor:addresses", knelpunt))
    return [st for st in steps if m.is_a(st, "ProcessStep")]


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


# ---------------------------------------------------------------------------
@bp.route("/gids")
def guide():
    """Waar sta ik? Choose a level and step, describe a situation, or pick a knelpunt."""
    s = state()
    m = s.model
    level = request.args.get("niveau", "").strip()
    step = request.args.get("stap", "").strip()
    knelpunt = request.args.get("knelpunt", "").strip()
    situation = request.args.get("situatie", "").strip()[:500]
    chosen = level or step or knelpunt or situation
    ctx = {"nav": "gids", "m": m, "levels": m.instances("Level"), "all_knelpunten": m.instances("Knelpunt"),
           "level": None, "step": None, "knelpunt": None, "situation": situation, "search_hits": [], "answer": None,
           "breadcrumb": [{"label": "Waar sta ik?", "url": url_for("pages.guide") if chosen else None}]}
    if step:
        uri = uri_for("stap", step)
        if not m.is_a(uri, "ProcessStep"):
            abort(404)
        ctx["step"] = uri
        ctx["level"] = m.one(uri, "tor:level")
        ctx["cases"] = cases_for_step(uri)
        ctx["breadcrumb"].append({"label": m.label(uri), "url": None})
    elif level:
        uri = uri_for("niveau", level)
        if not m.is_a(uri, "Level"):
            abort(404)
        ctx["level"] = uri
        ctx["breadcrumb"].append({"label": m.label(uri), "url": None})
    elif knelpunt:
        uri = uri_for("knelpunt", knelpunt)
        if not m.is_a(uri, "Knelpunt"):
            abort(404)
        ctx["knelpunt"] = uri
        ctx["breadcrumb"].append({"label": m.label(uri), "url": None})
    elif situation:
        answer = s.situations.place(situation)
        ctx["answer"] = answer
        if answer.placed:
            ctx["step"] = answer.steps[0].step
            ctx["level"] = answer.steps[0].level
            ctx["cases"] = answer.cases
        shown = {p.step for p in answer.steps}
        hits = s.search.search(situation, limit=12).hits
        ctx["search_hits"] = [h for h in hits if h.uri not in shown and h.type != "stap"][:6]
        ctx["breadcrumb"].append({"label": "Jouw situatie", "url": None})
    if request.args.get("format") == "json":
        return guide_json(ctx)
    return render_template("guide.html", **ctx)


def guide_json(ctx: dict) -> dict:
    m = ctx["m"]
    step = ctx.get("step")
    answer = ctx.get("answer")
    if answer is not None:
        return situation_json(m, answer)
    out = {"level": ctx.get("level"), "step": step, "knelpunt": ctx.get("knelpunt")}
    if step:
        out["next"] = m.objects(step, "tor:nextStep") + m.objects(step, "tor:narrowerStep")
        out["checklist"] = m.objects(step, "tor:transitionChecklist")
        out["tools"] = [
            {"uri": m.one(r, "tor:recommendedTool"), "reason": m.text(r, "tor:reason")}
            for r in m.objects(step, "tor:toolRecommendation")
        ]
        out["roles"] = m.objects(step, "tor:involvesRole")
        out["cases"] = ctx.get("cases", [])
    if ctx.get("knelpunt"):
        k = ctx["knelpunt"]
        out["remedies"] = [
            {"uri": m.one(r, "tor:remedyBy"), "reason": m.text(r, "tor:reason")} for r in m.objects(k, "tor:remedy")
        ]
        out["cases"] = [c for c in m.objects(k, "tor:reportedByCase") if not m.is_archived(c)]
    return out

