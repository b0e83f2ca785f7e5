"""After a save: the build artefacts follow without a full build (store, dataset file, index, manifest).

The dataset file, the search index and the manifest are written right after a save (in the
background, see webapp/beheer/refresher.py) by a child process (toolbox.publishing.refresh). The downloads (four
formats, gzipped: most of a minute at 100x content) follow, in a child process too, at a low
priority and once the editor has paused: a series of saves writes them once, and a save never
waits for the downloads of the one before. The manifest says which
content version the downloads hold; a restart in between rewrites only the downloads (see toolbox.build.ensure_built).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from toolbox.config import Settings
from toolbox.graph.model import term_key
from toolbox.namespaces import TOR

QUIET_SECONDS = 30.0  # no new save for this long, then the downloads are rewritten

_manifest_lock = threading.Lock()  # brief: the generation counter and manifest writes
_dumps_lock = threading.Lock()  # long: one writer of the downloads at a time
_generation = [0]
_hurry = threading.Event()  # set by wait_for_publication: skip the quiet period


def refresh_build(settings: Settings, index_dir: Path | None = None):
    """Dataset file, search index, graph model and manifest for edited content, without a full build.

    The saved case was validated by the save (SHACL on the case; OWL is left to CI and to
    `toolbox build`). The work runs in a child process over the content folder (toolbox.publishing.refresh).
    Returns (a function that opens the store over the new dataset, toolbox.publishing.refresh.Refreshed):
    pages read the graph model and SPARQL goes to its workers, so the on-disk copy of the store
    is made when something first asks for it, not while the editor waits.
    """
    from toolbox.build.pipeline import artefact_paths
    from toolbox.publishing.refresh import make_state

    started = time.monotonic()
    made = make_state(settings, index_dir or artefact_paths(settings).index_dir)
    return _announce(settings, made, started), made


def _announce(settings: Settings, made, started: float):
    """A new version's dataset file is written: its manifest now (keeping the downloads' version until they
    follow), the downloads after a pause; returns a function that opens the store over that dataset file."""
    from toolbox.build.pipeline import artefact_paths, make_manifest, read_manifest, write_manifest
    from toolbox.graph.store import EmbeddedStore

    dataset = artefact_paths(settings).dataset

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
    return open_store


def _publish_downloads(settings: Settings, manifest: dict, generation: int) -> None:
    from toolbox.build.pipeline import write_manifest
    from toolbox.publishing.refresh import write_downloads

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


# --------------------------------------------------------------------------- incremental publication
class Unpublishable(RuntimeError):
    """The change cannot be published in place: the caller makes the state anew (and logs why)."""


@dataclass
class Published:
    """What an incremental publication made (the fields of toolbox.publishing.refresh.Refreshed, and more)."""

    version: str
    triples: int
    inferred: dict
    model: object
    problems: list
    applied: object  # toolbox.build.delta.Applied
    documents: int  # search documents rewritten

    @property
    def changed(self) -> set[tuple[str, str]]:
        """(node, property) of every changed statement, and (node, "^" + property) of every changed
        link into a node, named as the graph model names them (toolbox.guide.reads)."""
        from toolbox.guide.reads import changed_keys

        return changed_keys(self.applied.removed, self.applied.added, term_key)


_LABELS = frozenset(("http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/description",
                     str(TOR) + "level", str(TOR) + "transitionChecklist"))
_STEP_CHECKLIST = (ox.NamedNode(str(TOR) + "transitionChecklist"), ox.NamedNode(str(TOR) + "usedInStep"))


class LivePublisher:
    """The published dataset, graph model and content kept in the site between saves, changed in place.

    Made once from build/ (the dataset file of the manifest's version and the content cache at that
    version); every save then costs what its file touches, not what the content holds."""

    def __init__(self, settings: Settings, cache, live, model, version: str, inferred: dict, files: dict):
        self.settings, self.cache, self.live, self.model, self.version = settings, cache, live, model, version
        self.inferred = inferred
        self.lock = threading.Lock()
        self.files = files
        self.by_subject: dict[bytes, set[Path]] = {}
        for path, nt in self.files.items():
            self._index(path, nt)

    @classmethod
    def start(cls, settings: Settings) -> LivePublisher:
        """From build/: the dataset file of the manifest's version, and the content cache kept at that
        version (each file as the build read it; what changed since is the first publication's work)."""
        from toolbox.build.delta import LiveGraph
        from toolbox.build.pipeline import artefact_paths, content_version, read_manifest
        from toolbox.graph.model import GraphModel
        from toolbox.graph.store import EmbeddedStore
        from toolbox.publishing.content_cache import ContentCache

        manifest = read_manifest(settings) or {}
        cache = ContentCache.kept(settings)
        kept = cache.as_kept()
        if kept is None or content_version(settings, kept[0]) != manifest.get("version"):
            raise Unpublishable("de bewaarde inhoudscache hoort niet bij de laatste bouw")
        store = ox.Store()
        store.bulk_load(path=str(artefact_paths(settings).dataset), format=ox.RdfFormat.N_QUADS)
        model = GraphModel.from_store(EmbeddedStore(settings, store), settings.base_uri)
        return cls(settings, cache, LiveGraph(store, settings.base_uri), model, manifest["version"],
                   manifest.get("inferred", {}), kept[1])

    def _index(self, path: Path, nt: bytes) -> None:
        for line in nt.splitlines():
            self.by_subject.setdefault(line.split(b" ", 1)[0], set()).add(path)

    def _stated_elsewhere(self, line: bytes, path: Path, now: dict[Path, bytes]) -> bool:
        for other in self.by_subject.get(line.split(b" ", 1)[0], ()):
            if other != path and other in now and line in set(now[other].splitlines()):
                return True
        return False

    def publish(self, approved: set[bytes], index_dir: Path) -> Published:
        """The content folder as it is now, through the gate, into store, model and index."""
        from toolbox.build.delta import Unbounded
        from toolbox.build.pipeline import content_version
        from toolbox.publishing.gate import approved_digests, gate

        with self.lock, self.cache.one_look() as cache:
            # and what the editor approved while the folder was read (seconds at 100x): without this a save
            # landing then counted as a change from outside, and its full check took minutes
            problems = gate(self.settings, cache, set(approved) | set(approved_digests()))
            missing = cache.unpublishable()
            if missing:
                raise Unpublishable("geen goede versie bekend van " + ", ".join(p.file for p in missing))
            now = cache.published()
            out_lines: set[bytes] = set()
            in_lines: set[bytes] = set()
            for path in set(now) | set(self.files):
                old, new = self.files.get(path, b""), now.get(path, b"")
                if old == new:
                    continue
                old_lines, new_lines = set(old.splitlines()), set(new.splitlines())
                if any(b"_:" in line for line in old_lines ^ new_lines):
                    raise Unpublishable(f"lege knopen in {cache.display(path)}")
                out_lines |= {line for line in old_lines - new_lines if not self._stated_elsewhere(line, path, now)}
                in_lines |= new_lines - old_lines
                self._index(path, new)
            removed, added = _triples(out_lines), _triples(in_lines)
            try:
                applied = self.live.apply(removed, added)
            except Unbounded as why:
                logging.getLogger(__name__).warning("Afleidingen na opslaan helemaal opnieuw berekend: %s", why)
                applied = self.live.recompute(removed, added)
            self.files = now
            subjects, objects = applied.nodes()
            self.model = self.model.patched(self.live.store, subjects, objects)
            documents = _rewrite_documents(self.settings, self.live.store, index_dir, applied)
            self.version = content_version(self.settings, cache.digests())
            cache.settle()
            return Published(self.version, len(self.live.store), self.inferred, self.model, problems, applied,
                             documents)


def _triples(lines: set[bytes]) -> set:
    if not lines:
        return set()
    parsed = ox.parse(b"\n".join(sorted(lines)) + b"\n", format=ox.RdfFormat.N_TRIPLES)
    return {getattr(x, "triple", x) for x in parsed}  # (pyoxigraph hands N-Triples over as quads)


def _rewrite_documents(settings: Settings, store, index_dir: Path, applied) -> int:
    """The search documents the changed statements feed: of the things they are about, of what links to
    a thing whose label, description, level or checklist changed, and of what uses a step whose
    checklist's label changed (toolbox/queries/search-*.rq)."""
    from toolbox.search.indexing import update_documents

    quads = [*applied.removed, *applied.added]
    gone = applied.removed

    def linking(node, predicate=None) -> set:
        found = {q.subject for q in store.quads_for_pattern(None, predicate, node, None)}
        return found | {q.subject for q in gone if q.object == node and predicate in (None, q.predicate)}

    subjects = {q.subject for q in quads}
    for quad in quads:
        if quad.predicate.value in _LABELS:
            subjects |= linking(quad.subject)
            for step in linking(quad.subject, _STEP_CHECKLIST[0]):
                subjects |= linking(step, _STEP_CHECKLIST[1])
    iris = {s.value for s in subjects if isinstance(s, ox.NamedNode)}
    return update_documents(settings, store, index_dir, iris)


_publishers: dict[tuple[str, str], LivePublisher] = {}
_publishers_lock = threading.Lock()


def live_publisher(settings: Settings) -> LivePublisher:
    """The site's publisher, made from build/ on first use (raises Unpublishable when build/ and the
    content differ: the caller then makes the state anew, and asks again after)."""
    key = (str(settings.build_dir.resolve()), str(settings.content_dir.resolve()))
    with _publishers_lock:
        publisher = _publishers.get(key)
        if publisher is None:
            publisher = _publishers[key] = LivePublisher.start(settings)
        return publisher


def forget_publisher(settings: Settings) -> None:
    """After a full refresh: the next save starts from what that wrote."""
    with _publishers_lock:
        _publishers.pop((str(settings.build_dir.resolve()), str(settings.content_dir.resolve())), None)


def publish_change(settings: Settings, index_dir: Path):
    """After a save: the change in place (see LivePublisher), then the dataset file for the SPARQL
    workers and the manifest, the downloads after a pause. Returns (open_store, Published)."""
    from toolbox.build.pipeline import artefact_paths
    from toolbox.files import atomic_write
    from toolbox.publishing.gate import approved_digests

    started = time.monotonic()
    publisher = live_publisher(settings)
    try:
        made = publisher.publish(set(approved_digests()), index_dir)
    except BaseException:
        forget_publisher(settings)  # its state may be half changed: the next save starts afresh
        raise
    atomic_write(artefact_paths(settings).dataset, publisher.live.store.dump(format=ox.RdfFormat.N_QUADS) or b"")
    announced = _announce(settings, made, started)
    # after the manifest: a cache kept at the manifest's version lets the site publish in place after a
    # restart too (without it the first save after a restart made everything anew: minutes at 100x)
    publisher.cache.keep()
    return announced, made
