"""The guide "Waar sta ik?" (/gids) and its JSON twin, on the `pages` blueprint (endpoint `pages.guide`)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from toolbox.guide.aids import recommended_tools, step_aids
from toolbox.guide.plan import Plan
from toolbox.guide.questions import parse_choice
from toolbox.guide.reasons import says_something
from webapp.errors import Refusal
from webapp.pages.plan import plan_link
from webapp.pages.related import cases_for_step
from webapp.pages.situations import aid_group_json, situation_json
from webapp.pages.views import bp, uri_for
from webapp.state import state

# Shown when a description is empty or says too little: what a useful one looks like.
EXAMPLES = (
    "We willen de riolering in onze straat vervangen en meteen vergroenen, het ontwerp moet nog beginnen",
    "Welke wijken pakken we de komende tien jaar als eerste aan?",
    "Het bestek moet de deur uit, maar de nutsbedrijven hebben hun planning nog niet gedeeld",
)
EMPTY = "Beschrijf je situatie in een paar woorden: wat je wilt bereiken, waar, wie er meedoen en hoe ver je bent."


@bp.route("/gids")
def guide():
    """Waar sta ik? Choose a level and step, describe a situation, or pick a knelpunt."""
    s = state()
    m = s.model
    level = request.args.get("niveau", "").strip()
    step = request.args.get("stap", "").strip()
    knelpunt = request.args.get("knelpunt", "").strip()
    situation = request.args.get("situatie", "").strip()[:500]
    empty_submit = "situatie" in request.args and not says_something(situation) and not (level or step or knelpunt)
    chosen = level or step or knelpunt or situation or empty_submit
    ctx = {"nav": "gids", "m": m, "levels": m.instances("Level"), "all_knelpunten": m.instances("Knelpunt"),
           "level": None, "step": None, "knelpunt": None, "situation": situation, "search_hits": [], "answer": None,
           "empty_submit": empty_submit, "examples": EXAMPLES, "aids": [],
           "breadcrumb": [{"label": "Waar sta ik?", "url": url_for("pages.guide") if chosen else None}]}
    if empty_submit:  # nothing to place: say what to write, with examples (free text: 200, as in search)
        if request.args.get("format") == "json":
            return {"situation": situation, "placed": False, "steps": [], "message": EMPTY, "examples": list(EXAMPLES)}
        return render_template("pages/guide.html", **ctx)
    if step:
        uri = uri_for("stap", step)
        if not m.is_a(uri, "ProcessStep"):
            abort(404)
        ctx["step"] = uri
        ctx["level"] = m.one(uri, "tor:level")
        ctx["cases"] = cases_for_step(uri)
        ctx["aids"] = step_aids(m, uri)
        ctx["plan_url"] = plan_link(m, plan_from_step(m, s.situations, uri))
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
        try:
            choice = parse_choice(m, request.args.get("keuze", "").strip())
        except ValueError as exc:
            raise Refusal(400, f"De keuze klopt niet: {exc}. Kies een van de antwoorden onder de vraag.",
                          parameter="keuze") from exc
        answer = s.situations.place(situation, choice=choice)
        ctx["answer"] = answer
        if answer.placed:
            ctx["step"] = answer.steps[0].step
            ctx["level"] = answer.steps[0].level
        else:  # nothing to place it on: what search finds may still help
            ctx["search_hits"] = s.search.search(situation, limit=6, snippets=False).hits
        ctx["breadcrumb"].append({"label": "Jouw situatie", "url": None})
    if request.args.get("format") == "json":
        return guide_json(ctx)
    return render_template("pages/guide.html", **ctx)


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
        out["aids"] = [aid_group_json(m, g) for g in step_aids(m, step)]
        out["roles"] = m.objects(step, "tor:involvesRole")
        out["cases"] = ctx.get("cases", [])
    if ctx.get("knelpunt"):
        k = ctx["knelpunt"]
        out["remedies"] = [
            {"uri": m.one(r, "tor:remedyBy"), "reason": m.text(r, "tor:reason")} for r in m.objects(k, "tor:remedy")
        ]
        out["cases"] = [c for c in m.objects(k, "tor:reportedByCase") if not m.is_archived(c)]
    return out



def plan_from_step(m, ranker, step: str) -> Plan:
    """A plan that starts at a step: it and the steps after it, its recommended tools and its roles."""
    steps = [step] + [n["uri"] for n in ranker.next_steps(step)]
    return Plan(steps=steps, tools=[t for t, _ in recommended_tools(m, step)][:5],
                roles=m.objects(step, "tor:involvesRole"))
