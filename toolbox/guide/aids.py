"""What helps at a step when the sources recommend no tool there: never a dead end.

Visievorming and Uitvoering en gebruik have no tool recommendations in the sources. They do have
other aids, guiding questions, tips, a checklist, and neighbours whose tools often carry over
(or, when no neighbour has tools, the tools suited to the step's level).
`step_aids` gathers these in groups, each with a heading that says what it is, so that a page
shows "Geen tools bij deze stap; dit helpt wel" instead of an empty list. The neighbours' tools
are labelled with the step they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolbox.graph.model import GraphModel


@dataclass
class AidGroup:
    """One group of help: a heading in plain Dutch and the things in it (uri, and why)."""

    kind: str  # "aid", "tool", "question", "tip", "checklist", "neighbour-tool", "level-tool"
    heading: str
    items: list[dict] = field(default_factory=list)  # {"uri", "reason"}


def recommended_tools(model: GraphModel, step: str) -> list[tuple[str, str | None]]:
    """The tools the sources recommend at a step, with their reason."""
    out = []
    for rec in model.objects(step, "tor:toolRecommendation"):
        tool = model.one(rec, "tor:recommendedTool")
        if tool:
            out.append((tool, model.text(rec, "tor:reason")))
    return out


def neighbours(model: GraphModel, step: str) -> list[tuple[str, str]]:
    """The steps next to this one, nearest first: (uri, "vorige stap" | "volgende stap" | "hoofdstap")."""
    out: list[tuple[str, str]] = []
    for prev in model.subjects("tor:nextStep", step):
        out.append((prev, "vorige stap"))
    for nxt in model.objects(step, "tor:nextStep"):
        out.append((nxt, "volgende stap"))
    for broader in model.objects(step, "tor:broaderStep"):
        out.append((broader, "hoofdstap"))
    return out


def step_aids(model: GraphModel, step: str, most_per_group: int = 5) -> list[AidGroup]:
    """Help at a step without tool recommendations; [] when the step has its own tools."""
    if recommended_tools(model, step):
        return []
    groups: list[AidGroup] = []
    aids = [{"uri": a, "reason": model.text(a, "dcterms:description")} for a in model.objects(step, "tor:otherAid")]
    if aids:
        groups.append(AidGroup("aid", "Hulpmiddelen die de bronnen bij deze stap noemen", aids))
    tools = [{"uri": t, "reason": model.text(t, "tor:summary")} for t in model.objects(step, "tor:relevantTool")]
    if tools:
        groups.append(AidGroup("tool", "Tools die bij deze stap genoemd worden", tools))
    checklist = model.objects(step, "tor:transitionChecklist")
    if checklist:
        groups.append(AidGroup("checklist", "Checklist om de stap mee af te ronden",
                               [{"uri": c, "reason": None} for c in checklist]))
    questions = [{"uri": q, "reason": None} for q in model.objects(step, "tor:guidingQuestion")]
    if questions:
        groups.append(AidGroup("question", "Vragen om mee te beginnen", questions))
    tips = [{"uri": t, "reason": model.text(t, "dcterms:description")} for t in model.objects(step, "tor:tip")]
    if tips:
        groups.append(AidGroup("tip", "Tips bij deze stap", tips))
    for neighbour, relation in neighbours(model, step):
        recs = recommended_tools(model, neighbour)
        if recs:
            groups.append(AidGroup("neighbour-tool", f"Tools van de {relation}, {model.label(neighbour)}",
                                   [{"uri": t, "reason": r, "step": neighbour} for t, r in recs]))
            break  # the nearest neighbour with tools is enough
    else:  # no neighbour has tools either: the tools suited to the step's level
        level = model.one(step, "tor:level")
        suited = [t for t in model.subjects("tor:suitableLevel", level) if model.is_a(t, "Tool")] if level else []
        if suited:
            groups.append(AidGroup("level-tool", f"Tools die passen bij het {model.label(level).lower()} "
                                   "(niet bij deze stap genoemd)",
                                   [{"uri": t, "reason": model.text(t, "tor:blurb")} for t in suited]))
    for group in groups:
        group.items = group.items[:most_per_group]
    return groups
