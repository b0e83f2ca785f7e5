"""What the site holds in memory per content version: store, graph model, search index."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app

from toolbox.build import ensure_built, read_manifest
from toolbox.config import Settings
from toolbox.model import GraphModel
from toolbox.search import SearchIndex, build_index
from toolbox.store import EmbeddedStore, RemoteStore


@dataclass
class SiteState:
    settings: Settings
    store: object
    model: GraphModel
    search: SearchIndex
    version: str
    cache: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, settings: Settings) -> SiteState:
        if settings.sparql_endpoint:
            # The external store already holds the data; the index is built from it once.
            store = RemoteStore(settings, settings.sparql_endpoint)
            index_dir = settings.build_dir / "index-remote"
            build_index(settings, store, index_dir)
            version = "remote"
        else:
            artefacts = ensure_built(settings)
            store = EmbeddedStore.from_file(settings, artefacts.dataset)
            index_dir = artefacts.index_dir
            version = artefacts.version
        model = GraphModel.from_store(store, settings.base_uri)
        return cls(settings, store, model, SearchIndex(index_dir), version)

    def cached(self, key, compute):
        """Memoise a derived view for this content version."""
        try:
            return self.cache[key]
        except KeyError:
            value = compute()
            self.cache[key] = value
            return value

    @property
    def manifest(self) -> dict:
        return read_manifest(self.settings) or {}


def state() -> SiteState:
    return current_app.extensions["toolbox"]


def reload_state(app) -> SiteState:
    """Swap in a freshly built state (after an edit): requests in flight keep the old one."""
    new = SiteState.load(app.config["TOOLBOX"])
    app.extensions["toolbox"] = new
    return new
