""""Mijn aanpak" (/aanpak): a plan carried by its own link, read without JavaScript, exported as
Markdown, CSV or JSON. Nothing is stored on the server; see toolbox.guide.plan."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, render_template, request, url_for

from toolbox.guide.plan import PlanError, checklist_rows, plan_csv, plan_markdown, read_plan, step_checklist
from webapp.errors import Refusal
from webapp.filters import doc_url
from webapp.pages.views import bp
from webapp.state import state


def plan_link(m, plan, external: bool = False) -> str:
    """The link that carries a plan."""
    base = url_for("pages.plan", _external=external)
    params = plan.params(m)
    return f"{base}?{urlencode(params)}" if params else base


@bp.route("/aanpak")
def plan():
    """Show, update or export a plan; every part of it comes from the link."""
    m = state().model
    try:
        current = read_plan(m, request.args)
    except PlanError as exc:
        raise Refusal(exc.status, f"Deze link naar een aanpak klopt niet: {exc}") from exc
    fmt = request.args.get("format")
    slug = "mijn-aanpak"
    if fmt == "md":
        return Response(plan_markdown(m, current, plan_link(m, current, external=True)), mimetype="text/markdown",
                        headers={"Content-Disposition": f'attachment; filename="{slug}.md"'})
    if fmt == "csv":
        return Response(plan_csv(m, current), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'})
    if fmt == "json":
        return plan_json(m, current)
    rows = {step: checklist_rows(m, current, step) for step in current.steps}
    return render_template("pages/plan.html", nav="gids", m=m, plan=current, rows=rows,
                           checklists={s: step_checklist(m, s) for s in current.steps},
                           link=plan_link(m, current), steps=m.instances("ProcessStep"),
                           breadcrumb=[{"label": "Waar sta ik?", "url": url_for("pages.guide")},
                                       {"label": "Mijn aanpak", "url": None}])


def plan_json(m, current) -> dict:
    def ref(uri):
        return {"uri": uri, "label": m.label(uri), "url": doc_url(uri)}

    return {"title": current.title, "link": plan_link(m, current),
            "steps": [dict(ref(s), checklist=[{"value": v, "question": q, "ticked": t}
                                              for v, q, t in checklist_rows(m, current, s)]) for s in current.steps],
            "tools": [ref(t) for t in current.tools], "roles": [ref(r) for r in current.roles],
            "knelpunten": [ref(k) for k in current.knelpunten], "note": current.note}
