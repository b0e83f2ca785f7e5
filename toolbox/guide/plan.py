""""Mijn aanpak": a plan put together from the guide's answer or a step page, carried by its own link.

The plan is not stored anywhere: the link holds it (`stap`, `tool`, `rol`, `knelpunt` as slugs,
`v` as ticked checklist items "checklist:order", `notitie`, `titel`), so it can be shared, read
without JavaScript and kept in the browser. `read_plan` checks every part against the graph and
refuses what is unknown (404) or too long (400) with a Dutch message; ticks that are not questions
of the plan's steps are left out. `plan_markdown` and `plan_csv` export it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from toolbox.graph.model import GraphModel

MAX_ITEMS = 40  # per kind: a plan, not the whole toolbox
MAX_NOTE = 2000
MAX_TITLE = 120
KINDS = (("stap", "ProcessStep"), ("tool", "Tool"), ("rol", "Role"), ("knelpunt", "Knelpunt"))


class PlanError(ValueError):
    """A plan link that cannot be read: the message says what is wrong, in Dutch; `status` is 404 for
    a thing that does not exist (as everywhere on the site), 400 for too much or too long."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Plan:
    title: str = ""
    steps: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    knelpunten: list[str] = field(default_factory=list)
    ticked: set[str] = field(default_factory=set)  # "checklist-slug:order"
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.steps or self.tools or self.roles or self.knelpunten or self.note)

    def params(self, m: GraphModel) -> list[tuple[str, str]]:
        """The plan as query parameters, in a stable order (the link that carries it)."""
        out: list[tuple[str, str]] = [("titel", self.title)] if self.title else []
        for name, uris in (("stap", self.steps), ("tool", self.tools), ("rol", self.roles),
                           ("knelpunt", self.knelpunten)):
            out += [(name, m.slug(u)) for u in uris]
        out += [("v", v) for v in sorted(self.ticked)]
        return out + ([("notitie", self.note)] if self.note else [])


def read_plan(m: GraphModel, args) -> Plan:
    """A Plan from request arguments (anything with getlist/get); PlanError on unknown or too much."""
    plan = Plan(title=(args.get("titel") or "").strip(), note=(args.get("notitie") or "").strip())
    if len(plan.title) > MAX_TITLE:
        raise PlanError(f"De titel is te lang ({len(plan.title)} tekens; maximaal {MAX_TITLE}).")
    if len(plan.note) > MAX_NOTE:
        raise PlanError(f"De notitie is te lang ({len(plan.note)} tekens; maximaal {MAX_NOTE}).")
    found: dict[str, list[str]] = {}
    for name, cls in KINDS:  # the URI of a thing is {base}/id/{type}/{slug}
        slugs = list(dict.fromkeys(s.strip() for s in args.getlist(name) if s.strip()))
        if len(slugs) > MAX_ITEMS:
            raise PlanError(f"Te veel waarden voor ‘{name}’ ({len(slugs)}; maximaal {MAX_ITEMS}).")
        uris = {s: f"{m.base}/id/{name}/{s}" for s in slugs}
        unknown = [s for s, u in uris.items() if not m.is_a(u, cls) or m.is_archived(u)]
        if unknown:
            raise PlanError(f"Onbekende {name} in de link: {', '.join(unknown[:5])}.", status=404)
        found[name] = list(uris.values())
    plan.steps = sorted(found["stap"], key=m.sort_key)
    plan.tools, plan.roles, plan.knelpunten = found["tool"], found["rol"], found["knelpunt"]
    allowed = {f"{m.slug(c)}:{m.order(i)}" for c in (step_checklist(m, s) for s in plan.steps) if c
               for i in m.objects(c, "tor:item")}
    # Ticks are switches, as on a checklist page: one that is not a question of the plan's steps
    # (a step taken out, or a mistyped link) is left out, not refused.
    plan.ticked = {v.strip() for v in args.getlist("v")} & allowed
    return plan


def step_checklist(m: GraphModel, step: str) -> str | None:
    """The checklist a step is finished with: its own, or that of its first sub-phase."""
    found = m.one(step, "tor:transitionChecklist")
    for narrower in m.objects(step, "tor:narrowerStep") if found is None else ():
        found = m.one(narrower, "tor:transitionChecklist")
        if found:
            break
    return found


def checklist_rows(m: GraphModel, plan: Plan, step: str) -> list[tuple[str, str, bool]]:
    """(value, question, ticked) for the checklist of a step in the plan."""
    checklist = step_checklist(m, step)
    if not checklist:
        return []
    rows = []
    for item in m.objects(checklist, "tor:item"):
        value = f"{m.slug(checklist)}:{m.order(item)}"
        rows.append((value, m.label(item), value in plan.ticked))
    return rows


def plan_markdown(m: GraphModel, plan: Plan, link: str) -> str:
    """The plan as a Markdown document: steps with their checklist, tools, roles, knelpunten, notes."""
    lines = [f"# {plan.title or 'Mijn aanpak'}", "", f"Link naar dit plan: {link}", ""]
    if plan.steps:
        lines += ["## Stappen", ""]
        for step in plan.steps:
            lines += [f"### {m.label(step)}", ""]
            if goal := m.text(step, "tor:goal"):
                lines += [f"Doel: {goal}", ""]
            rows = checklist_rows(m, plan, step)
            lines += [f"- [{'x' if done else ' '}] {question}" for _, question, done in rows]
            lines += [""] if rows else []
    for heading, uris, text_prop in (("Tools", plan.tools, "tor:blurb"), ("Rollen om te betrekken", plan.roles, None),
                                     ("Knelpunten om op te letten", plan.knelpunten, None)):
        if uris:
            lines += [f"## {heading}", ""]
            for uri in uris:
                text = m.text(uri, text_prop) if text_prop else None
                lines.append(f"- {m.label(uri)}" + (f": {text}" if text else ""))
                if heading.startswith("Knelpunten"):
                    helps = [m.one(r, "tor:remedyBy") for r in m.objects(uri, "tor:remedy")]
                    lines += [f"  - Wat helpt: {m.label(h)}" for h in helps if h][:3]
            lines.append("")
    if plan.note:
        lines += ["## Notities", "", plan.note, ""]
    return "\n".join(lines)


def plan_csv(m: GraphModel, plan: Plan) -> str:
    """The plan as CSV, one row per thing: soort, stap, naam, afgevinkt."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["soort", "stap", "naam", "afgevinkt"])
    for step in plan.steps:
        writer.writerow(["stap", m.label(step), m.label(step), ""])
        for _, question, done in checklist_rows(m, plan, step):
            writer.writerow(["checklistvraag", m.label(step), question, "ja" if done else "nee"])
    for kind, uris in (("tool", plan.tools), ("rol", plan.roles), ("knelpunt", plan.knelpunten)):
        for uri in uris:
            writer.writerow([kind, "", m.label(uri), ""])
    if plan.note:
        writer.writerow(["notitie", "", _cell(plan.note), ""])
    return out.getvalue()


def _cell(text: str) -> str:
    """Own text in a CSV cell that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
