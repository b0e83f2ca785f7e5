"""Dutch words for matching a described situation: folding, stop words, stems, compound parts, typos.

People type "rioolvervanging" where the toolbox says "riolering vervangen", and "partcipatie"
where it says "participatie". The situation ranker therefore compares stems (Snowball, Dutch),
splits compounds into parts the graph knows, and lets a word that the graph does not know stand
for a known stem one or two letters away.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from whoosh.lang import stemmer_for_language, stopwords_for_language

STOPWORDS = frozenset(stopwords_for_language("nl")) | {
    "ik", "we", "wij", "jij", "je", "ons", "onze", "willen", "wil", "gaan", "moet", "moeten",
    "kan", "kunnen", "hoe", "wat", "welke", "waar", "wanneer", "mijn", "graag", "bezig", "zijn",
    "hebben", "heeft", "hebt", "gaat", "ga", "komen", "komt", "staan", "staat", "doen", "doet",
    "wordt", "worden", "zitten", "zit", "even", "nu", "daar", "hier", "erg", "heel",
    "veel", "beetje", "ongeveer", "zo", "ook", "nog", "al", "alle", "allemaal", "elk", "iedere",
    "tegelijk", "tegelijkertijd", "daarbij", "daarna", "eerst", "samen", "goed", "echt", "hele", "net",
    "helemaal", "af", "klaar", "nieuw", "nieuwe",
}
# Words that carry no meaning of their own in a described situation, beyond the stop words:
# auxiliary and generic verbs in their common forms, number and time words, words of place and
# order, and vague nouns ("in beeld", "aan de orde"). They are never cited as a reason, and they do
# not count when placing a situation; what time phrasing says ("komende tien jaar", "de aannemer
# is bezig") is read as a whole by toolbox.guide.phases.
FILLER = STOPWORDS | frozenset("""
    maken maakt maak maakte maakten gemaakt nemen neemt neem nam namen genomen lopen loopt loop liep
    liepen gelopen staan stond stonden gestaan laten laat liet lieten gelaten houden houdt hield hielden
    gehouden leggen legt legde gelegd zien ziet zie zag zagen gezien kijken kijkt kijk keek gekeken
    krijgen krijgt krijg kreeg gekregen zorgen zorgt passen past paste horen hoort hoorde blijven
    blijft bleef liggen ligt lag zetten zet zette gezet geven geeft gaf gegeven brengen brengt bracht
    gebracht trekken trekt trok pakken pakt pakte gepakt spelen speelt speelde weten weet wist denken
    denkt dacht vinden vindt vond gevonden gebruiken gebruikt regelen regelt
    geregeld zullen zal zou zouden mogen mag mocht kon konden moest moesten wilde wilden wordt werd
    werden geworden ben bent is was waren geweest heb had hadden gehad gaan ging gingen gegaan kom
    kwam kwamen gekomen doe deed deden gedaan zeggen zegt zei gezegd vragen vraagt vroeg gevraagd
    helpen helpt hielp geholpen proberen probeert lukken lukt lukte hoeven hoeft hoefde beginnen begint
    begin begon begonnen start starten gestart loopt lopende
    een twee drie vier vijf zes zeven acht negen tien elf twaalf twintig dertig veertig vijftig
    honderd duizend eerste tweede derde vierde laatste volgende vorige komende afgelopen aankomende
    jaar jaren maand maanden week weken dag dagen tijd tijden moment periode keer keren straks later
    eerder vroeger binnenkort vandaag morgen gisteren inmiddels ondertussen intussen alvast
    tussen elkaar per naast langs binnen buiten vanuit onderweg volgens via rond rondom erin eruit
    erbij eraan ervan ermee erop erover eromheen daarvan daarmee daarin waarmee waarin waarvan
    zodat voordat nadat terwijl omdat doordat zoals hoeveel hoe waarom welk wie wiens heen weer
    opnieuw misschien eigenlijk gewoon vooral vaak soms altijd nooit mogelijk nodig genoeg lang lange
    kort korte groot grote klein kleine goede beste beter slecht snel dicht mee meer minder meest
    openbare openbaar ruimte gemeente gemeentelijke eigen eigenlijke bepalen opstellen weinig
    allebei beide wel thema thema's open dicht
    ding dingen zaak zaken manier soort mate basis beeld oog kaart orde stuk deel kant plaats iets
    niets iemand niemand mensen
""".split())
# Linking sounds between the parts of a Dutch compound (stads+park, bomen+buurt, wijk+s+plan).
_LINKS = ("s", "e", "en", "er")
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_stem = stemmer_for_language("nl")


def is_filler(word: str) -> bool:
    """A word that says nothing about the situation: a filler word, or a number on its own."""
    return word in FILLER or word.replace("-", "").replace("/", "").isdigit()


def fold(text: str) -> str:
    """Lower case without accents: "Ontwerp-VO" and "ontwerp-vo", "geïnventariseerd" and "geinventariseerd"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The content words of a text, folded, in order; hyphenated words also give their parts."""
    out = []
    for token in _WORD.findall(fold(text)):
        pieces = [token] + ([p for p in re.split(r"['-]", token) if p] if ("-" in token or "'" in token) else [])
        out.extend(p for p in pieces if len(p) > 1 and p not in STOPWORDS)
    return out


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Snowball's stem, with the v/f and z/s of Dutch verbs made one ("schrijven", "schrijf")."""
    s = _stem(word)
    if len(s) > 3 and s[-1] in "vz":
        s = s[:-1] + ("f" if s[-1] == "v" else "s")
    return s


