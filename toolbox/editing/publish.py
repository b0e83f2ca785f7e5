"""After a save: the build artefacts follow without a full build (store, dataset file, index, manifest).

The dataset file, the search index and the manifest are written right after a save (in the
background, see webapp/beheer/refresher.py) by a child process (toolbox.refresh). The downloads (four
formats, gzipped: most of a minute at 100x content) follow, in a child process too, at a low
priority and once the editor has paused: a series of saves writes them once, and a save never
waits for the downloads of the one before. The manifest says which
content version the downloads hold; a restart in between rewrites only the downloads (see toolbox.build.ensure_built).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from toolbox.config import Settings

QUIET_SECONDS = 30.0  # no new save for this long, then the downloads are rewritten

_manifest_lock = threading.Lock()  # brief: the generation counter and manifest writes
_dumps_lock = threading.Lock()  # long: one writer of the downloads at a time
_generation = [0]
_hurry = threading.Event()  # set by wait_for_publication: skip the quiet period


def refresh_build(settings: Settings, index_dir: Path | None = None):
    """Dataset file, search index, graph model and manifest for edited content, without a full build.

    The saved case was validated by the save (SHACL on the case; OWL is left to CI and to
    `toolbox build`). The work runs in a child process over the content folder (toolbox.refresh).
    Returns (a function that opens the store over the new dataset, toolbox.refresh.Refreshed):
    pages read the graph model and SPARQL goes to its workers, so the on-disk copy of the store
    is made when something first asks for it, not while the editor waits.
    """
    from toolbox.build.pipeline import artefact_paths, make_manifest, read_manifest, write_manifest
    from toolbox.editing.refresh import make_state
    from toolbox.graph.store import EmbeddedStore

    started = time.monotonic()
    paths = artefact_paths(settings)
    made = make_state(settings, index_dir or paths.index_dir)
    dataset = paths.dataset
    def open_store():
        return EmbeddedStore.from_file(settings, dataset)
    manifest = make_manifest(made.version, made.triples, made.inferred, started, incremental=True, owl=False)
    with _manifest_lock:
        _generation[0] += 1
        generation = _generation[0]
        previous = read_manifest(settings) or {}
        write_manifest(settings, {**manifest, "downloads": previous.get("downloads")})
    threading.Thread(target=_publish_downloads, args=(settings, manifest, generation),
                     name="toolbox-publish", daemon=True).start()
    return open_store, made


def _publish_downloads(settings: Settings, manifest: dict, generation: int) -> None:
    from toolbox.build.pipeline import write_manifest
    from toolbox.editing.refresh import write_downloads

    _hurry.wait(QUIET_SECONDS)
    with _dumps_lock:
        if generation != _generation[0]:
            return  # a newer save publishes its own
        try:
            write_downloads(settings)
        except Exception:  # never take the site down for a download file
            logging.getLogger(__name__).exception("Downloads na opslaan niet bijgewerkt")
            return
        with _manifest_lock:
            if generation == _generation[0]:  # (a newer save may have replaced the dataset meanwhile)
                write_manifest(settings, {**manifest, "downloads": manifest["version"]})


def wait_for_publication(timeout: float = 30.0) -> None:
    """For tests and shutdown: publish the downloads now and wait until that is done."""
    _hurry.set()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(t.name == "toolbox-publish" and t.is_alive() for t in threading.enumerate()):
                return
            time.sleep(0.05)
    finally:
        _hurry.clear()
