"""What goes next to the step a situation was placed on, ranked by both the step and the situation.

The step's own tools, knelpunten, cases and roles come first because the sources link them to the
step; among them, those that share meaningful words with the situation go up. A thing linked to
another step only shows when the situation itself points to it with two or more meaningful words
(a knelpunt always needs two: one shared word is a coincidence). Every item carries its reason in
plain Dutch, so the page can say why it is there: "Aanbevolen bij deze stap; je noemt ‘bestek’."
Also the process around the step: what comes next, the first step of a level, the checklist.
"""

from __future__ import annotations

from toolbox.graph.model import ALT_LABEL, GraphModel
from toolbox.guide.aids import recommended_tools
from toolbox.guide.phases import SETTING
from toolbox.guide.profiles import Concept, StemBags, stem_set
from toolbox.guide.reasons import meaningful, quoted
from toolbox.search.dutch import stem

STEP_BONUS = 1.5  # a knelpunt this step helps against, against one it does not
MIN_MATCH = 1.6  # the least idf sum for a case or knelpunt of another step to be shown
# Words of setting (toolbox.guide.phases.SETTING) say where, not what goes wrong: towards the two
# words a knelpunt needs they count half ("de straat" and "open" is not yet a knelpunt).
TOOL_MATCH = 4.0  # the same for a tool of another step (tool texts are long and share many words)


