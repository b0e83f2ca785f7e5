"""What the site holds in memory per content version: store, graph model, search index."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from toolbox.accounts.registry import audit
from toolbox.build.pipeline import read_manifest
from toolbox.build.recovery import open_built
from toolbox.config import Settings
from toolbox.graph.model import GraphModel
from toolbox.graph.remote_copy import remote_copy
from toolbox.graph.store import EmbeddedStore, RemoteStore
from toolbox.guide.ranker import SituationRanker
from toolbox.lru import LRUCache
from toolbox.process import release_freed_memory
from toolbox.search.indexing import build_index
from toolbox.search.searching import SearchIndex
from toolbox.sparql.endpoint import hand_over
from webapp.page_cache import PageCache, current_state

_MISSING = object()
RELEASE_AFTER_SECONDS = 30.0  # longer than a page takes, even under load


@dataclass
class SiteState:
    settings: Settings
    # The store, or after a save a function that opens it: nothing on a page reads it (pages read
    # the model, SPARQL goes to its workers), so the site does not wait for its on-disk copy.
    _store: object
    model: GraphModel
    search: SearchIndex
    version: str
    # Derived views kept per content version; the least recently used go first, so a crawler
    # walking every page of a large graph cannot grow the memory without bound.
    cache: LRUCache = field(default_factory=lambda: LRUCache(max_entries=SiteState.CACHE_ENTRIES))
    page_cache: PageCache = field(default_factory=PageCache)
    _ranker: SituationRanker | None = field(default=None, repr=False)
    _ranker_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # After a save in place: (the state before it, the statements the save changed). The ranker is then
    # made from the previous one, keeping what the save left alone (toolbox.guide.step_profiles).
    _ranker_since: tuple[SiteState, set[tuple[str, str]]] | None = field(default=None, repr=False)
    _store_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Content files whose current version is not published (toolbox.graph.content.Problem): the site
    # serves their last good version and says so (/beheer, /health, the audit log).
    problems: list = field(default_factory=list)

    CACHE_ENTRIES = 4096

    @property
    def store(self):
        """The store of this content version (opened on first use after a save)."""
        if callable(self._store):
            with self._store_lock:
                if callable(self._store):
                    self._store = self._store()
        return self._store

    @property
    def situations(self) -> SituationRanker:
        """The situation ranker of this content version, made on first use (not evicted like views)."""
        if self._ranker is None:
            with self._ranker_lock:
                if self._ranker is None:
                    since, self._ranker_since = self._ranker_since, None  # (not kept: the old state may go)
                    previous, changed = since or (None, None)
                    self._ranker = SituationRanker(self.model, previous and previous.situations, changed)
        return self._ranker

    def warmed(self) -> SiteState:
        """Make the situation ranker in the background (seconds at 100x content), so the first
        person who describes a situation after a start or a save does not wait for all of it."""
        threading.Thread(target=lambda: self.situations, name="situation-ranker", daemon=True).start()
        return self

    @classmethod
    def load(cls, settings: Settings) -> SiteState:
        if settings.sparql_endpoint:
            # The external store holds the data; pages, index and downloads come from one checked copy.
            store = remote_copy(RemoteStore(settings, settings.sparql_endpoint))
            index_dir = settings.build_dir / "index-remote"
            build_index(settings, store, index_dir)
            version = "remote"
        else:
            return open_built(settings, lambda artefacts: cls._open(settings, artefacts))
        model = GraphModel.from_store(store, settings.base_uri)
        return cls(settings, store, model, SearchIndex(index_dir), version).warmed()

    @classmethod
    def _open(cls, settings: Settings, artefacts) -> SiteState:
        """The state over a built dataset; fails on a damaged file (toolbox.recovery then rebuilds)."""
        store = EmbeddedStore.from_file(settings, artefacts.dataset)
        model = GraphModel.from_store(store, settings.base_uri)
        search = SearchIndex(artefacts.index_dir)
        search.search("toolbox")  # reads every stored document: a damaged index fails here, not later
        return cls(settings, store, model, search, artefacts.version, problems=list(artefacts.problems)).warmed()

    @classmethod
    def after_save(cls, settings: Settings, previous: SiteState | None = None) -> SiteState:
        """Fast refresh after a save in the editor (no full build): see toolbox.publish.refresh_build.

        Model and situation ranker come ready-made from the refresh child process."""
        if settings.sparql_endpoint:
            return cls.load(settings)  # the external store is loaded by its own operators
        from toolbox.build.pipeline import artefact_paths
        from toolbox.publishing.publish import forget_publisher, publish_change, refresh_build

        index_dir = previous.search.index_dir if previous else artefact_paths(settings).index_dir
        try:  # only what the saved file touches (toolbox/publishing/publish.py, LivePublisher)
            open_store, made = publish_change(settings, index_dir)
            since = (previous, made.changed) if previous is not None and previous.version != "remote" else None
            return cls(settings, open_store, made.model, SearchIndex(index_dir), made.version,
                       problems=list(made.problems), _ranker_since=since).warmed()
        except Exception as exc:  # the full refresh below publishes the same content
            # (a string, not the exception: a kept log record would keep its frames and this state alive)
            logging.getLogger(__name__).warning("Opslaan niet ter plekke gepubliceerd (%s): volledige herbouw",
                                                str(exc))
        forget_publisher(settings)
        open_store, made = refresh_build(settings, index_dir)
        return cls(settings, open_store, made.model, SearchIndex(index_dir), made.version, _ranker=made.ranker,
                   problems=list(made.problems))

    def cached(self, key, compute):
        """Memoise a derived view for this content version (bounded, least recently used out first).

        compute runs outside any lock: two threads may both compute, and both get the same answer."""
        value = self.cache.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.cache.put(key, value)
        return value

    @property
    def manifest(self) -> dict:
        return read_manifest(self.settings) or {}


def state() -> SiteState:
    return current_state()


_reported: dict[str, tuple] = {}
_reported_lock = threading.Lock()


def report_problems(new: SiteState, when: str) -> None:
    """Log and audit the content problems of a state once, when they change (a line per change, not per save)."""
    key = tuple(sorted((p.file, p.line or 0, p.message) for p in new.problems))
    settings = new.settings
    with _reported_lock:
        place = str(settings.instance_dir)
        if _reported.get(place, ()) == key:
            return
        _reported[place] = key
    if not key:
        audit(settings, "inhoud_weer_geldig", detail={"moment": when, "versie": new.version})
        logging.getLogger(__name__).warning("De inhoud is weer geldig (versie %s).", new.version)
        return
    listed = [f"{f}:{line or '-'}: {m}" for f, line, m in key[:20]]
    audit(settings, "inhoud_niet_gepubliceerd", detail={"moment": when, "versie": new.version,
                                                        "problemen": listed, "aantal": len(key)})
    for line in listed:
        logging.getLogger(__name__).warning("Inhoud niet gepubliceerd, de site toont de laatste goede versie: %s",
                                            line)


def swap_in(app, new: SiteState) -> SiteState:
    """Make new the site's state. Requests in flight keep the old one; once they are done its
    memory is handed back to the system (without that, each save left the process larger).
    SPARQL workers for the new version start loading now; the old ones answer until they have."""
    app.extensions["toolbox"] = new
    report_problems(new, "na opslaan")
    hand_over(new.settings, new.version)
    timer = threading.Timer(RELEASE_AFTER_SECONDS, release_freed_memory)
    timer.daemon = True
    timer.start()
    return new

