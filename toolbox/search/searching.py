"""Dutch full-text search over every entity, with a whoosh index built once per content version.

Analysis: lower case, accent folding, Dutch stop words and Snowball stemming; word
n-grams on names catch partial words, compound parts and small typos; fuzzy terms
catch the rest. A described situation works as a query because every word counts
(OR with summed scores) and each document also carries the names of what it links to.
"""

from __future__ import annotations

import math
import re
import threading
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as windex
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.highlight import highlight as whoosh_highlight

from toolbox.lru import LRUCache
from toolbox.search.indexing import DUTCH_STOPWORDS, _fold, dutch_analyzer, gram_analyzer

# Labels per type for facets and result lists (singular, Dutch).
TYPE_LABELS = {
    "stap": "Processtap", "checklist": "Checklist", "tool": "Tool", "hulpmiddel": "Hulpmiddel",
    "rol": "Rol", "competentie": "Competentie", "organisatietype": "Organisatie",
    "randvoorwaarde": "Randvoorwaarde", "notitie": "Organisatie en cultuur", "knelpunt": "Knelpunt",
    "casus": "Casus", "thema": "Thema", "niveau": "Niveau", "dimensie": "Dimensie",
    "projecttype": "Projecttype", "ontwikkelteam": "Ontwikkelteam", "cluster": "Cluster",
    "gemeente": "Gemeente", "toolcategorie": "Toolcategorie", "tip": "Tip",
}
# Nudges so that process steps, checklists and tools lead when scores are close, and the words of
# lists (themes, clusters, dimensions, ...) do not push them down: those match many queries by name.
TYPE_BOOST = {"stap": 1.3, "checklist": 1.3, "tool": 1.2, "hulpmiddel": 1.1, "knelpunt": 1.1, "casus": 1.0,
              "thema": 0.7, "cluster": 0.7, "dimensie": 0.7, "projecttype": 0.7, "ontwikkelteam": 0.7,
              "toolcategorie": 0.7, "gemeente": 0.7, "niveau": 0.8}


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
    """Scores queries term at a time over posting lists read from the whoosh index.

    whoosh's own matchers score document at a time in pure Python, which took a second per
    query at 100x content. Here each (field, term) posting list is read once per index
    snapshot into compact arrays of document numbers and BM25F scores; a query then adds up
    a few arrays. The small stored fields (uri, type, label, facets, links) are held in memory
    too, so ranking, facets and spreading never touch the disk. One snapshot per instance:
    the site makes a new SearchIndex whenever the index is rebuilt or updated. What a snapshot
    read from a segment stays with that segment (_Segment), so after a save the new snapshot
    reads only the segment the save added.
    """

    FIELDS = ("label", "alt", "text", "parts", "context")
    B, K1 = 0.75, 1.2  # whoosh's BM25F defaults
    POSTINGS_CACHED = 20_000  # (field, term) lists kept; the rest are read again when needed
    RESULTS_CACHED = 512  # answers kept per snapshot, for repeated queries (suggestions, guide)

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._ix = windex.open_dir(str(self.index_dir))
        self._text = dutch_analyzer()
        self._grams = gram_analyzer()
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._results = LRUCache(max_entries=self.RESULTS_CACHED)

    def reload(self) -> None:
        with self._lock:
            self._ix = windex.open_dir(str(self.index_dir))
            self._snapshot = None
            self._results.clear()

    def _snap(self) -> _Snapshot:
        snap = self._snapshot
        if snap is None:
            with self._lock:
                if self._snapshot is None:
                    self._snapshot = _Snapshot(self._ix.reader(), self.index_dir)
                snap = self._snapshot
        return snap

    def _words(self, text: str) -> list[str]:
        return [w for w in re.findall(r"[\w'-]+", _fold(text)) if w not in DUTCH_STOPWORDS and len(w) > 1]

    def plan(self, text: str) -> list[tuple[str, str, str, float]]:
        """The query as clauses (kind, field, text, boost); kind is term (BM25F), prefix or fuzzy
        (a constant score for any document with a matching term). Every clause adds to the score."""
        clauses = []
        for word in self._words(text)[:30]:
            stems = [t.text for t in self._text(word)]
            if not stems:
                continue
            stem = stems[0]
            clauses += [("term", f, stem, 1.0) for f in self.FIELDS]
            if len(word) >= 3:
                clauses += [("prefix", "label", word, 0.8), ("prefix", "alt", word, 0.6)]
            if len(stem) >= 5:
                clauses += [("fuzzy", "label", stem, 0.5), ("fuzzy", "text", stem, 0.2)]
            grams = [t.text for t in self._grams(word)]
            clauses += [("term", "grams", g, 0.3 / max(1, len(grams) ** 0.5)) for g in grams]
        return clauses

    def search(self, text: str, type: str | None = None, level: str | None = None,
               category: str | None = None, limit: int = 20, offset: int = 0, snippets: bool = True) -> SearchResult:
        """Ranked hits offset..offset+limit; total and facets count every match. Without snippets no text
        is highlighted (most of the time of a long list), for callers that only need the things."""
        text = (text or "").strip()[:500]
        key = (text, type, level, category, limit, offset, snippets)
        result = self._results.get(key)
        if result is None:
            result = self._search(text, type, level, category, limit, offset, snippets)
            self._results.put(key, result)
        return result

    def _search(self, text, type, level, category, limit, offset=0, snippets=True) -> SearchResult:
        clauses = self.plan(text)
        if not clauses:
            return SearchResult(query=text, total=0, hits=[], facets={}, suggestions=[])
        snap = self._snap()
        raw: dict[int, float] = {}
        highlight_terms: set[str] = set()
        for kind, fieldname, term, boost in clauses:
            if kind == "term":
                ids, scores = snap.postings(fieldname, term, self.B, self.K1)
                for doc, score in zip(ids, scores, strict=True):
                    raw[doc] = raw.get(doc, 0.0) + score * boost
                if ids and fieldname == "text":
                    highlight_terms.add(term)
            else:
                terms = snap.expand(kind, fieldname, term)
                matched: set[int] = set()
                for t in terms:
                    matched.update(snap.postings(fieldname, t, self.B, self.K1)[0])
                for doc in matched:
                    raw[doc] = raw.get(doc, 0.0) + boost
                if fieldname == "text":
                    highlight_terms.update(terms)
        scored = self._spread(snap, raw)
        facets = {"type": {}, "level": {}, "category": {}}
        filtered = []
        for score, doc in scored:
            facets["type"][doc.type] = facets["type"].get(doc.type, 0) + 1
            for lv in doc.levels:
                facets["level"][lv] = facets["level"].get(lv, 0) + 1
            for c in doc.categories:
                facets["category"][c] = facets["category"].get(c, 0) + 1
            if (type and doc.type != type) or (level and level not in doc.levels) or \
                    (category and category not in doc.categories):
                continue
            filtered.append((score, doc))
        hits = []
        for score, doc in filtered[offset:offset + limit]:
            snippet = self._snippet(snap, doc, raw, highlight_terms) if snippets else ""
            hits.append(Hit(uri=doc.uri, type=doc.type, type_label=TYPE_LABELS.get(doc.type, doc.type),
                            label=doc.label, snippet=snippet, score=round(score, 4),
                            level=list(doc.levels), category=list(doc.categories)))
        suggestions = [] if filtered else self._suggest(snap, text)
        return SearchResult(query=text, total=len(filtered), hits=hits, facets=facets, suggestions=suggestions)

    def _snippet(self, snap: _Snapshot, doc: _Doc, raw: dict[int, float], highlight_terms) -> str:
        """The stored text around the matched words, marked; else its beginning."""
        if doc.docnum not in raw or not highlight_terms:
            return _plain_snippet(snap.text(doc.docnum))

        def make(stored_text: str) -> str:
            marked = whoosh_highlight(stored_text, highlight_terms, self._text,
                                      ContextFragmenter(maxchars=220, surround=60),
                                      HtmlFormatter(tagname="mark", between=" … "), top=2)
            return marked or _plain_snippet(stored_text)

        return snap.snippet(doc.docnum, frozenset(highlight_terms), make)

    def _spread(self, snap: _Snapshot, raw: dict[int, float]) -> list[tuple[float, _Doc]]:
        """Scores with relevance passed along graph links (checklist → phase → its tools).

        Only strong hits (at least a third of the best) pass relevance on, in two rounds,
        so a described situation also surfaces the step and the tools that belong to it.
        """
        scores = {}
        for docnum, score in raw.items():
            doc = snap.docs.get(docnum)
            if doc is not None:  # None: deleted in a later update of the index
                scores[doc.uri] = score * TYPE_BOOST.get(doc.type, 0.9)
        if scores:
            for _ in range(2):
                best = max(scores.values())
                extra: dict[str, float] = {}
                for uri, score in scores.items():
                    if score < best / 3:
                        continue
                    for target, weight in snap.by_uri[uri].spread:
                        extra[target] = max(extra.get(target, 0.0), score * weight)
                for target, bonus in extra.items():
                    if target not in snap.by_uri:
                        continue
                    scores[target] = max(scores.get(target, 0.0), bonus + scores.get(target, 0.0) * 0.5)
        scored = [(score, snap.by_uri[uri]) for uri, score in scores.items()]
        scored.sort(key=lambda pair: (-pair[0], pair[1].label, pair[1].uri))  # the same order in every index
        return scored

    def _suggest(self, snap: _Snapshot, text: str) -> list[str]:
        out = []
        for word in self._words(text)[:5]:
            for suggestion in snap.suggest(word):
                if suggestion not in out:
                    out.append(suggestion)
        return out[:6]


