"""After a save: the new site state is made in a child process, and the site only loads it.

Making it (triple store with inferences, dataset file, search index, graph model, situation
ranker, later the downloads) is seconds of pure Python at 100x content. Inside the site it
shared one interpreter lock with every request thread: under 200 clients a save took minutes.
The child has an interpreter of its own; it hands back the model and the ranker as one pickle
of plain tuples, dicts and lists, which the site loads in C in a fraction of a second.

The child dies with the site (PR_SET_PDEATHSIG), so a killed server leaves no writer behind
that could race the next start's rebuild. Files are handed over through a private folder in
build/ (never through pipes: under load, a pipe costs the site one lock hand-over per chunk).

    python -m toolbox.publishing.refresh state FOLDER      # content folder -> artefacts + FOLDER/state.pickle
    python -m toolbox.publishing.refresh downloads         # the four downloads from build/graph.nq
    python -m toolbox.publishing.refresh cache             # the content cache in build/, ahead of the first save
    python -m toolbox.publishing.refresh preview FOLDER --case FILE  # FOLDER/case.nt instead of FILE -> model.pickle

The child reads the content folder itself, through the cache of toolbox.content_cache: the site
does not touch the content files after a save (thousands of file calls, each of which waited
for the interpreter lock under load).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from toolbox.config import Settings
from toolbox.process import die_with_parent

TIMEOUT_SECONDS = 1800.0  # a child that takes longer than this is stuck: the save falls back
_STALE_SECONDS = 3600


class RefreshFailed(RuntimeError):
    """The child process did not finish its work (the file of the save itself is written)."""


@dataclass
class Refreshed:
    """What a state child made: the content version, the figures for the manifest, model and ranker."""

    version: str
    triples: int
    inferred: dict
    model: object
    ranker: object
    problems: list = ()  # toolbox.graph.content.Problem: files whose current version is not published


# --------------------------------------------------------------------------- in the site
def make_state(settings: Settings, index_dir: Path) -> Refreshed:
    """Run the state child over the content folder as it is now and load what it made."""
    from toolbox.publishing.gate import approved_digests

    with _handover(settings) as folder:
        (folder / "approved").write_bytes(b"".join(approved_digests()))
        _run(settings, "state", str(folder), "--index", str(index_dir), own_session=True)
        data = (folder / "state.pickle").read_bytes()
    return Refreshed(**_loads(data))


def make_preview(settings: Settings, case_file: Path, case_nt: bytes):
    """The graph model (with inferences) of all content with this version of one case in place of
    its file, for the preview page; nothing is written but the content cache."""
    with _handover(settings) as folder:
        (folder / "case.nt").write_bytes(case_nt)
        _run(settings, "preview", str(folder), "--case", str(case_file), own_session=True)
        data = (folder / "model.pickle").read_bytes()
    return _loads(data)


def _loads(data: bytes):
    was_enabled = gc.isenabled()
    gc.disable()  # millions of new containers: without this the collector triples the load time
    try:
        return pickle.loads(data)  # written by our own child, in our own build folder
    finally:
        if was_enabled:
            gc.enable()


def write_downloads(settings: Settings) -> None:
    """Run the downloads child over the dataset file as it is now."""
    _run(settings, "downloads")


def keep_content_cache(settings: Settings) -> None:
    """Run the cache child: the first save after a start then parses only what changed."""
    _run(settings, "cache")


def fill_content_cache(settings: Settings) -> None:
    """Read every content file into the content cache and keep it in build/, in this process (what the
    cache child does; `toolbox build` calls it, so a site started on a fresh build reads nothing again).
    Content that is exactly the last build's is not checked a second time (gate._as_published)."""
    from toolbox.publishing.gate import gate

    with _kept_cache(settings) as cache:
        gate(settings, cache, set())  # files read for the first time are checked before they count as good


@contextlib.contextmanager
def _handover(settings: Settings):
    root = settings.build_dir
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in root.glob(".refresh-*"):  # left by a killed server
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(dir=root, prefix=".refresh-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(settings: Settings, task: str, *args: str, own_session: bool = False) -> None:
    """Run one task in a child and wait for it.

    own_session: for the work an editor waits for. Where Linux groups processes per session for
    the scheduler (autogroup), a child in a session of its own gets a share of the processors like
    the whole site's, instead of one thread's among the hundreds that serve requests under load.
    """
    env = {**os.environ, **settings.to_env()}
    command = [sys.executable, "-m", "toolbox.publishing.refresh", task, *args, "--parent", str(os.getpid())]
    try:
        done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=TIMEOUT_SECONDS, check=False,
                              start_new_session=own_session)
    except subprocess.TimeoutExpired as exc:
        raise RefreshFailed(f"{task}: niet klaar na {TIMEOUT_SECONDS:.0f} s") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise RefreshFailed(f"{task}: exit {done.returncode}: " + " | ".join(tail))


