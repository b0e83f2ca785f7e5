"""The list pages with filters and paging: the tool library, the collaboration fan, knelpunten and cases.

Their routes are on the `pages` blueprint (webapp.pages), so the endpoint names stay `pages.*`.
"""

from __future__ import annotations

from collections import Counter

from flask import abort, render_template, request

from webapp.pages.paging import paginate
from webapp.pages.related import case_steps
from webapp.pages.views import _doc, _list_twin, bp, uri_for
from webapp.state import state


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


def _keep_chosen(facets: dict, params: dict[str, str], segments: dict[str, str]) -> dict:
    """A chosen option stays in the form (with count 0) when the other choices leave nothing for it,
    so that a combination without results still shows what was chosen."""
    m = state().model
    out = dict(facets)  # the cached dict stays whole
    for key, slug in params.items():
        if slug and not any(o["slug"] == slug for o in out[key]):
            uri = uri_for(segments[key], slug)
            if m.exists(uri):
                chosen = {"slug": slug, "label": m.label(uri), "count": 0, "sort": m.sort_key(uri)}
                out[key] = sorted([*out[key], chosen], key=lambda o: o["sort"])
    return out


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
    facets = _keep_chosen(facets, params, segments)
    shown, pager = paginate(selected, PAGE_SIZES["tools"])
    if request.args.get("format") == "json":
        return _page_json(selected, shown, pager, params, facets)
    twin = _list_twin("Toolbibliotheek", shown, total=len(selected))
    if twin:
        return twin
    categories = m.instances("ToolCategory")
    return render_template(
        "pages/library.html", nav="tools", m=m, tools=shown, pager=pager, facets=facets, params=params,
        categories=categories, aids=m.instances("OtherAid"), breadcrumb=[{"label": "Tools", "url": None}],
    )


FAN_GROUPS = {"organisatietypen": "OrganisationType", "randvoorwaarden": "CollaborationCondition",
              "notities": "OrganisationNote", "rollen": "Role", "competenties": "Competency"}


@bp.route("/samenwerkingswaaier")
def fan():
    m = state().model
    if request.args.get("format") == "json":  # like the other lists: the things on the page, per group
        return {group: [{"uri": u, "label": m.label(u), "url": _doc(u)} for u in m.instances(cls)]
                for group, cls in FAN_GROUPS.items()}
    twin = _list_twin("Samenwerkingswaaier", m.instances("OrganisationType") + m.instances("CollaborationCondition")
                      + m.instances("OrganisationNote") + m.instances("Role") + m.instances("Competency"))
    if twin:
        return twin
    return render_template(
        "pages/fan.html", nav="waaier", m=m,
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
        "pages/knelpunten.html", nav="knelpunten", m=m, by_dimension=by_dimension, helper=helper, dimension=dimension,
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
    facets = _keep_chosen(facets, params, segments)
    facets["knelpunt"], knelpunten_capped = _most_frequent(facets["knelpunt"], params["knelpunt"])
    shown, pager = paginate(selected, PAGE_SIZES["cases"])
    if request.args.get("format") == "json":
        return _page_json(selected, shown, pager, params, facets)
    twin = _list_twin("Casussen", shown, total=len(selected))
    if twin:
        return twin
    return render_template(
        "pages/cases.html", nav="casussen", m=m, cases=shown, pager=pager, facets=facets, params=params,
        knelpunten_capped=knelpunten_capped,
        clusters=m.instances("Cluster"), breadcrumb=[{"label": "Casussen", "url": None}],
    )


