"""Phrasing of phase in a described situation: just starting, or something just finished.

"We beginnen net met een project in de straat" names no step, but says: the first step of the
level the rest of the sentence points to. "Het VO is af" names a step, but means the one after
it. The ranker (toolbox.situation) uses these cues to move weight along the process; the words
themselves are ordinary Dutch, not content, so they live here.
"""

from __future__ import annotations

import re

from toolbox.search.dutch import fold

# "we beginnen net", "aan het begin", "we starten", "nog niets", "eerste stap"
_START = re.compile(
    r"\b(beginnen|begin|begonnen|starten|start|gestart|opstarten|opstart|aftrap|nog\s+niets|nog\s+geen|"
    r"eerste\s+stap|allereerst|vanaf\s+nul|helemaal\s+aan\s+het\s+begin)\b")
# "het VO is af", "de opdracht is vastgesteld", "de systeemanalyse is klaar"
_DONE = re.compile(
    r"\b(is|zijn|ligt|liggen|hebben\s+we|staat)\s+(nu\s+)?(af|klaar|gereed|afgerond|vastgesteld|"
    r"goedgekeurd|gegund|getekend|opgeleverd|rond|achter\s+de\s+rug)\b")
_CLAUSE = re.compile(r"[.;:!?]|,|\b(?:en|maar|nu|dus|daarna|vervolgens)\b")


def starting(text: str) -> bool:
    """Does the situation say that work is only just starting?"""
    return bool(_START.search(fold(text)))


def finished_parts(text: str) -> tuple[list[str], str]:
    """The parts of the situation that say what is already done, and the rest.

    "Het VO is af, we zitten voor het bestek" -> (["het VO"], " we zitten voor het bestek").
    A part is the clause in front of a done-phrase.
    """
    folded = fold(text)
    done: list[str] = []
    rest = folded
    for match in reversed(list(_DONE.finditer(folded))):
        start = _clause_start(folded, match.start())
        done.append(folded[start:match.start()])
        rest = rest[:start] + " " + rest[match.end():]
    return [d.strip() for d in done if d.strip()], rest


def _clause_start(text: str, position: int) -> int:
    start = 0
    for boundary in _CLAUSE.finditer(text, 0, position):
        start = boundary.end()
    return start
