"""Places a situation described in Dutch on the process: level, step(s), why, and what comes next.

"We willen riolering vervangen en tegelijk vergroenen" names no step. The graph still knows
where it belongs: the words come back in a step's own texts, sub-steps and checks, and in the
themes, knelpunten, tools and cases linked to it. Each step gets a profile of those words
(own texts weigh most, linked things less, many linked cases together no more than a few), and
the situation is scored against the profiles with BM25 (toolbox.profiles). Words such as
"wijk", "stadsbreed" or "aannemer" point to a level (their labels and skos:hiddenLabel in
content/), and everyday phrasings kept as skos:hiddenLabel on steps ("we schrijven de
opdracht") count as phrases. Built per content version from the GraphModel, keeping what a save
left alone (toolbox.guide.step_profiles); no web here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolbox.graph.model import ALT_LABEL, PREF_LABEL, GraphModel
from toolbox.guide.aids import AidGroup, step_aids
from toolbox.guide.grams import GramIndex
from toolbox.guide.phases import SETTING, finished_parts, scale_cues, starting
from toolbox.guide.profiles import Concept, Match, Profile, ProfileIndex, Scored, concepts_for, synonym_groups
from toolbox.guide.questions import Question, clarify
from toolbox.guide.reasons import Explainer
from toolbox.guide.related import Surroundings
from toolbox.guide.step_profiles import level_profile, own_words, step_profile
from toolbox.search.dutch import Vocabulary

LEVEL_WEIGHT = 0.8  # how much a level named in the situation lifts that level's steps
DONE_SHIFT = 0.6  # share of the best score that "X is af" gives to the step after X
START_WEIGHT = 1.0  # share of the best score that "we beginnen net" gives to a level's first step
SHOWN_SHARE = 0.45  # a second or third step is shown when it scores at least this share of the first
SYNONYM_KINDS = ("OrganisationType", "Role", "Theme", "Tool", "ProcessStep")  # whose one-word names are synonyms
CUE_WEIGHT = 1.0  # a phrase of time or scale ("de komende tien jaar") against the strongest level word
PART_SHARE = 0.4  # how much a part of one of the graph's compounds counts, against the whole
SETTING_SHARE = 0.5  # a word of place ("wijk", "straat") says which level, hardly which step there
GRAM_WEIGHT = 1.0  # letter likeness (toolbox.guide.grams) adds up to this share of the best score
MIN_SCORE = 0.8  # below this the situation says too little to place it

@dataclass
class Placement:
    """One step the situation probably belongs to."""

    step: str
    level: str | None
    score: float
    share: float  # of the summed score of the steps shown
    reason: str
    matches: list[Match] = field(default_factory=list)


@dataclass
class Situation:
    """The answer for one described situation; steps[0] carries the details."""

    text: str
    steps: list[Placement]
    ranking: list[tuple[str, float]]  # every step that scored, best first (for evaluation)
    level: str | None = None
    level_reason: str = ""
    next_steps: list[dict] = field(default_factory=list)  # {"uri", "relation"}
    checklist: str | None = None
    checks: list[str] = field(default_factory=list)
    tools: list[dict] = field(default_factory=list)  # {"uri", "reason", "matches", "relation", "why"}
    roles: list[dict] = field(default_factory=list)  # {"uri", "reason", "relation"}
    cases: list[dict] = field(default_factory=list)  # {"uri", "reason", "relation"}
    knelpunten: list[dict] = field(default_factory=list)  # {"uri", "reason", "remedies": [{"uri", "reason"}]}
    aids: list[AidGroup] = field(default_factory=list)  # what helps when the step has no tools
    question: Question | None = None  # asked when the first steps are close or the level unclear
    choice: tuple[str, str] | None = None  # the answer given to such a question ("level"|"step", uri)

    @property
    def placed(self) -> bool:
        return bool(self.steps)


class SituationRanker:
    """Weighted profiles of the steps and levels; plain stem sets of cases and knelpunten (shared
    between things with the same text, so 100x content with twins costs little memory)."""

    def __init__(self, model: GraphModel, previous: SituationRanker | None = None,
                 changed: set[tuple[str, str]] | None = None):
        """With the ranker of the previous content version and the statements a save changed (see
        toolbox.guide.reads), every step profile and stem bag that read none of them is kept."""
        self.m = model
        self.explain = Explainer(model)
        self.steps = model.instances("ProcessStep")
        patching = previous is not None and changed is not None
        kept = previous.made if patching else {}
        self.made = {s: kept[s] if s in kept and kept[s].reads.isdisjoint(changed) else step_profile(model, s)
                     for s in self.steps}
        surface: set[str] = set().union(*(made.words for made in self.made.values()))
        self.level_index = ProfileIndex(level_profile(model, lv, surface) for lv in model.instances("Level"))
        done: dict[str, Profile] = {}
        if patching and previous.vocabulary.surface == surface:  # the same words: the same compound parts
            self.vocabulary = previous.vocabulary
            done = {s: previous.step_index.profiles[s] for s in self.steps if kept.get(s) is self.made[s]}
        else:
            self.vocabulary = Vocabulary(surface)
        self.step_index = ProfileIndex(done.get(s) or self._with_parts(self.made[s].profile) for s in self.steps)
        self.own_texts = {s: own_words(model, s) for s in self.steps}
        same = patching and previous.own_texts == self.own_texts
        self.grams = previous.grams if same else GramIndex(self.own_texts)
        self.known = set(self.step_index.postings) | set(self.level_index.postings)
        self.synonyms = synonym_groups([[*model.texts(uri, PREF_LABEL), *model.texts(uri, ALT_LABEL)]
                                        for kind in SYNONYM_KINDS for uri in model.instances(kind)])
        self.around = Surroundings(model, previous.around if patching else None, changed)
        self.known |= self.around.known_terms()
        self.sorted_terms = sorted(self.known)

    def _with_parts(self, made: Profile) -> Profile:
        profile = made.copy()  # the one made stays as it was, for the next version
        profile.add_parts(self.vocabulary, PART_SHARE)
        return profile

    # -- placing --------------------------------------------------------------------
    def concepts(self, text: str) -> tuple[list[Concept], set[str]]:
        return concepts_for(text, self.vocabulary, self.known, self.sorted_terms, self.synonyms)

    def place(self, text: str, limit: int = 3, choice: tuple[str, str] | None = None) -> Situation:
        """Level, step(s) and why. `choice` is the answer to an earlier question: ("level", uri) keeps
        the steps of that level, ("step", uri) puts that step first; without it, a close call asks."""
        text = " ".join((text or "").split())[:500]
        concepts, query_stems = self.concepts(text)
        levels = self.level_index.score(concepts, query_stems)
        level_share = self._level_share(text, levels)
        done, rest = finished_parts(text)
        if done:  # what is finished does not describe where you are now
            concepts, query_stems = self.concepts(rest)
        scores: dict[str, float] = {}
        found: dict[str, Scored] = {}
        for scored in self.step_index.score(_placeless(concepts), query_stems, SETTING):
            level = self.m.one(scored.uri, "tor:level")
            scores[scored.uri] = scored.score * (1 + LEVEL_WEIGHT * level_share.get(level, 0.0))
            found[scored.uri] = scored
        best = max(scores.values(), default=0.0)
        for part in done:  # "het VO is af": the step after the finished one
            hits = self.step_index.score(*self.concepts(part))
            if hits:
                finished = hits[0]
                for nxt in self.next_steps(finished.uri):
                    bonus = DONE_SHIFT * max(best, finished.score)
                    scores[nxt["uri"]] = scores.get(nxt["uri"], 0.0) + bonus
                    found.setdefault(nxt["uri"], Scored(nxt["uri"], bonus, finished.matches))
                if finished.uri in scores and self.next_steps(finished.uri):  # the last step stays
                    scores[finished.uri] *= 0.5
        if starting(rest) and level_share:  # "we beginnen net": the first step of the level meant
            for level, share in level_share.items():
                first = self.first_step(level)
                if first:
                    bonus = START_WEIGHT * share * max(best, 1.0)
                    scores[first] = scores.get(first, 0.0) + bonus
                    found.setdefault(first, Scored(first, bonus, []))
        if scores:  # letter likeness reorders the steps the words found; it adds none
            top = max(scores.values())
            likeness = self.grams.similarity(rest if done else text)
            for uri in scores:
                scores[uri] += GRAM_WEIGHT * top * likeness.get(uri, 0.0)
        if choice:
            self._apply_choice(choice, scores, found)
        ranked = sorted(((v, found[u]) for u, v in scores.items()), key=lambda p: (-p[0], self.m.sort_key(p[1].uri)))
        answer = Situation(text=text, steps=[], ranking=[(s.uri, round(v, 4)) for v, s in ranked], choice=choice)
        if not ranked or ranked[0][0] < MIN_SCORE and not self._says_enough(concepts, query_stems):
            return answer
        if not choice:
            answer.question = clarify(self.m, answer.ranking, level_share)
        best = ranked[0][0]
        shown = [(v, s) for v, s in ranked[:limit] if v >= SHOWN_SHARE * best]
        total = sum(v for v, _ in shown)
        for value, scored in shown:
            level = self.m.one(scored.uri, "tor:level")
            reason = self.explain.step(scored)
            if choice and scored.uri == choice[1]:
                reason = "Je koos deze stap zelf." + ("" if reason.startswith("Je beschrijving past") else " " + reason)
            answer.steps.append(Placement(scored.uri, level, round(value, 4), round(value / total, 3),
                                          reason, scored.matches))
        answer.level = answer.steps[0].level  # the level reason never contradicts the step shown
        own = next((lv for lv in levels if lv.uri == answer.level), None)
        if choice and choice[0] == "level":
            answer.level_reason = f"Je koos het {self.m.label(choice[1]).lower()}."
        elif own is not None and levels[0].uri == answer.level:
            answer.level_reason = self.explain.level(own)
        self._details(answer, concepts)
        return answer

    def _says_enough(self, concepts: list[Concept], query_stems: set[str]) -> bool:
        """Whether the words, with words of place at full weight, say enough to place the situation:
        "welke wijken pakken we eerst aan" names nothing but places, and still says where you are."""
        return any(s.score >= MIN_SCORE for s in self.step_index.score(concepts, query_stems))

    def _level_share(self, text: str, levels: list[Scored]) -> dict[str, float]:
        """Each level's share of the evidence: its words (labels, hidden labels) and the phrasing of
        time and scale (toolbox.guide.phases.scale_cues), each cue worth CUE_WEIGHT of a strong word."""
        scores = {s.uri: s.score for s in levels}
        cues = scale_cues(text)
        if cues:
            unit = CUE_WEIGHT * max([1.0, *scores.values()])
            for level in self.m.instances("Level"):
                scores[level] = scores.get(level, 0.0) + unit * cues.get(self.m.slug(level), 0)
        total = sum(scores.values()) or 1.0
        return {uri: v / total for uri, v in scores.items() if v > 0}

    def _apply_choice(self, choice: tuple[str, str], scores: dict[str, float], found: dict[str, Scored]) -> None:
        kind, uri = choice
        best = max(scores.values(), default=0.0)
        if kind == "level":
            for step in list(scores):
                if self.m.one(step, "tor:level") != uri:
                    del scores[step]
            if not scores and (first := self.first_step(uri)):
                scores[first] = max(best, MIN_SCORE)
                found.setdefault(first, Scored(first, scores[first], []))
        else:
            scores[uri] = max(best, MIN_SCORE) * 1.01
            found.setdefault(uri, Scored(uri, scores[uri], []))

    # -- details for the first step ---------------------------------------------------
    def _details(self, answer: Situation, concepts: list[Concept]) -> None:
        around, step = self.around, answer.steps[0].step
        answer.next_steps = around.next_steps(step)
        answer.checklist = around.checklist(step)
        answer.checks = self.m.objects(step, "tor:checkAfter")
        answer.tools = around.tool_list(step, concepts)
        answer.roles = around.role_list(step, concepts)
        answer.cases = around.case_list(step, concepts)
        answer.knelpunten = around.knelpunt_list(step, concepts)
        answer.aids = step_aids(self.m, step)

    def next_steps(self, step: str) -> list[dict]:
        return self.around.next_steps(step)

    def first_step(self, level: str) -> str | None:
        return self.around.first_step(level)


def _placeless(concepts: list[Concept]) -> list[Concept]:
    """The concepts for scoring steps: a word of place or scale ("wijk", "buurt", "straat") already
    lifts its level (level words, scale cues); among the steps of a level it should not decide,
    or every sentence about a wijk lands on the step whose texts say "wijk" most often. So it
    counts half, and the same in every step that has it (ProfileIndex.score, `flat`)."""
    return [c if not all(t in SETTING for t, _ in c.terms) else
            Concept(c.word, tuple((t, w * SETTING_SHARE) for t, w in c.terms)) for c in concepts]
