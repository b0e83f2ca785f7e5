"""Weighted word profiles of graph things, scored against a situation with BM25.

A profile is the bag of stems of a thing and of what links to it, each stem with a weight
(a label counts more than a description, a linked case less than the thing's own check) and
the place it came from, so that a ranking can say why: "je noemt ... en dat
staat in ...".
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from toolbox.guide.reads import Reads
from toolbox.search.dutch import Vocabulary, is_filler, participle_stems, stem, words


@lru_cache(maxsize=50_000)
def analysed(text: str) -> tuple[tuple[str, str], ...]:
    """(word, stem) pairs of a text; the same labels and texts recur on many linked things."""
    return tuple((w, stem(w)) for w in words(text))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a stem of a profile came from: a linked thing and how it is linked."""

    uri: str
    kind: str  # "self", "substep", "check", "tool", "knelpunt", "case", "theme", ...


@dataclass
class Profile:
    uri: str
    weights: dict[str, float] = field(default_factory=dict)
    sources: dict[str, tuple[float, Source]] = field(default_factory=dict)
    surface: dict[str, str] = field(default_factory=dict)  # stem -> a word it was written as
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # multi-word labels, as stems

    def add_text(self, text: str | None, weight: float, source: Source, vocabulary_words: set[str]) -> None:
        if not text:
            return
        for word, term in analysed(text):
            vocabulary_words.add(word)
            self._add(term, weight, source, word)

    def add_phrase(self, text: str) -> None:
        phrase = tuple(stem(w) for w in words(text))
        if len(phrase) >= 2 and phrase not in self.phrases:
            self.phrases.append(phrase)

    def _add(self, term: str, weight: float, source: Source, word: str) -> None:
        self.weights[term] = self.weights.get(term, 0.0) + weight
        best = self.sources.get(term)
        if best is None or weight > best[0]:
            self.sources[term] = (weight, source)
            self.surface[term] = word

    def add_parts(self, vocabulary: Vocabulary, share: float) -> None:
        """Let the parts of the profile's compounds count too, for a share of the whole's weight:
        the graph says "teamsamenstelling", a user "het team samenstellen"."""
        for term, weight in list(self.weights.items()):
            word = self.surface.get(term, "")
            for part in vocabulary.parts(word) if len(word) >= 8 else ():
                if part != term and len(part) >= 3:
                    self._add(part, weight * share, self.sources[term][1], word)

    def copy(self) -> Profile:
        return Profile(self.uri, dict(self.weights), dict(self.sources), dict(self.surface), list(self.phrases))

    @property
    def length(self) -> float:
        return sum(self.weights.values())


@dataclass(frozen=True, slots=True)
class Concept:
    """One word of the situation and the index stems it may stand for, with how sure that is."""

    word: str
    terms: tuple[tuple[str, float], ...]


@dataclass
class Match:
    word: str  # what the user wrote
    term: str
    score: float
    source: Source


@dataclass
class Scored:
    uri: str
    score: float
    matches: list[Match]
    phrase_hits: list[tuple[str, ...]] = field(default_factory=list)


FLAT_WEIGHT = 1.0  # a flat term's weight in every profile that has it (see score)


