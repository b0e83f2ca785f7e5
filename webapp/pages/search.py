"""Search page and its JSON twin (same order of results)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from toolbox.search.searching import TYPE_LABELS
from webapp.filters import doc_url, prefers_over_html
from webapp.pages.paging import page_number, pager
from webapp.pages.situations import is_sentence, situation_json
from webapp.state import state

bp = Blueprint("search", __name__)

PAGE_SIZE = 20
SUGGESTED = ["opdrachtformulering", "ambitieweb", "participatie", "knelpunten financiering", "checklist richting DO"]


def _wants_json() -> bool:
    return request.args.get("format") == "json" or prefers_over_html("application/json")


@bp.route("/zoeken")
def search():
    s = state()
    q = request.args.get("q", "").strip()
    type_ = request.args.get("type") or None
    level = request.args.get("niveau") or None
    category = request.args.get("categorie") or None
    page = page_number()
    result = s.search.search(q, type=type_, level=level, category=category, limit=PAGE_SIZE,
                             offset=(page - 1) * PAGE_SIZE)
    info = pager(result.total, page, PAGE_SIZE)
    # A described situation also gets "bij jouw situatie" above the list (first page, unfiltered).
    answer = s.situations.place(q) if is_sentence(q) and page == 1 and not (type_ or level or category) else None
    if answer is not None and not answer.placed:
        answer = None
    if _wants_json():
        return {
            "query": result.query,
            "total": result.total,
            "page": info["page"],
            "pages": info["pages"],
            "next": info["next"],
            "results": [
                {"uri": h.uri, "type": h.type, "label": h.label, "snippet": h.snippet, "score": h.score,
                 "url": doc_url(h.uri)}
                for h in result.hits
            ],
            "facets": result.facets,
            "suggestions": result.suggestions,
            "situation": situation_json(s.model, answer) if answer else None,
        }
    return render_template(
        "pages/search.html", nav="zoeken", result=result, pager=info, q=q, type=type_, level=level, category=category,
        m=s.model, suggested=SUGGESTED, answer=answer, type_labels=TYPE_LABELS,
        breadcrumb=[{"label": "Zoeken", "url": None}],
    )