class Surroundings:
    """Stem bags of tools, knelpunten, cases and roles (shared across twins at 100x content)."""

    def __init__(self, model: GraphModel, previous: Surroundings | None = None, changed: set[str] | None = None):
        m = self.m = model

        def bags(kind: str, name: str, texts_of) -> StemBags:
            return StemBags(m, m.instances(kind), texts_of, previous and getattr(previous, name), changed)

        self.cases = bags("Case", "cases", lambda r, c: [r.label(c), r.text(c, "dcterms:abstract"),
                                                         *(r.label(t) for t in r.objects(c, "tor:theme"))])
        self.knelpunten = bags("Knelpunt", "knelpunten", lambda r, k: [r.label(k), r.text(k, "dcterms:description")])
        self.tools = bags("Tool", "tools", lambda r, t: [r.label(t), r.text(t, "tor:blurb"), r.text(t, "tor:summary"),
                                                         *r.texts(t, ALT_LABEL)])
        self.roles = bags("Role", "roles", lambda r, x: [r.label(x), *r.texts(x, ALT_LABEL)])

    def known_terms(self) -> set[str]:
        return set(self.cases.idf) | set(self.knelpunten.idf) | set(self.tools.idf) | set(self.roles.idf)

    # -- the process around a step ---------------------------------------------------
    def next_steps(self, step: str) -> list[dict]:
        """What comes after a step: its next step, its first sub-phase, the next step of the group
        it belongs to, or else the first step on the next level."""
        m = self.m
        nxt = [{"uri": n, "relation": "volgende stap"} for n in m.objects(step, "tor:nextStep")]
        if not nxt:
            nxt = [{"uri": n, "relation": "eerste fase"} for n in m.objects(step, "tor:narrowerStep")[:1]]
        if not nxt:
            for broader in m.objects(step, "tor:broaderStep"):
                nxt = [{"uri": n, "relation": "volgende stap"} for n in m.objects(broader, "tor:nextStep")]
        if not nxt:
            level = m.one(step, "tor:level")
            levels = m.instances("Level")
            for lv in levels[levels.index(level) + 1:] if level in levels else []:
                first = self.first_step(lv)
                if first:
                    nxt = [{"uri": first, "relation": "eerste stap op het volgende niveau"}]
                    break
        return nxt

    def first_step(self, level: str) -> str | None:
        """The first step you take on a level (a phase, not the group it belongs to)."""
        steps = [s for s in self.m.subjects("tor:level", level) if not self.m.objects(s, "tor:narrowerStep")]
        return steps[0] if steps else None

    def checklist(self, step: str) -> str | None:
        """The step's own transition checklist, or that of its first sub-phase."""
        found = self.m.one(step, "tor:transitionChecklist")
        for narrower in self.m.objects(step, "tor:narrowerStep") if found is None else ():
            found = self.m.one(narrower, "tor:transitionChecklist")
            if found:
                break
        return found

    # -- things next to the step, with reasons ---------------------------------------------
    def tool_list(self, step: str, concepts: list[Concept], others: int = 2) -> list[dict]:
        """The step's recommended tools, those that fit the situation first; then at most `others`
        tools recommended elsewhere that the situation points to with two or more words."""
        m = self.m
        ranked = self.tools.score(concepts)  # words made meaningful only where they are used
        matched = {uri: (score, said) for score, uri, said in ranked}
        own = []
        for n, (tool, why) in enumerate(recommended_tools(m, step)):
            score, said = matched.get(tool, (0.0, []))
            in_reason = _said_in(concepts, why)  # the reason it is recommended here counts double
            score += 2 * len(in_reason)
            said = meaningful(in_reason + said)
            own.append((-score, n, {"uri": tool, "reason": why, "matches": said[:3], "relation": "step",
                                    "why": _own_reason("Aanbevolen bij deze stap", said)}))
        out = [item for *_, item in sorted(own, key=lambda x: x[:2])]
        seen = {item["uri"] for item in out}
        for score, tool, said in ranked:
            if len(out) - len(own) >= others or score < TOOL_MATCH:
                break
            said = meaningful(said)
            if tool in seen or _weight(said) < 2:
                continue
            at = [s for s in m.subjects("tor:recommendedTool", tool)]
            steps = [s for rec in at for s in m.subjects("tor:toolRecommendation", rec)]
            where = f"aanbevolen bij {m.label(steps[0])}, niet bij deze stap" if steps else \
                "de bronnen koppelen deze tool niet aan een stap"
            out.append({"uri": tool, "reason": m.text(tool, "tor:blurb"), "matches": said[:3], "relation": "other",
                        "why": f"Je noemt {quoted(said[:3])}; {where}."})
        return out

    def knelpunt_list(self, step: str, concepts: list[Concept], limit: int = 3) -> list[dict]:
        """Knelpunten the situation shares two or more meaningful words with (a knelpunt this step helps
        against needs one, the link being the other), ranked with STEP_BONUS for those; each with
        what helps, this step's remedy first."""
        m = self.m
        linked = set(m.objects(step, "tor:addresses")) | {
            k for r in m.subjects("tor:remedyBy", step) for k in m.subjects("tor:remedy", r)}
        ranked = sorted(((score * (STEP_BONUS if uri in linked else 1.0), uri, said)
                         for score, uri, said in self.knelpunten.score(concepts)), key=lambda x: (-x[0], x[1]))
        out: list[dict] = []
        best = 0.0
        for score, uri, said in ranked:  # best first; the words are checked only as far as needed
            if len(out) == limit or score < max(MIN_MATCH, 0.5 * best):
                break
            said = meaningful(said)
            if not said or _weight(said) + (uri in linked) < 2 or m.is_archived(uri):
                continue
            best = best or score
            remedies = [{"uri": m.one(r, "tor:remedyBy"), "reason": m.text(r, "tor:reason")}
                        for r in m.objects(uri, "tor:remedy") if m.one(r, "tor:remedyBy")]
            remedies.sort(key=lambda r: r["uri"] != step)
            tail = "; deze stap helpt ertegen." if uri in linked else "."
            out.append({"uri": uri, "reason": f"Je noemt {quoted(said[:3])}{tail}", "remedies": remedies,
                        "matches": said[:3], "relation": "step" if uri in linked else "other"})
        return out

    def case_list(self, step: str, concepts: list[Concept], limit: int = 5) -> list[dict]:
        """Cases of this step, closest to the situation first; one close case of another step after them."""
        m = self.m
        linked = {c for c in m.subjects("tor:usedStep", step) if not m.is_archived(c)}
        ranked = self.cases.score(concepts)
        matched = {uri: (score, said) for score, uri, said in ranked}
        own = sorted(linked, key=lambda c: (-matched.get(c, (0.0, []))[0], m.sort_key(c)))[:limit]
        items = [{"uri": c, "reason": _own_reason("Volgde deze stap", meaningful(matched.get(c, (0.0, []))[1])),
                  "relation": "step"} for c in own]
        other = None
        for score, case, said in ranked:
            if score < MIN_MATCH:
                break
            said = meaningful(said) if case not in linked else []
            if len(said) >= 2 and not m.is_archived(case):
                other = {"uri": case, "relation": "other",
                         "reason": f"Lijkt op je situatie: je noemt {quoted(said[:3])}."}
                break
        return (items[:limit - 1] + ([other] if other else []) + items[limit - 1:])[:limit]

    def role_list(self, step: str, concepts: list[Concept]) -> list[dict]:
        """The step's roles, those the situation names first; then roles it names that the step does not."""
        m = self.m
        named = {uri: meaningful(said) for _, uri, said in self.roles.score(concepts)}
        own = m.objects(step, "tor:involvesRole")
        items = sorted(({"uri": r, "reason": _own_reason("Betrokken bij deze stap", named.get(r, [])),
                         "relation": "step"} for r in own), key=lambda x: not named.get(x["uri"]))
        for role, said in named.items():
            if role not in own and said:
                items.append({"uri": role, "reason": f"Je noemt {quoted(said[:2])}; de bronnen noemen deze rol niet "
                              "bij deze stap.", "relation": "other"})
        return items


def _weight(said: list[str]) -> float:
    """How much a set of shared words says: a word of scale or setting counts half."""
    return sum(0.5 if stem(w) in SETTING else 1.0 for w in said)


def _said_in(concepts: list[Concept], text: str | None) -> list[str]:
    """The situation's words that a text uses."""
    stems = stem_set(text or "")
    return [c.word.split(":")[0] for c in concepts if any(t in stems for t, _ in c.terms)]


def _own_reason(base: str, said: list[str]) -> str:
    return f"{base}; je noemt {quoted(said[:3])}." if said else f"{base}."