# Separable particles in front of a past participle: "opgeleverd", "vastgesteld", "uitgevoerd".
_PARTICLES = ("op", "aan", "af", "uit", "in", "mee", "over", "door", "vast", "voor", "toe", "terug",
              "samen", "weg", "om", "bij", "na", "tegen", "vrij", "klaar")


def participle_stems(word: str) -> tuple[str, ...]:
    """Stems of the verb a past participle may come from: "opgeleverd" -> oplever (as in
    "oplevering"), "gebouwd" -> bouw, "vastgesteld" -> vaststell. Snowball leaves participles whole."""
    head, rest = "", word
    for particle in _PARTICLES:
        if word.startswith(particle + "ge") and len(word) - len(particle) >= 6:
            head, rest = particle, word[len(particle):]
            break
    if not rest.startswith("ge") or len(rest) < 5 or rest[-1] not in "dt":
        return ()
    base = rest[2:-1]
    found = [stem(head + base + "en"), stem(head + base + base[-1] + "en"), stem(head + base)]
    return tuple(dict.fromkeys(t for t in found if len(t) >= 3))


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with transpositions, stopping early once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    """The stems and surface words the graph uses, for compound splitting and typo repair."""

    MIN_PART = 3
    MEMO_ENTRIES = 20_000  # answers kept per method; then the memo starts afresh

    def __init__(self, surface_words: Iterable[str]):
        self.surface = set(surface_words)
        self.stems = {stem(w) for w in self.surface}
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for s in self.stems:
            self._by_start.setdefault((s[:1], len(s)), []).append(s)
        # Memos live on the instance, so they go with it. (An lru_cache on the methods was one
        # cache for the class that held every earlier content version's vocabulary alive.)
        self._splits: dict[str, tuple[str, ...]] = {}
        self._near: dict[str, tuple[str, ...]] = {}

    def knows(self, word: str) -> bool:
        return word in self.surface or stem(word) in self.stems

    def split(self, word: str) -> tuple[str, ...]:
        """Stems of the known parts of a compound ("rioolvervanging" -> riool, vervang), or ()."""
        return self._memo(self._splits, self._split, word)

    def parts(self, word: str) -> tuple[str, ...]:
        """Stems of a compound's parts, also when only its head is a known word: "teamsamenstelling"
        -> team, samenstell (so that "samenstellen" finds it). For the graph's own compounds."""
        found = self.split(word)
        if found or len(word) < 9:
            return found
        for i in range(len(word) - 5, 3, -1):
            left, right = word[:i], word[i:]
            heads = [left] + [left[: -len(k)] for k in _LINKS if left.endswith(k) and len(left) - len(k) >= 4]
            head = next((h for h in heads if h in self.surface), None)
            if head:
                return (stem(head), stem(right))
        return ()

    def near(self, word_stem: str) -> tuple[str, ...]:
        """Known stems a typo may stand for: one edit for words of 5+ letters, two for 9+."""
        return self._memo(self._near, self._nearby, word_stem)

    def _memo(self, memo: dict, compute, key: str) -> tuple[str, ...]:
        found = memo.get(key)
        if found is None:
            found = compute(key)
            if len(memo) >= self.MEMO_ENTRIES:
                memo.clear()
            memo[key] = found
        return found

    def _split(self, word: str) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        for i in range(len(word) - self.MIN_PART, self.MIN_PART - 1, -1):
            left, right = word[:i], word[i:]
            heads = [left] + [left[: -len(k)] for k in _LINKS
                              if left.endswith(k) and len(left) - len(k) >= self.MIN_PART]
            head = next((h for h in heads if h in self.surface or (len(h) >= 4 and stem(h) in self.stems)), None)
            if head is None:
                continue
            if self.knows(right) and len(right) >= self.MIN_PART:
                tail: tuple[str, ...] = (stem(right),)
            else:
                tail = self.split(right) if len(right) >= 2 * self.MIN_PART else ()
            if tail:
                candidate = (stem(head),) + tail
                if not best or len(candidate) < len(best):
                    best = candidate
                if len(best) == 2:
                    break
        return best

    def _nearby(self, word_stem: str) -> tuple[str, ...]:
        if len(word_stem) < 5:
            return ()
        limit = 2 if len(word_stem) >= 9 else 1
        found: list[tuple[int, str]] = []
        for length in range(len(word_stem) - limit, len(word_stem) + limit + 1):
            for candidate in self._by_start.get((word_stem[:1], length), ()):
                d = edit_distance(word_stem, candidate, limit)
                if d <= limit:
                    found.append((d, candidate))
        found.sort()
        return tuple(c for _, c in found[:3])
