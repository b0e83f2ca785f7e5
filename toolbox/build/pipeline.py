"""`toolbox build`: validate, materialise inferences, write the dataset and the search index.

Everything per-request code needs is computed here once per content version, keyed by
a hash of content, ontology, shapes and code version.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from toolbox import __version__
from toolbox.config import Settings
from toolbox.files import atomic_write, file_digest
from toolbox.graph.content import content_files
from toolbox.graph.reasoning import INFERENCE_DIR, inference_rules
from toolbox.graph.standards import PROFILES
from toolbox.graph.validate import Report, ontology_graph, validate_content
from toolbox.namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY


class BuildError(RuntimeError):
    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"De inhoud is niet geldig ({len(report.problems)} problemen); draai `toolbox validate`.")


@dataclass
class Artefacts:
    dataset: Path
    manifest: Path
    index_dir: Path
    version: str


def artefact_paths(settings: Settings) -> Artefacts:
    build = settings.build_dir
    return Artefacts(build / "graph.nq", build / "manifest.json", build / "index", "")


def content_version(settings: Settings, digests: Iterable[tuple[str, bytes]] | None = None) -> str:
    """Hash of everything the build output depends on: code version, base URI, ontology, shapes,
    inference rules, and each content file by its place in content/ and the hash of its bytes.

    digests gives (place, hash) of every content file from a cache instead (the refresh after a
    save, where reading 11,000 files again cost seconds): see toolbox.content_cache.
    """
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(settings.base_uri.encode())
    profiles = [profile.shapes for profile in PROFILES]
    for path in [settings.ontology_file, settings.shapes_file, *profiles, *sorted(INFERENCE_DIR.glob("*.rq"))]:
        _add(digest, path.name, file_digest(path.read_bytes()))
    if digests is None:
        root = settings.content_dir
        digests = ((p.relative_to(root).as_posix(), file_digest(p.read_bytes())) for p in content_files(root))
    for place, file_hash in sorted(digests):
        _add(digest, "content/" + place, file_hash)
    return digest.hexdigest()[:16]


def _add(digest, place: str, file_hash: bytes) -> None:
    digest.update(place.encode() + b"\0" + file_hash)


def read_manifest(settings: Settings) -> dict | None:
    path = artefact_paths(settings).manifest
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_manifest(settings: Settings, manifest: dict) -> None:
    atomic_write(artefact_paths(settings).manifest, json.dumps(manifest, indent=2).encode())


def ensure_built(settings: Settings, progress: Callable[[str], None] | None = None) -> Artefacts:
    """Build when the content changed since the last build; otherwise reuse what is there."""
    paths = artefact_paths(settings)
    version = content_version(settings)
    manifest = read_manifest(settings)
    from toolbox.graph.dataset import dumps_present

    if manifest and manifest.get("version") == version and paths.dataset.exists() and paths.index_dir.exists():
        paths.version = version
        if manifest.get("downloads", version) == version and dumps_present(settings):
            return paths
        try:
            _rewrite_downloads(settings, paths, manifest, progress or (lambda message: None))
            return paths
        except Exception:  # a damaged dataset file: the full build below makes everything anew
            pass
    return build(settings, progress=progress)


def _rewrite_downloads(settings: Settings, paths: Artefacts, manifest: dict, say: Callable[[str], None]) -> None:
    """The site stopped after a save before its downloads were written: write them from the dataset."""
    from toolbox.graph.dataset import write_dumps

    say("Downloads bijwerken (de site stopte na een opslag voordat ze klaar waren) …")
    store = ox.Store()
    store.bulk_load(path=str(paths.dataset), format=ox.RdfFormat.N_QUADS)
    write_dumps(settings, store, paths)
    write_manifest(settings, {**manifest, "downloads": manifest["version"]})


def _to_store(store: ox.Store, graph: Graph | bytes, graph_iri: str) -> None:
    """A graph, or N-Triples as the editor keeps them, into one named graph of the store."""
    data = graph if isinstance(graph, bytes) else graph.serialize(format="nt", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))


def materialise(store: ox.Store, graph_iri: str, max_rounds: int = 10) -> dict[str, int]:
    """Apply every inference rule until nothing new follows; new triples go to graph_iri."""
    target = ox.NamedNode(graph_iri)
    counts: dict[str, int] = {}
    rules = inference_rules()
    for _ in range(max_rounds):
        added_this_round = 0
        for name, rule in rules:
            new = [
                ox.Quad(t.subject, t.predicate, t.object, target)
                for t in store.query(rule, use_default_graph_as_union=True)
                if not _present(store, t)
            ]
            for quad in new:
                store.add(quad)
            counts[name] = counts.get(name, 0) + len(new)
            added_this_round += len(new)
        if not added_this_round:
            break
    return counts


def make_manifest(version: str, triples: int, inferred: dict, started: float, **extra) -> dict:
    """What build/manifest.json says about a build (the site shows it on /over)."""
    return {"version": version, "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "triples": triples,
            "inferred": inferred, "seconds": round(time.monotonic() - started, 2), **extra}


def _present(store: ox.Store, triple) -> bool:
    return next(iter(store.quads_for_pattern(triple.subject, triple.predicate, triple.object)), None) is not None


def build_store(settings: Settings, content: Graph | bytes) -> tuple[ox.Store, dict[str, int]]:
    """Ontology + content + inferences in one Oxigraph store, each in its own named graph."""
    base = settings.base_uri
    store = ox.Store()
    _to_store(store, ontology_graph(settings), base + GRAPH_ONTOLOGY)
    _to_store(store, content, base + GRAPH_CONTENT)
    counts = materialise(store, base + GRAPH_INFERRED)
    return store, counts


def build(settings: Settings, progress: Callable[[str], None] | None = None, owl: bool = True) -> Artefacts:
    say = progress or (lambda message: None)
    started = time.monotonic()
    paths = artefact_paths(settings)
    version = content_version(settings)

    say("Inhoud laden en valideren (SHACL" + (" + OWL" if owl else "") + ") …")
    report = validate_content(settings, owl=owl)
    if not report.ok:
        raise BuildError(report)

    say("Afleidingen berekenen …")
    store, counts = build_store(settings, report.loaded.graph)
    for name, n in counts.items():
        say(f"  {name}: {n} afgeleide triples")

    say("Dataset schrijven …")
    atomic_write(paths.dataset, store.dump(format=ox.RdfFormat.N_QUADS) or b"")

    say("Zoekindex bouwen …")
    from toolbox.search.indexing import build_index

    build_index(settings, store, paths.index_dir)

    say("Downloads en datasetbeschrijving schrijven …")
    from toolbox.graph.dataset import write_dumps

    write_dumps(settings, store, paths)

    manifest = make_manifest(version, len(store), counts, started, downloads=version)
    write_manifest(settings, manifest)
    say(f"Klaar: {len(store)} triples in {manifest['seconds']} s.")
    paths.version = version
    return paths