class ProfileIndex:
    """BM25 over profiles (k1, b as usual), with an inverted index so a query reads few lists."""

    K1, B = 2.0, 0.6  # K1 above the usual 1.2: weights are importance, not counts; let them count
    PHRASE_BONUS = 2.5

    def __init__(self, profiles: Iterable[Profile]):
        self.profiles = {p.uri: p for p in profiles}
        self.postings: dict[str, list[tuple[str, float]]] = {}
        for p in self.profiles.values():
            for term, weight in p.weights.items():
                self.postings.setdefault(term, []).append((p.uri, weight))
        n = max(1, len(self.profiles))
        self.avg_length = (sum(p.length for p in self.profiles.values()) / n) or 1.0
        self.lengths = {p.uri: p.length for p in self.profiles.values()}
        self.idf = {t: math.log(1 + (n - len(ps) + 0.5) / (len(ps) + 0.5)) for t, ps in self.postings.items()}

    def score(self, concepts: list[Concept], query_stems: set[str], flat: frozenset[str] = frozenset()) -> list[Scored]:
        """Profiles that share a concept with the situation, best first. A term in `flat` counts the
        same in every profile that has it, however often or prominently it is written there."""
        per_doc: dict[str, dict[str, Match]] = {}
        for concept in concepts:
            for term, certainty in concept.terms:
                for uri, weight in self.postings.get(term, ()):
                    weight = FLAT_WEIGHT if term in flat else weight
                    norm = self.K1 * (1 - self.B + self.B * self.lengths[uri] / self.avg_length)
                    value = certainty * self.idf[term] * weight * (self.K1 + 1) / (weight + norm)
                    seen = per_doc.setdefault(uri, {})
                    old = seen.get(concept.word)
                    if old is None or value > old.score:
                        seen[concept.word] = Match(concept.word, term, value, self.profiles[uri].sources[term][1])
        out = []
        for uri, matches in per_doc.items():
            profile = self.profiles[uri]
            hits = [ph for ph in profile.phrases if all(t in query_stems for t in ph)]
            total = sum(m.score for m in matches.values()) + self.PHRASE_BONUS * sum(len(h) ** 0.5 for h in hits)
            ranked = sorted(matches.values(), key=lambda m: -m.score)
            out.append(Scored(uri, total, ranked, hits))
        out.sort(key=lambda s: (-s.score, s.uri))
        return out


@lru_cache(maxsize=50_000)
def stem_set(text: str) -> frozenset[str]:
    return frozenset(t for _, t in analysed(text))


class StemBags:
    """The stems of many things (cases, knelpunten, tools, roles) with an idf per stem: which of them a
    situation resembles, and through which of its words. A word in the thing's name counts double.
    An inverted index (stem -> item numbers) keeps a query to the items that share a stem; twins at
    100x content share their label sets.

    `texts_of(m, uri)` gives a thing's texts, its name first. Given the bags of the previous content
    version and the statements a save changed (toolbox.guide.reads), only the things that read one of
    them are read again (any change to a thing's own statements counts); a thing that is gone leaves
    an empty place behind."""

    def __init__(self, model, uris, texts_of, previous: StemBags | None = None,
                 changed: set[tuple[str, str]] | None = None):
        if previous is None or changed is None:
            self.uris: list[str | None] = []
            self.labels: list[frozenset[str]] = []
            self.bodies: list[frozenset[str]] = []
            self.number: dict[str, int] = {}
            self.extra: dict[int, frozenset[tuple[str, str]]] = {}  # what it read of other nodes
            self.postings: dict[str, array] = {}
            self._update(model, texts_of, list(uris), set())
        else:
            self.uris, self.labels, self.bodies = list(previous.uris), list(previous.labels), list(previous.bodies)
            self.number, self.extra = dict(previous.number), dict(previous.extra)
            self.postings = dict(previous.postings)
            now = list(uris)
            nodes = {node for node, _ in changed}
            stale = {u for u, n in self.number.items()
                     if u in nodes or not self.extra.get(n, frozenset()).isdisjoint(changed)}
            self._update(model, texts_of, [u for u in now if u in stale or u not in self.number],
                         set(self.number) - set(now))
        count = max(1, len(self.number))
        self.idf = {t: math.log(1 + count / len(ids)) for t, ids in self.postings.items()}

    def _update(self, model, texts_of, read: list[str], gone: set[str]) -> None:
        added: dict[str, list[int]] = {}
        removed: dict[str, set[int]] = {}
        for uri in sorted(gone):
            n = self.number.pop(uri)
            for term in self.labels[n] | self.bodies[n]:
                removed.setdefault(term, set()).add(n)
            self.uris[n], self.labels[n], self.bodies[n] = None, frozenset(), frozenset()
            self.extra.pop(n, None)
        for uri in read:
            m = Reads(model)
            texts = texts_of(m, uri)
            label, body = stem_set(texts[0] or ""), stem_set(" ".join(t for t in texts if t))
            n = self.number.get(uri)
            if n is None:
                n = self.number[uri] = len(self.uris)
                self.uris.append(uri)
                self.labels.append(frozenset())
                self.bodies.append(frozenset())
            old, new = self.labels[n] | self.bodies[n], body | label
            for term in old - new:
                removed.setdefault(term, set()).add(n)
            for term in new - old:
                added.setdefault(term, []).append(n)
            self.labels[n], self.bodies[n] = label, body
            self.extra.pop(n, None)
            others = frozenset(key for key in m.keys if key[0] != uri)
            if others:
                self.extra[n] = others
        for term in set(added) | set(removed):  # a changed list is a new one: the previous bags stay as they were
            out = removed.get(term, set())
            ids = array("I", (n for n in self.postings.get(term, ()) if n not in out))
            ids.extend(added.get(term, ()))
            if ids:
                self.postings[term] = ids
            else:
                self.postings.pop(term, None)

    def score(self, concepts: list[Concept]) -> list[tuple[float, str, list[str]]]:
        """(score, uri, the user's words it shares), best first; a concept counts once per item,
        through the first of its stems the item has."""
        totals: dict[int, float] = {}
        said: dict[int, list[str]] = {}
        for concept in concepts:
            word = concept.word.split(":")[0]
            credited: set[int] = set()
            for term, _ in concept.terms:
                idf = self.idf.get(term)
                for n in self.postings.get(term, ()):
                    if n in credited:
                        continue
                    credited.add(n)
                    totals[n] = totals.get(n, 0.0) + idf * (2.0 if term in self.labels[n] else 1.0)
                    said.setdefault(n, []).append(word)
        out = [(total, self.uris[n], said[n]) for n, total in totals.items()]
        out.sort(key=lambda x: (-x[0], x[1]))
        return out


