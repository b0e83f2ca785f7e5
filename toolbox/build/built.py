"""The built graph, opened: make sure the build is current, then open the store on it.

Above both the build and the store, so the store never has to know how it is built.
"""

from __future__ import annotations

from toolbox.build.pipeline import ensure_built
from toolbox.config import Settings
from toolbox.graph.store import EmbeddedStore, RemoteStore


def open_store(settings: Settings) -> EmbeddedStore | RemoteStore:
    """The store the configuration asks for: remote endpoint, or the embedded build output."""
    if settings.sparql_endpoint:
        return RemoteStore(settings, settings.sparql_endpoint)
    artefacts = ensure_built(settings)
    return EmbeddedStore.from_file(settings, artefacts.dataset)
