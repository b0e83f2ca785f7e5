"""After a save: the build artefacts follow without a full build (store, dataset file, index, manifest)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rdflib import Graph

from .config import Settings
from .files import atomic_write

_publish_lock = threading.Lock()
_publish_generation = [0]


def refresh_build(settings: Settings, content: Graph, previous_store=None, index_dir: Path | None = None):
    """Store, dataset file, search index and manifest for edited content, without a full build.

    The content graph was validated by the save (SHACL on the case; OWL is left to CI and
    to `toolbox build`). Writes ``graph.nq`` at once (the SPARQL workers of the new content
    version load it), updates the search index in place and, in the background, the
    downloads and then the manifest, so a restart reuses all of it.
    Returns (EmbeddedStore, content version).
    """
    import pyoxigraph as ox

    from .build import artefact_paths, build_store, content_version, make_manifest
    from .search import documents, update_index
    from .store import EmbeddedStore

    started = time.monotonic()
    paths = artefact_paths(settings)
    version = content_version(settings)
    raw, counts = build_store(settings, content)
    store = EmbeddedStore(settings, raw)
    atomic_write(paths.dataset, raw.dump(format=ox.RdfFormat.N_QUADS) or b"")
    old_docs = documents(settings, previous_store) if previous_store is not None else []
    update_index(settings, store, index_dir or paths.index_dir, old_docs)
    manifest = make_manifest(version, len(raw), counts, started, incremental=True, owl=False)
    with _publish_lock:
        _publish_generation[0] += 1
        generation = _publish_generation[0]
    thread = threading.Thread(target=_publish_rest, args=(settings, raw, manifest, generation),
                              name="toolbox-publish", daemon=True)
    thread.start()
    return store, version


def _publish_rest(settings: Settings, raw, manifest: dict, generation: int) -> None:
    import json
    import logging

    from .build import artefact_paths

    with _publish_lock:
        if generation != _publish_generation[0]:
            return  # a newer save publishes its own
        try:
            try:
                from .dataset import write_dumps
            except ImportError:  # pragma: no cover - older checkouts without downloads
                write_dumps = None
            if write_dumps is not None:
                write_dumps(settings, raw)
            atomic_write(artefact_paths(settings).manifest, json.dumps(manifest, indent=2).encode())
        except Exception:  # never take the site down for a download file
            logging.getLogger(__name__).exception("Downloads na opslaan niet bijgewerkt")


def wait_for_publication(timeout: float = 30.0) -> None:
    """For tests and shutdown: wait until background publication is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(t.name == "toolbox-publish" and t.is_alive() for t in threading.enumerate()):
            return
        time.sleep(0.05)

