"""Reasons in words that matter: which of the user's words placed a situation, and where the graph has them.

A reason cites only meaningful words (never a word of `FILLER` in toolbox.search.dutch, a bare
number, or the same word twice) and says why in plain Dutch: "Je noemt ‘aanbesteding’ en
‘bestek’: dat hoort bij Voorbereiding en aanbesteding (zie de checklist …)."
"""

from __future__ import annotations

from toolbox.graph.model import GraphModel
from toolbox.guide.profiles import Match, Scored, Source
from toolbox.search.dutch import is_filler, stem, words


class Explainer:
    """Reasons for steps and levels, in the words of the graph's labels."""

    def __init__(self, model: GraphModel):
        self.m = model

    def step(self, scored: Scored) -> str:
        """Why this step, in plain Dutch: the meaningful words you used, and where the graph has them.

        "Je noemt ‘aanbesteding’ en ‘bestek’: dat hoort bij Voorbereiding en aanbesteding (het staat
        in de checklist …)."."""
        said = spoken_words(scored.matches)
        label = self.m.label(scored.uri)
        if not said:
            return f"Je beschrijving past bij {label}."
        places: list[str] = []
        for match in scored.matches[:3]:
            place = self._place(match.source)
            if place not in places:
                places.append(place)
        return f"Je noemt {quoted(said)}: dat hoort bij {label} (zie {join(places[:2])})."

    def _place(self, source: Source) -> str:
        label = self.m.label(source.uri)
        return {
            "self": "de beschrijving van de stap",
            "substep": f"de deelstap {label}",
            "activity": "wat je in deze stap doet",
            "check": "de checks van deze stap",
            "question": "de richtvragen van deze stap",
            "checklist": f"de checklist {label}",
            "tip": "de tips bij deze stap",
            "aid": f"het hulpmiddel {label}",
            "role": f"de rol {label}",
            "tool": f"de tool {label} die hier helpt",
            "knelpunt": f"het knelpunt {label} dat deze stap aanpakt",
            "case": f"de casus {label} die deze stap volgde",
            "theme": f"het thema {label} van casussen bij deze stap",
        }.get(source.kind, label)

    def level(self, scored: Scored) -> str:
        said = spoken_words(scored.matches)
        if not said:
            return ""
        return f"Je noemt {quoted(said)}: dat wijst op het {self.m.label(scored.uri).lower()}."


def says_something(text: str | None) -> bool:
    """Does a described situation hold any word of meaning (not only stop and filler words)?"""
    return any(not is_filler(w) for w in words(text or ""))


def spoken_words(matches: list[Match], most: int = 3) -> list[str]:
    """The user's own meaningful words behind the best matches, each once."""
    return meaningful([match.word.split(":")[0] for match in matches])[:most]


def meaningful(said: list[str]) -> list[str]:
    """Meaningful words, each once: not twice the same stem, nor a word inside another one
    ("netbeheerder" and "netbeheerders", "thema" and "thema's")."""
    out: list[str] = []
    for word in said:
        if is_filler(word) or any(stem(word) == stem(w) or word in w or w in word for w in out):
            continue
        out.append(word)
    return out


def quoted(items: list[str]) -> str:
    """‘riolering’ en ‘vergroenen’."""
    return join([f"‘{w}’" for w in items])


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]
