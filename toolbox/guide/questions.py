"""Ask when unsure: one short question with two or three choices, and what a chosen answer means.

When the first two steps score almost the same, or the words point to another level than the
step that came first, a guess is as likely wrong as right. The guide then asks one question:
"Gaat het om de hele stad of om één wijk?" (steps on different levels) or "Waar ben je nu mee
bezig?" (steps on one level). Each choice is a value for the `keuze` parameter of /gids
("niveau:tactisch", "stap:richting-do"), so a question is answered with a plain link or button
and the answer is a link that can be shared. The scale words are ordinary Dutch, kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolbox.graph.model import GraphModel

CLOSE = 0.8  # the second step scores at least this share of the first: ask
LEVEL_DOUBT = 0.75  # the words point to another level with at least this margin over the step's own level: ask

# How a level sounds in a question, by its slug: (in the question, as a choice).
SCALE = {
    "strategisch": ("de hele stad", "De hele stad of gemeente"),
    "tactisch": ("één wijk", "Eén wijk of gebied"),
    "uitvoering": ("één straat", "Eén straat of project"),
}


@dataclass
class Choice:
    value: str  # "niveau:{slug}" or "stap:{slug}"
    label: str
    hint: str = ""


@dataclass
class Question:
    text: str
    choices: list[Choice] = field(default_factory=list)


def parse_choice(model: GraphModel, value: str | None) -> tuple[str, str] | None:
    """("level" | "step", uri) for a valid `keuze`, None when there is none; ValueError when it is wrong."""
    if not value:
        return None
    kind, _, slug = value.partition(":")
    local = {"niveau": ("Level", "level"), "stap": ("ProcessStep", "step")}.get(kind)
    if local is None or not slug:
        raise ValueError("keuze moet 'niveau:…' of 'stap:…' zijn")
    uri = next((u for u in model.instances(local[0]) if model.slug(u) == slug), None)
    if uri is None:
        raise ValueError(f"onbekende keuze: {value}")
    return local[1], uri


def clarify(model: GraphModel, ranking: list[tuple[str, float]], level_share: dict[str, float]) -> Question | None:
    """The one question worth asking about this ranking, or None when the first step is clear."""
    if not ranking:
        return None
    best = ranking[0][1]
    close = [uri for uri, score in ranking[:3] if score >= CLOSE * best]
    levels = _distinct(model.one(uri, "tor:level") for uri in close)
    own = model.one(ranking[0][0], "tor:level")
    if len(close) >= 2 and len(levels) >= 2:
        return level_question(model, levels)
    if len(close) >= 2:
        return Question("Waar ben je nu mee bezig?", [
            Choice(f"stap:{model.slug(uri)}", model.label(uri), _short(model.text(uri, "tor:goal"))) for uri in close])
    other = max((lv for lv in level_share if lv != own), key=lambda lv: level_share[lv], default=None)
    if other and level_share[other] - level_share.get(own, 0.0) >= LEVEL_DOUBT:
        return level_question(model, _distinct([own, other]))
    return None


def level_question(model: GraphModel, levels: list[str]) -> Question:
    """"Gaat het om de hele stad of om één wijk?", the levels in process order."""
    order = model.instances("Level")
    levels = sorted(levels, key=lambda lv: order.index(lv) if lv in order else len(order))
    said = [SCALE.get(model.slug(lv), (model.label(lv).lower(), model.label(lv)))[0] for lv in levels]
    text = "Gaat het om " + ", om ".join(said[:-1]) + " of om " + said[-1] + "?"
    choices = [Choice(f"niveau:{model.slug(lv)}", SCALE.get(model.slug(lv), ("", model.label(lv)))[1],
                      model.label(lv)) for lv in levels]
    return Question(text, choices)


def _distinct(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def _short(text: str | None, most: int = 140) -> str:
    """The first sentence of a text, at most `most` characters."""
    if not text:
        return ""
    first = text.split(". ")[0].strip().rstrip(".")
    return first if len(first) <= most else first[: most - 1].rsplit(" ", 1)[0] + "…"
