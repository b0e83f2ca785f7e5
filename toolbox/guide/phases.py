"""Phrasing of phase, time and scale in a described situation: just starting, something just
finished, a horizon of years, many areas at once, work under way.

"We beginnen net met een project in de straat" names no step, but says: the first step of the
level the rest of the sentence points to. "Het VO is af" names a step, but means the one after
it. The ranker (toolbox.situation) uses these cues to move weight along the process; the words
themselves are ordinary Dutch, not content, so they live here.
"""

from __future__ import annotations

import re

from toolbox.search.dutch import fold, stem

# "we beginnen net", "aan het begin", "we starten", "nog niets", "eerste stap"
_START = re.compile(
    r"\b(beginnen|begin|begonnen|starten|start|gestart|opstarten|opstart|aftrap|nog\s+niets|nog\s+geen|"
    r"eerste\s+stap|allereerst|vanaf\s+nul|helemaal\s+aan\s+het\s+begin)\b")
# "het VO is af", "de opdracht is vastgesteld", "de systeemanalyse is klaar"
_DONE = re.compile(
    r"\b(is|zijn|ligt|liggen|hebben\s+we|staat)\s+(nu\s+|al\s+|er\s+al\s+|er\s+)?(af|klaar|gereed|afgerond|"
    r"vastgesteld|goedgekeurd|gegund|gekozen|getekend|opgeleverd|rond|achter\s+de\s+rug)\b"
    r"|\b(ligt|liggen)\s+er\s+al\b")
# "we zijn klaar met de aanbesteding": what is finished follows the phrase.
_DONE_BEFORE = re.compile(r"\b(klaar|rond|gereed)\s+met\s+")
_CLAUSE = re.compile(r"[.;:!?]|,|\b(?:en|maar|nu|dus|daarna|vervolgens)\b")


def starting(text: str) -> bool:
    """Does the situation say that work is only just starting?"""
    return bool(_START.search(fold(text)))


def finished_parts(text: str) -> tuple[list[str], str]:
    """The parts of the situation that say what is already done, and the rest.

    "Het VO is af, we zitten voor het bestek" -> (["het vo is af"], " we zitten voor het bestek").
    A part is the clause up to and with its done-phrase: "het werk is opgeleverd" says which step
    is done by its verb as much as by its subject.
    """
    folded = fold(text)
    done: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _DONE.finditer(folded):
        spans.append((_clause_start(folded, match.start()), match.end()))
    for match in _DONE_BEFORE.finditer(folded):
        spans.append((match.start(), _clause_end(folded, match.end())))
    rest = folded
    for start, end in sorted(spans, reverse=True):
        if any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans):
            continue  # inside a longer finished part
        done.append(folded[start:end])
        rest = rest[:start] + " " + rest[end:]
    return [d.strip() for d in done if d.strip()], rest


def _clause_end(text: str, position: int) -> int:
    boundary = _CLAUSE.search(text, position)
    return boundary.start() if boundary else len(text)


def _clause_start(text: str, position: int) -> int:
    start = 0
    for boundary in _CLAUSE.finditer(text, 0, position):
        start = boundary.end()
    return start


# Words of scale and setting: they say where (which level), not what you are doing there.
SETTING = frozenset(stem(w) for w in ("wijk", "wijken", "buurt", "buurten", "gebied", "gebieden", "straat",
                                      "straten", "stad", "steden", "project", "projecten", "werk", "plein"))

_NUMBER = r"(tien|twintig|dertig|\d{2,})"
# Which level phrasing points to, by the level's slug. A horizon of ten years or more, a year from
# 2030, or many areas at once ("welke wijken", "gebieden") is the city's programme; the contractor
# at work, or the street lying open, is a project under way.
_SCALE = {
    "strategisch": re.compile(
        r"\b((komende|over|binnen)\s+" + _NUMBER + r"\s+jaar|(een|de\s+volgende)\s+generatie|"
        r"(de\s+)?komende\s+(decennia|jaren)|meerjari\w*|meerjaren\w*|"
        r"lange\s+termijn|horizon|20[3-9]\d|(de\s+)?(hele|gehele)\s+(stad|gemeente)|stadsbre\w*|"
        r"gemeentebre\w*|wijken|gebieden|buurten|stadsdelen|welke\s+(wijk|buurt|gebied)|in\s+welk\s+jaar)\b"),
    "tactisch": re.compile(r"\b((de|onze|deze|die|een|het|dit|dat)\s+(wijk|buurt|gebied|stadsdeel))\b"),
    "uitvoering": re.compile(
        r"\b(aannemer\s+(is|zijn)\s+(bezig|aan\s+het\s+werk|begonnen|gestart)|aan\s+het\s+werk|"
        r"tijdens\s+de\s+(uitvoering|werkzaamheden|bouw)|ligt\s+open|liggen\s+open|in\s+uitvoering|"
        r"(de|onze|deze|die|een|het|dit)\s+(straat|plein|singel|kade|laan|weg))\b"),
}


def scale_cues(text: str) -> dict[str, int]:
    """How often the situation's phrasing points to each level (by slug), for what single words
    cannot say: "de komende tien jaar", "welke wijken", "de aannemer is bezig"."""
    folded = fold(text)
    return {slug: n for slug, pattern in _SCALE.items() if (n := len(pattern.findall(folded)))}