@dataclass(frozen=True, slots=True)
class _Doc:
    docnum: int
    uri: str
    type: str
    label: str
    levels: tuple[str, ...]
    categories: tuple[str, ...]
    spread: tuple[tuple[str, float], ...]


class _Segment:
    """What queries read from one whoosh segment, kept across snapshots.

    A segment never changes once written: an update adds a small segment and marks the old
    documents deleted. So after a save a new snapshot reads only the new segment, and takes the
    rest from here; deletions, counts and scores are worked out per snapshot, so its answers are
    those of a snapshot read afresh."""

    def __init__(self):
        self.fields: list[tuple] | None = None  # per document: uri, type, label, levels, categories, spread
        self.lengths: dict[str, array] = {}
        self.postings = LRUCache(max_entries=SearchIndex.POSTINGS_CACHED)  # (field, term) -> (ids, weights)
        self.expansions: dict[tuple, list[str]] = {}
        self.texts = LRUCache(max_entries=2_000)
        self.snippets = LRUCache(max_entries=4_000)  # (document, highlighted terms) -> snippet


_SEGMENTS = LRUCache(max_entries=64)  # (index folder, segment id) -> _Segment
_SEGMENTS_LOCK = threading.Lock()


def _segment(index_dir: Path, leaf) -> _Segment:
    key = (str(index_dir), leaf.segment().segment_id())
    with _SEGMENTS_LOCK:
        found = _SEGMENTS.get(key)
        if found is None:
            found = _Segment()
            _SEGMENTS.put(key, found)
        return found