# --------------------------------------------------------------------------- in the child
def _state(settings: Settings, folder: Path, index_dir: Path) -> None:
    import pyoxigraph as ox

    from toolbox.build.pipeline import artefact_paths, build_store, content_version
    from toolbox.files import atomic_write
    from toolbox.graph.model import GraphModel
    from toolbox.graph.store import EmbeddedStore
    from toolbox.guide.ranker import SituationRanker
    from toolbox.publishing.gate import gate
    from toolbox.search.indexing import update_index

    paths = artefact_paths(settings)
    approved_bytes = (folder / "approved").read_bytes() if (folder / "approved").exists() else b""
    approved = {approved_bytes[i:i + 32] for i in range(0, len(approved_bytes), 32)}
    with _kept_cache(settings) as cache:
        problems = gate(settings, cache, approved)
        missing = cache.unpublishable()
        if missing:  # publishing now would leave out what such a file held: keep the site as it is
            lines = "; ".join(f"{p.file}:{p.line or '-'}: {p.message}" for p in missing)
            raise SystemExit(f"Niet gepubliceerd: van deze bestanden is geen goede versie bekend: {lines}")
        content = cache.content_nt()
        version = content_version(settings, cache.digests())
    raw, counts = build_store(settings, content)
    atomic_write(paths.dataset, raw.dump(format=ox.RdfFormat.N_QUADS) or b"")  # SPARQL workers load it
    store = EmbeddedStore(settings, raw)
    update_index(settings, store, index_dir)
    model = GraphModel.from_store(store, settings.base_uri)
    ranker = SituationRanker(model)
    payload = {"version": version, "triples": len(raw), "inferred": counts, "model": model, "ranker": ranker,
               "problems": problems}
    (folder / "state.pickle").write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


@contextlib.contextmanager
def _kept_cache(settings: Settings):
    """The content through the cache kept in build/; written back afterwards, so the next child
    parses only what changed after this one."""
    from toolbox.publishing.content_cache import ContentCache

    cache = ContentCache.kept(settings)
    yield cache
    cache.keep()


def _preview(settings: Settings, folder: Path, case_file: Path) -> None:
    from toolbox.build.pipeline import build_store
    from toolbox.graph.model import GraphModel
    from toolbox.graph.store import EmbeddedStore

    with _kept_cache(settings) as cache:
        content = cache.content_nt(exclude=case_file) + (folder / "case.nt").read_bytes()
    raw, _ = build_store(settings, content)
    model = GraphModel.from_store(EmbeddedStore(settings, raw), settings.base_uri)
    (folder / "model.pickle").write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def _downloads(settings: Settings) -> None:
    import pyoxigraph as ox

    from toolbox.build.pipeline import artefact_paths
    from toolbox.graph.dataset import write_dumps

    store = ox.Store()
    store.bulk_load(path=str(artefact_paths(settings).dataset), format=ox.RdfFormat.N_QUADS)
    write_dumps(settings, store)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m toolbox.publishing.refresh", description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("state", "downloads", "cache", "preview"))
    parser.add_argument("folder", type=Path, nargs="?", help="map voor de overdracht (state, preview)")
    parser.add_argument("--parent", type=int, help="proces-id van de site: stop als die stopt")
    parser.add_argument("--index", type=Path, help="map van de zoekindex (state)")
    parser.add_argument("--case", type=Path, help="bestand van de casus die case.nt vervangt (preview)")
    args = parser.parse_args(argv)
    if args.task in ("state", "preview") and args.folder is None:
        parser.error(f"{args.task} heeft een map voor de overdracht nodig")
    if args.task == "preview" and args.case is None:
        parser.error("preview heeft --case nodig")
    if args.parent:
        die_with_parent(args.parent)
    settings = Settings.from_env()
    if args.task == "state":
        _state(settings, args.folder, args.index or settings.build_dir / "index")
    elif args.task == "preview":
        _preview(settings, args.folder, args.case)
    elif args.task == "downloads":
        os.nice(10)  # researchers' files may lag a minute; requests and saves go first
        _downloads(settings)
    else:
        os.nice(10)  # a warm-up: requests and saves go first
        fill_content_cache(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