def concepts_for(text: str, vocabulary: Vocabulary, known_terms: set[str], sorted_terms: list[str],
                 synonyms: dict[str, tuple[str, ...]] | None = None) -> tuple[list[Concept], set[str]]:
    """The situation's words as concepts: the stem itself, else compound parts, prefixes or near stems;
    a word that is one of the names of a thing in the graph ("nutsbedrijf", "netbeheerder") also
    stands for its other names.

    Also returns every stem the situation stands for, for phrase matching."""
    concepts: list[Concept] = []
    all_stems: set[str] = set()
    seen: set[str] = set()
    for word in words(text)[:60]:
        if word in seen:
            continue
        seen.add(word)
        s = stem(word)
        if is_filler(word):  # no meaning of its own; it may still complete a phrase
            all_stems.add(s)
            continue
        options: list[tuple[str, float]] = []
        if s in known_terms:
            options.append((s, 1.0))
        options += [(t, 0.9) for t in participle_stems(word) if t != s and t in known_terms]
        parts = vocabulary.split(word) if len(word) >= 7 else ()
        known_parts = [part for part in parts if part in known_terms] if not options else []
        if known_parts:
            for part in known_parts:
                concepts.append(Concept(f"{word}:{part}", ((part, 0.85),)))
                all_stems.add(part)
            all_stems.add(s)
            continue
        if not options:
            options += [(t, 0.7) for t in vocabulary.near(s) if t in known_terms]
        if not options and len(s) >= 5:
            options += [(t, 0.5) for t in _prefixed(s, known_terms, sorted_terms)]
        for term, _ in list(options) if synonyms else ():
            have = {o for o, _ in options}
            options += [(t, 0.8) for t in synonyms.get(term, ()) if t in known_terms and t not in have]
        if options:
            concepts.append(Concept(word, tuple(options)))
            all_stems.update(t for t, _ in options)
        all_stems.add(s)
    return concepts, all_stems


def _prefixed(s: str, known_terms: set[str], sorted_terms: list[str]) -> list[str]:
    """Known stems that start with s or that s starts with (5+ letters shared), a few at most."""
    found = [s[:n] for n in range(5, len(s)) if s[:n] in known_terms]
    i = bisect.bisect_left(sorted_terms, s)
    while i < len(sorted_terms) and sorted_terms[i].startswith(s) and len(found) < 12:
        found.append(sorted_terms[i])
        i += 1
    found.sort(key=lambda t: abs(len(t) - len(s)))
    return found[:3]


def synonym_groups(names: list[list[str]]) -> dict[str, tuple[str, ...]]:
    """Stem -> the stems of the other one-word names of the same thing (SKOS pref- and altLabels:
    "Netbeheerder", "Nutsbedrijf", "Netwerkbedrijf")."""
    out: dict[str, set[str]] = {}
    for labels in names:
        group = {t for label in labels if len(stem_set(label)) == 1 for t in stem_set(label) if len(t) >= 4}
        for term in group if len(group) > 1 else ():
            out.setdefault(term, set()).update(group - {term})
    return {term: tuple(sorted(others)) for term, others in out.items()}
