"""Writing the search index: the Dutch analysers, the schema, the documents read from the store,
a full build and the in-place update after a save.

Each document carries a digest of its words, so an update after a save compares against the
index on disk and rewrites only what changed (no second reading of the previous store).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import unicodedata
from pathlib import Path

from whoosh import index as windex
from whoosh.analysis import (
    CharsetFilter,
    LanguageAnalyzer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map
from whoosh.writing import NO_MERGE

from toolbox.config import Settings
from toolbox.graph.store import load_query
from toolbox.graph.text_links import plain_text
from toolbox.namespaces import TOR, TYPE_SEGMENTS, split_id
from toolbox.search.dutch import STOPWORDS

SEGMENTS_BEFORE_MERGE = 8
DUTCH_STOPWORDS = STOPWORDS  # one list for search and for placing situations (toolbox.dutch)


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
        digest=STORED(),  # of the document's words: an update after a save skips what did not change
    )


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def documents(settings: Settings, store, only: set[str] | None = None) -> list[dict]:
    """Search documents from the store (works with both the embedded and a remote store); with `only`,
    just the documents of those things (after a save: what it changed)."""
    def query(name: str) -> str:
        return load_query(name) if only is None else _restricted(load_query(name), only)

    if only is not None and not only:
        return []
    parts = {r["s"]: r["parts"] for r in store.select(query("search-parts"))}
    context = {r["s"]: r["context"] for r in store.select(query("search-context"))}
    spread: dict[str, list[list]] = {}
    for r in store.select(query("search-spread")):
        spread.setdefault(r["s"], []).append([r["target"], float(r["weight"])])
    levels: dict[str, set[str]] = {}
    categories: dict[str, set[str]] = {}
    for r in store.select(query("search-facets")):
        if r.get("level"):
            levels.setdefault(r["s"], set()).add(_local(r["level"]))
        if r.get("category"):
            categories.setdefault(r["s"], set()).add(_local(r["category"]))
    docs = []
    for r in store.select(query("search-documents")):
        ident = split_id(r["s"], settings.base_uri)
        segment = TYPE_SEGMENTS.get(r["class"].replace(str(TOR), ""), ident[0] if ident else "")
        names = " ".join(x for x in (r["label"], r.get("alts") or "", context.get(r["s"], "")) if x)
        docs.append(
            {
                "uri": r["s"],
                "type": segment,
                "label": r["label"],
                "alt": r.get("alts") or "",
                "text": plain_text(r.get("text") or ""),  # [tekst](…) links count as their text
                "parts": parts.get(r["s"], ""),
                "context": context.get(r["s"], ""),
                "grams": names,
                "level": ",".join(sorted(levels.get(r["s"], ()))),
                "category": ",".join(sorted(categories.get(r["s"], ()))),
                "spread": spread.get(r["s"], []),
            }
        )
    for doc in docs:
        doc["digest"] = digest(doc)
    return docs


def digest(doc: dict) -> str:
    fields = {k: v for k, v in doc.items() if k != "digest"}
    return hashlib.sha256(repr(_canonical(fields)).encode("utf-8")).hexdigest()[:24]


def build_index(settings: Settings, store, index_dir: Path) -> int:
    """Write a fresh index next to the old one and swap it in, so readers never see half an index."""
    from toolbox.graph.store import EmbeddedStore

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


def update_index(settings: Settings, store, index_dir: Path) -> int:
    """Bring an existing index in line with the store, rewriting only documents that changed.

    For a save in the editor: a case edit changes its own document and the context of the
    things it links to, a handful of documents instead of all of them. What changed is read
    from the digests stored in the index itself, so it holds after a restart or a failed save.
    A missing or unreadable index is built afresh. Returns how many documents were written.
    """
    from toolbox.graph.store import EmbeddedStore

    if not hasattr(store, "select"):
        store = EmbeddedStore(settings, store)
    docs = documents(settings, store)
    try:
        ix = windex.open_dir(str(index_dir))
        if set(ix.schema.names()) != set(schema().names()):
            raise ValueError("index of an older schema")
        with ix.searcher() as searcher:
            stored = {f["uri"]: f.get("digest") for f in searcher.all_stored_fields()}
    except Exception:  # missing, unreadable or of an older schema
        return build_index(settings, store, index_dir)
    new = {d["uri"]: d for d in docs}
    changed = [d for uri, d in new.items() if stored.get(uri) != d["digest"]]
    removed = [uri for uri in stored if uri not in new]
    if changed or removed:
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
    return len(changed) + len(removed)


def _restricted(query: str, subjects: set[str]) -> str:
    """The query for these subjects only: `VALUES ?s` opens its innermost group (each search query
    names the thing of a document ?s)."""
    at = query.rindex("WHERE {") + len("WHERE {")
    values = " ".join(f"<{s}>" for s in sorted(subjects))
    return query[:at] + f" VALUES ?s {{ {values} }} " + query[at:]


def update_documents(settings: Settings, store, index_dir: Path, subjects: set[str]) -> int:
    """Rewrite the documents of these things only (a thing that no longer has one is deleted): the
    index after a save, when the caller knows which documents the changed statements feed."""
    from toolbox.graph.store import EmbeddedStore

    if not hasattr(store, "select"):
        store = EmbeddedStore(settings, store)
    docs = {d["uri"]: d for d in documents(settings, store, only=subjects)}
    ix = windex.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        stored = {s: (searcher.document(uri=s) or {}).get("digest") for s in subjects}
    changed = [d for uri, d in docs.items() if stored.get(uri) != d["digest"]]
    removed = [s for s in subjects if s not in docs and stored.get(s) is not None]
    if changed or removed:
        writer = ix.writer(timeout=30.0)
        try:
            for uri in removed:
                writer.delete_by_term("uri", uri)
            for doc in changed:
                writer.update_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        # a small segment per save, merged once there are a few: merging on every commit cost more
        # than the rest of a save (the answers do not depend on segments, toolbox.search.searching)
        many = len(ix._segments()) >= SEGMENTS_BEFORE_MERGE
        writer.commit(mergetype=None if many else NO_MERGE)
    return len(changed) + len(removed)


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
