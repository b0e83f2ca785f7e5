"""Dutch full-text search over every entity, with a whoosh index built once per content version.

Analysis: lower case, accent folding, Dutch stop words and Snowball stemming; word
n-grams on names catch partial words, compound parts and small typos; fuzzy terms
catch the rest. A described situation works as a query because every word counts
(OR with summed scores) and each document also carries the names of what it links to.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as windex
from whoosh import query as Q
from whoosh.analysis import (
    CharsetFilter,
    LanguageAnalyzer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from .config import Settings
from .namespaces import TOR, TYPE_SEGMENTS, split_id
from .store import load_query

DUTCH_STOPWORDS = frozenset(stopwords_for_language("nl")) | {
    "ik", "we", "wij", "jij", "je", "ons", "onze", "willen", "wil", "gaan", "moet", "moeten",
    "kan", "kunnen", "hoe", "wat", "welke", "waar", "wanneer", "mijn", "graag", "bezig", "zijn",
}

# Labels per type for facets and result lists (singular, Dutch).
TYPE_LABELS = {
    "stap": "Processtap", "checklist": "Checklist", "tool": "Tool", "hulpmiddel": "Hulpmiddel",
    "rol": "Rol", "competentie": "Competentie", "organisatietype": "Organisatie",
    "randvoorwaarde": "Randvoorwaarde", "notitie": "Organisatie en cultuur", "knelpunt": "Knelpunt",
    "casus": "Casus", "thema": "Thema", "niveau": "Niveau", "dimensie": "Dimensie",
    "projecttype": "Projecttype", "ontwikkelteam": "Ontwikkelteam", "cluster": "Cluster",
    "gemeente": "Gemeente", "toolcategorie": "Toolcategorie", "tip": "Tip",
}
# Small nudge so that process steps, checklists and tools lead when scores are close.
TYPE_BOOST = {"stap": 1.3, "checklist": 1.3, "tool": 1.2, "knelpunt": 1.1, "casus": 1.0}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def dutch_analyzer():
    return LanguageAnalyzer("nl") | CharsetFilter(accent_map)


def gram_analyzer():
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=DUTCH_STOPWORDS)
        | NgramFilter(minsize=4, maxsize=5)
    )


def schema() -> Schema:
    text = dutch_analyzer()
    return Schema(
        uri=ID(stored=True, unique=True),
        type=KEYWORD(stored=True, commas=True),
        label=TEXT(analyzer=text, stored=True, field_boost=5.0),
        alt=TEXT(analyzer=text, stored=True, field_boost=3.0),
        text=TEXT(analyzer=text, stored=True, field_boost=1.0),
        parts=TEXT(analyzer=text, stored=False, field_boost=0.7),
        context=TEXT(analyzer=text, stored=False, field_boost=0.8),
        grams=TEXT(analyzer=gram_analyzer(), stored=False, field_boost=0.6),
        level=KEYWORD(stored=True, commas=True),
        category=KEYWORD(stored=True, commas=True),
        spread=STORED(),
    )


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def documents(settings: Settings, store) -> list[dict]:
    """Search documents from the store (works with both the embedded and a remote store)."""
    parts = {r["s"]: r["parts"] for r in store.select(load_query("search-parts"))}
    context = {r["s"]: r["context"] for r in store.select(load_query("search-context"))}
    spread: dict[str, list[list]] = {}
    for r in store.select(load_query("search-spread")):
        spread.setdefault(r["s"], []).append([r["target"], float(r["weight"])])
    levels: dict[str, set[str]] = {}
    categories: dict[str, set[str]] = {}
    for r in store.select(load_query("search-facets")):
        if r.get("level"):
            levels.setdefault(r["s"], set()).add(_local(r["level"]))
        if r.get("category"):
            categories.setdefault(r["s"], set()).add(_local(r["category"]))
    docs = []
    for r in store.select(load_query("search-documents")):
        ident = split_id(r["s"], settings.base_uri)
        segment = TYPE_SEGMENTS.get(r["class"].replace(str(TOR), ""), ident[0] if ident else "")
        names = " ".join(x for x in (r["label"], r.get("alts") or "", context.get(r["s"], "")) if x)
        docs.append(
            {
                "uri": r["s"],
                "type": segment,
                "label": r["label"],
                "alt": r.get("alts") or "",
                "text": r.get("text") or "",
                "parts": parts.get(r["s"], ""),
                "context": context.get(r["s"], ""),
                "grams": names,
                "level": ",".join(sorted(levels.get(r["s"], ()))),
                "category": ",".join(sorted(categories.get(r["s"], ()))),
                "spread": spread.get(r["s"], []),
            }
        )
    return docs


def build_index(settings: Settings, store, index_dir: Path) -> int:
    """Write a fresh index next to the old one and swap it in, so readers never see half an index."""
    from .store import EmbeddedStore

    if not hasattr(store, "select"):
        store = EmbeddedStore(settings, store)
    docs = documents(settings, store)
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=index_dir.parent, prefix="index-"))
    ix = windex.create_in(str(tmp), schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    old = index_dir.with_name(index_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if index_dir.exists():
        index_dir.rename(old)
    tmp.rename(index_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    return len(docs)


def update_index(settings: Settings, store, index_dir: Path, previous: list[dict]) -> list[dict]:
    """Bring an existing index in line with the store, rewriting only documents that changed.

    For a save in the editor: `previous` are the documents of the store the index was built
    from (`documents(settings, old_store)`); a case edit changes its own document and the
    context of the things it links to, a handful of documents instead of all of them.
    Returns the new documents.
    """
    from .store import EmbeddedStore

    if not hasattr(store, "select"):
        store = EmbeddedStore(settings, store)
    docs = documents(settings, store)
    old = {d["uri"]: d for d in previous}
    new = {d["uri"]: d for d in docs}
    changed = [d for uri, d in new.items() if uri not in old or _canonical(old[uri]) != _canonical(d)]
    removed = [uri for uri in old if uri not in new]
    try:
        in_step = windex.open_dir(str(index_dir)).doc_count() == len(old)
    except Exception:  # missing or unreadable index
        in_step = False
    if not in_step:
        build_index(settings, store, index_dir)
    elif changed or removed:
        ix = windex.open_dir(str(index_dir))
        writer = ix.writer(timeout=30.0)
        try:
            for uri in removed:
                writer.delete_by_term("uri", uri)
            for doc in changed:
                writer.update_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return docs


def _canonical(doc: dict) -> tuple:
    """A document up to the order of its parts: GROUP_CONCAT order differs between stores that
    hold the same triples, and the index only sees the words (no phrase queries)."""
    out = []
    for key in sorted(doc):
        value = doc[key]
        if key == "spread":
            out.append((key, tuple(sorted(tuple(x) for x in value))))
        elif isinstance(value, str):
            out.append((key, tuple(sorted(value.replace("|", " ").split()))))
        else:
            out.append((key, value))
    return tuple(out)


@dataclass
class Hit:
    uri: str
    type: str
    type_label: str
    label: str
    snippet: str
    score: float
    level: list[str]
    category: list[str]


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestions: list[str] = field(default_factory=list)


class SearchIndex:
    """Opens the index once; each search uses a fresh searcher so a rebuilt index is picked up."""

    FIELDS = ("label", "alt", "text", "parts", "context")

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._ix = windex.open_dir(str(self.index_dir))
        self._text = dutch_analyzer()
        self._grams = gram_analyzer()

    def reload(self) -> None:
        self._ix = windex.open_dir(str(self.index_dir))

    def _words(self, text: str) -> list[str]:
        return [w for w in re.findall(r"[\w'-]+", _fold(text)) if w not in DUTCH_STOPWORDS and len(w) > 1]

    def build_query(self, text: str):
        clauses = []
        for word in self._words(text)[:30]:
            stems = [t.text for t in self._text(word)]
            if not stems:
                continue
            stem = stems[0]
            per_word = [Q.Term(f, stem) for f in self.FIELDS]
            if len(word) >= 3:
                per_word.append(Q.Prefix("label", word, boost=0.8))
                per_word.append(Q.Prefix("alt", word, boost=0.6))
            if len(stem) >= 5:
                per_word.append(Q.FuzzyTerm("label", stem, maxdist=1, prefixlength=2, boost=0.5))
                per_word.append(Q.FuzzyTerm("text", stem, maxdist=1, prefixlength=2, boost=0.2))
            grams = [t.text for t in self._grams(word)]
            if grams:
                per_word.append(Q.Or([Q.Term("grams", g) for g in grams], boost=0.3 / max(1, len(grams) ** 0.5)))
            clauses.append(Q.Or(per_word))
        if not clauses:
            return None
        return Q.Or(clauses)

    def search(self, text: str, type: str | None = None, level: str | None = None,
               category: str | None = None, limit: int = 20) -> SearchResult:
        text = (text or "").strip()[:500]
        query = self.build_query(text)
        if query is None:
            return SearchResult(query=text, total=0, hits=[], facets={}, suggestions=[])
        with self._ix.searcher() as searcher:
            results = searcher.search(query, limit=None, terms=True)
            results.fragmenter = ContextFragmenter(maxchars=220, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", between=" … ")
            scored = self._spread(searcher, results)
            facets = {"type": {}, "level": {}, "category": {}}
            filtered = []
            for score, hit in scored:
                levels = [x for x in (hit.get("level") or "").split(",") if x]
                cats = [x for x in (hit.get("category") or "").split(",") if x]
                facets["type"][hit["type"]] = facets["type"].get(hit["type"], 0) + 1
                for lv in levels:
                    facets["level"][lv] = facets["level"].get(lv, 0) + 1
                for c in cats:
                    facets["category"][c] = facets["category"].get(c, 0) + 1
                if type and hit["type"] != type:
                    continue
                if level and level not in levels:
                    continue
                if category and category not in cats:
                    continue
                filtered.append((score, hit, levels, cats))
            hits = []
            for score, hit, levels, cats in filtered[:limit]:
                snippet = hit.highlights("text", top=2) or _plain_snippet(hit.get("text") or "")
                hits.append(
                    Hit(
                        uri=hit["uri"],
                        type=hit["type"],
                        type_label=TYPE_LABELS.get(hit["type"], hit["type"]),
                        label=hit["label"],
                        snippet=snippet,
                        score=round(score, 4),
                        level=levels,
                        category=cats,
                    )
                )
            suggestions = [] if filtered else self._suggest(searcher, text)
            return SearchResult(query=text, total=len(filtered), hits=hits, facets=facets, suggestions=suggestions)

    def _spread(self, searcher, results) -> list[tuple[float, object]]:
        """Scores with relevance passed along graph links (checklist → phase → its tools).

        Only strong hits (at least a third of the best) pass relevance on, in two rounds,
        so a described situation also surfaces the step and the tools that belong to it.
        """
        scores, hits = {}, {}
        for hit in results:
            scores[hit["uri"]] = hit.score * TYPE_BOOST.get(hit["type"], 0.9)
            hits[hit["uri"]] = hit
        if scores:
            for _ in range(2):
                best = max(scores.values())
                extra: dict[str, float] = {}
                for uri, score in scores.items():
                    if score < best / 3:
                        continue
                    for target, weight in hits[uri].get("spread") or []:
                        extra[target] = max(extra.get(target, 0.0), score * weight)
                for target, bonus in extra.items():
                    if target not in hits:
                        doc = next(iter(searcher.documents(uri=target)), None)
                        if doc is None:
                            continue
                        hits[target] = _StoredHit(doc)
                        scores[target] = 0.0
                    scores[target] = max(scores[target], bonus + scores[target] * 0.5)
        scored = [(score, hits[uri]) for uri, score in scores.items()]
        scored.sort(key=lambda pair: (-pair[0], pair[1]["label"]))
        return scored

    def _suggest(self, searcher, text: str) -> list[str]:
        corrector = searcher.corrector("label")
        out = []
        for word in self._words(text)[:5]:
            for suggestion in corrector.suggest(word, limit=2, maxdist=2):
                if suggestion not in out:
                    out.append(suggestion)
        return out[:6]


class _StoredHit(dict):
    """A document reached through a graph link rather than by the words: no highlights."""

    def highlights(self, field: str, top: int = 2) -> str:
        return ""


def _plain_snippet(text: str, size: int = 220) -> str:
    from markupsafe import escape

    text = " ".join(text.split())
    return str(escape(text[:size] + ("…" if len(text) > size else "")))
