"""The word profile of each step: its own texts and what the graph links to it, with weights.

Own texts weigh most, linked things less, many linked cases together no more than a few. A profile
is made from a model read through toolbox.guide.reads, so it knows which statements it depends on:
the ranker of the next content version keeps every profile a save did not touch (at 100x
content making them all is two seconds of the site's interpreter after every save).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toolbox.graph.model import ALT_LABEL, PREF_LABEL, GraphModel
from toolbox.guide.profiles import Profile, Source
from toolbox.guide.reads import Reads

HIDDEN_LABEL = "http://www.w3.org/2004/02/skos/core#hiddenLabel"
LABELS = (PREF_LABEL, ALT_LABEL, HIDDEN_LABEL)

# How much a word counts in a step's profile, by where it comes from (own texts: _OWN_TEXTS, _LINKED).
W = {"label": 3.0, "checklist": 1.5, "checklist_item": 0.7, "tool_reason": 0.8, "tool_label": 1.0,
     "tool_summary": 0.3, "knelpunt_label": 1.0, "remedy_reason": 0.8, "knelpunt_text": 0.3, "case": 0.6,
     "theme": 0.6}
# How linked things and texts count in a step's profile: (property path, fields, weight, kind).
_OWN_TEXTS = (("tor:goal", 1.5), ("tor:expectedResult", 1.0), ("dcterms:description", 1.0),
              ("tor:essentialSteps", 1.0), ("tor:forceField", 0.7), ("tor:ambitionNote", 0.4))
_LINKED = (
    ("tor:subStep", ((PREF_LABEL, 1.5), ("dcterms:description", 0.8)), "substep"),
    ("tor:activity", (("dcterms:description", 1.0),), "activity"),
    ("tor:checkBefore", ((PREF_LABEL, 1.0),), "check"),
    ("tor:checkAfter", ((PREF_LABEL, 1.0),), "check"),
    ("tor:guidingQuestion", ((PREF_LABEL, 0.8),), "question"),
    ("tor:tip", ((PREF_LABEL, 0.6), ("dcterms:description", 0.4)), "tip"),
    ("tor:otherAid", ((PREF_LABEL, 0.6),), "aid"),
    ("tor:involvesRole", ((PREF_LABEL, 0.6),), "role"),
    ("tor:relevantTool", ((PREF_LABEL, 0.6),), "tool"),
)


@dataclass(frozen=True)
class Made:
    """A profile before its compounds are split (that needs the words of all profiles), the words
    it was written in, and the statements it was made from (toolbox.guide.reads)."""

    profile: Profile
    words: frozenset[str]
    reads: frozenset[tuple[str, str]]


def add_labels(profile: Profile, m, uri: str, weight: float, source: Source, words: set[str]) -> None:
    for prop in LABELS:
        for text in m.texts(uri, prop):
            profile.add_text(text, weight, source, words)
            profile.add_phrase(text)


def step_profile(model: GraphModel, step: str) -> Made:
    m, words = Reads(model), set()
    p, own = Profile(step), Source(step, "self")
    add_labels(p, m, step, W["label"], own, words)
    for prop, weight in _OWN_TEXTS:
        p.add_text(m.text(step, prop), weight, own, words)
    for prop, fields, kind in _LINKED:
        for target in m.objects(step, prop):
            for field_prop, weight in fields:
                p.add_text(m.text(target, field_prop), weight, Source(target, kind), words)
    for checklist in m.objects(step, "tor:transitionChecklist"):
        src = Source(checklist, "checklist")
        p.add_text(m.label(checklist), W["checklist"], src, words)
        for item in m.objects(checklist, "tor:item"):
            p.add_text(m.label(item), W["checklist_item"], src, words)
    for rec in m.objects(step, "tor:toolRecommendation"):
        tool = m.one(rec, "tor:recommendedTool")
        if tool:
            src = Source(tool, "tool")
            p.add_text(m.text(rec, "tor:reason"), W["tool_reason"], src, words)
            p.add_text(m.label(tool), W["tool_label"], src, words)
            p.add_text(m.text(tool, "tor:summary") or m.text(tool, "dcterms:description"), W["tool_summary"], src,
                       words)
    remedies = [(r, k) for r in m.subjects("tor:remedyBy", step) for k in m.subjects("tor:remedy", r)
                if not m.is_archived(k)]
    share = 1 / math.sqrt(len(remedies) / 4) if len(remedies) > 4 else 1.0  # many together count as a few
    for remedy, knelpunt in remedies:
        src = Source(knelpunt, "knelpunt")
        p.add_text(m.label(knelpunt), W["knelpunt_label"] * share, src, words)
        p.add_text(m.text(remedy, "tor:reason"), W["remedy_reason"] * share, src, words)
        p.add_text(m.text(knelpunt, "dcterms:description"), W["knelpunt_text"] * share, src, words)
    cases = [c for c in m.subjects("tor:usedStep", step) if not m.is_archived(c)]
    share = 1 / math.sqrt(len(cases)) if cases else 0.0  # many cases together count as a few
    for case in cases:
        p.add_text(m.label(case), W["case"] * share, Source(case, "case"), words)
        for theme in m.objects(case, "tor:theme"):
            for text in [m.label(theme), *m.texts(theme, ALT_LABEL), *m.texts(theme, HIDDEN_LABEL)]:
                p.add_text(text, W["theme"] * share, Source(theme, "theme"), words)
    return Made(p, frozenset(words), frozenset(m.keys))


def own_words(m: GraphModel, step: str) -> str:
    """A step's own texts, for letter likeness: names, search words, goal, description,
    result, sub-steps and activities (not the linked tools, cases and knelpunten)."""
    texts = [t for prop in LABELS for t in m.texts(step, prop)]
    texts += [m.text(step, p) for p in ("tor:goal", "dcterms:description", "tor:expectedResult")]
    texts += [m.label(sub) for sub in m.objects(step, "tor:subStep")]
    texts += [m.text(act, "dcterms:description") for act in m.objects(step, "tor:activity")]
    return "\n".join(t for t in texts if t)


def level_profile(m: GraphModel, level: str, words: set[str]) -> Profile:
    p = Profile(level)
    add_labels(p, m, level, 3.0, Source(level, "self"), words)
    return p