class _Snapshot:
    """One open reader with what queries need from it, memoised; the reader is used under a lock
    (whoosh readers share file handles), the memoised arrays are read without one. What a segment
    holds comes from (and goes to) its _Segment."""

    def __init__(self, reader, index_dir: Path):
        self.reader = reader
        self.lock = threading.Lock()
        self.leaves: list[tuple[object, int, _Segment]] = []  # (segment reader, first docnum, its cache)
        self.docs: dict[int, _Doc] = {}
        for leaf, offset in reader.leaf_readers():
            segment = _segment(index_dir, leaf)
            self.leaves.append((leaf, offset, segment))
            if segment.fields is None:
                segment.fields = [_stored(leaf.stored_fields(d)) for d in range(leaf.doc_count_all())]
            deleted = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
            for local, fields in enumerate(segment.fields):
                if local not in deleted:
                    self.docs[offset + local] = _Doc(offset + local, *fields)
        self.offsets = [offset for _, offset, _ in self.leaves]
        self.by_uri = {d.uri: d for d in self.docs.values()}
        self.count = max(1, len(self.docs))
        self._lengths: dict[str, tuple[array, float]] = {}
        self._postings = LRUCache(max_entries=SearchIndex.POSTINGS_CACHED)
        self._expansions: dict[tuple, list[str]] = {}

    def _leaf(self, docnum: int) -> tuple[object, int, _Segment]:
        return self.leaves[bisect_right(self.offsets, docnum) - 1]

    def _field_lengths(self, fieldname: str) -> tuple[array, float]:
        """Per document the length of a field, and the average over live documents (once per field)."""
        found = self._lengths.get(fieldname)
        if found is None:
            lengths = array("f")
            for leaf, _, segment in self.leaves:
                kept = segment.lengths.get(fieldname)
                if kept is None:
                    kept = segment.lengths[fieldname] = array(
                        "f", (leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all())))
                lengths.extend(kept)
            average = (sum(lengths[d] for d in self.docs) / self.count) or 1.0
            found = self._lengths[fieldname] = (lengths, average)
        return found

    def postings(self, fieldname: str, term: str, b: float, k1: float) -> tuple[array, array]:
        """Live document numbers containing term in fieldname, with their BM25F scores."""
        key = (fieldname, term)
        found = self._postings.get(key)
        if found is not None:
            return found
        with self.lock:
            found = self._postings.get(key)  # another thread may have read it meanwhile
            if found is not None:
                return found
            ids, scores = array("i"), array("f")
            live: list[tuple[int, float]] = []
            for leaf, offset, segment in self.leaves:
                read = segment.postings.get(key)
                if read is None:
                    read = (array("i"), array("f"))
                    if key in leaf:
                        m = _every_posting(leaf, fieldname, term)
                        while m.is_active():
                            read[0].append(m.id())
                            read[1].append(m.weight())
                            m.next()
                    segment.postings.put(key, read)
                # live documents only: after updates in place the reader's own count still holds the
                # deleted ones, and the answers must be those of an index built afresh
                live += [(offset + d, w) for d, w in zip(*read, strict=True) if offset + d in self.docs]
            if live:
                lengths, avg = self._field_lengths(fieldname)
                idf = math.log(self.count / (len(live) + 1)) + 1.0
                for doc, w in live:
                    ids.append(doc)
                    scores.append(idf * (w * (k1 + 1)) / (w + k1 * ((1 - b) + b * lengths[doc] / avg)))
            found = (ids, scores)
            self._postings.put(key, found)
        return found

    def expand(self, kind: str, fieldname: str, text: str) -> list[str]:
        """Index terms a prefix or fuzzy clause stands for (fuzzy: one edit, first two letters fixed)."""
        key = (kind, fieldname, text)
        terms = self._expansions.get(key)
        if terms is None:
            found: set[str] = set()
            with self.lock:
                for leaf, _, segment in self.leaves:
                    kept = segment.expansions.get(key)
                    if kept is None:
                        if kind == "prefix":
                            raw = leaf.expand_prefix(fieldname, text)
                        else:
                            raw = leaf.terms_within(fieldname, text, 1, prefix=2)
                        kept = segment.expansions[key] = [t.decode("utf-8") if isinstance(t, bytes) else t
                                                          for t in raw]
                    found.update(kept)
            terms = self._expansions[key] = sorted(found)
        return terms

    def text(self, docnum: int) -> str:
        leaf, offset, segment = self._leaf(docnum)
        found = segment.texts.get(docnum - offset)
        if found is None:
            with self.lock:
                found = leaf.stored_fields(docnum - offset).get("text") or ""
            segment.texts.put(docnum - offset, found)
        return found

    def snippet(self, docnum: int, terms: frozenset, make) -> str:
        """make(text) for this document's text, kept with its segment (the same text and terms give the
        same snippet in every snapshot)."""
        _, offset, segment = self._leaf(docnum)
        key = (docnum - offset, terms)
        found = segment.snippets.get(key)
        if found is None:
            found = make(self.text(docnum))
            segment.snippets.put(key, found)
        return found

    def suggest(self, word: str) -> list[str]:
        with self.lock:
            from whoosh.spelling import ReaderCorrector

            corrector = ReaderCorrector(self.reader, "label", self.reader.schema["label"])
            return list(corrector.suggest(word, limit=2, maxdist=2))


def _every_posting(leaf, fieldname: str, term: str):
    """The segment's postings of a term with its deleted documents still in: the segment keeps them for
    every later snapshot, which has deleted more (leaf.postings leaves out those deleted when it opened)."""
    return leaf._terms.matcher(fieldname, leaf._text_to_bytes(fieldname, term), leaf.schema[fieldname].format)


def _stored(f: dict) -> tuple:
    return (f["uri"], f["type"], f["label"],
            tuple(x for x in (f.get("level") or "").split(",") if x),
            tuple(x for x in (f.get("category") or "").split(",") if x),
            tuple((t, float(w)) for t, w in (f.get("spread") or [])))


def _plain_snippet(text: str, size: int = 220) -> str:
    from markupsafe import escape

    text = " ".join(text.split())
    return str(escape(text[:size] + ("…" if len(text) > size else "")))
