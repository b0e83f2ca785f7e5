"""How much a situation looks like a step letter by letter: tf-idf of character 3- to 5-grams.

Stems and compound splitting catch most ways of writing a word, not all of them: "vergunigen",
"aanbesteeding", "ondergrondse infra", "bouwrijp" against "bouw- en woonrijp". Overlapping pieces
of words find the step whose own texts (names, search words, goal, description, sub-steps,
activities) share the most telling pieces with the situation. The ranker adds this as a nudge on
top of its word scores; on its own it places far worse (see docs/situations.md).

Compared on the development sets with a small static embedding model that ships inside a PyPI
wheel: the fusion gained as much, alone it placed far worse (English-trained), so no dependency.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

from toolbox.search.dutch import is_filler, words

SIZES = (3, 4, 5)


def grams(text: str) -> Counter:
    """The character n-grams of the meaningful words of a text, each word padded with a space."""
    out: Counter = Counter()
    for word in words(text):
        if is_filler(word):
            continue
        padded = f" {word} "
        for n in SIZES:
            for i in range(len(padded) - n + 1):
                out[padded[i:i + n]] += 1
    return out


class GramIndex:
    """Unit tf-idf vectors of character n-grams, one per thing; cosine similarity to a text."""

    def __init__(self, texts: Mapping[str, str]):
        counts = {uri: grams(text) for uri, text in texts.items()}
        df = Counter(g for c in counts.values() for g in c)
        n = len(counts)
        self.idf = {g: math.log((n + 1) / (v + 0.5)) for g, v in df.items()}
        self.uris = list(counts)
        self.postings: dict[str, list[tuple[str, float]]] = {}  # gram -> (uri, weight): a query reads few
        for uri, count in counts.items():
            for g, v in self._unit(count).items():
                self.postings.setdefault(g, []).append((uri, v))

    def _unit(self, counts: Counter) -> dict[str, float]:
        vec = {g: (1 + math.log(x)) * self.idf[g] for g, x in counts.items() if g in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items()}

    def similarity(self, text: str) -> dict[str, float]:
        """uri -> cosine similarity (0..1) between the text and each thing."""
        out = dict.fromkeys(self.uris, 0.0)
        for g, v in self._unit(grams(text)).items():
            for uri, w in self.postings.get(g, ()):
                out[uri] += v * w
        return out
