"""One gate for what a refresh publishes: files changed outside the editor pass `toolbox validate`'s
checks (SHACL and the doubly defined things) over the content they will be part of, or the site
keeps publishing their last good version.

A save through the editor was checked by the editor with the same shapes (tests/toolbox/editing/
test_gate.py proves the verdicts equal), so its file is approved by its digest and needs no second
look. Anything else that changed in the content folder (an edit on disk, a file put back, a file
removed) is checked with the whole content, only when there is such a change: at 1x content that
costs about two seconds, which a save through the editor does not pay. When the check fails, every
such file is held back (the content cache publishes its last good version, or brings a removed
file back) and the problems are reported with file and line.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from rdflib import Graph, URIRef

from toolbox.config import Settings
from toolbox.files import file_digest
from toolbox.graph.content import LoadedContent, Problem, definition_lines
from toolbox.graph.validate import shacl_problems
from toolbox.publishing.content_cache import ContentCache

APPROVED_KEPT = 10000  # digests of files the editor wrote; older ones are checked again if they appear

_approved: OrderedDict[bytes, None] = OrderedDict()
_approved_lock = threading.Lock()


def approve(data: bytes) -> None:
    """The editor checked and wrote these bytes: a refresh publishes them without a second check."""
    with _approved_lock:
        _approved[file_digest(data)] = None
        _approved.move_to_end(file_digest(data))
        while len(_approved) > APPROVED_KEPT:
            _approved.popitem(last=False)


def approved_digests() -> list[bytes]:
    with _approved_lock:
        return list(_approved)


def gate(settings: Settings, cache: ContentCache, approved: set[bytes]) -> list[Problem]:
    """Check what changed outside the editor; hold it back if the content would not be valid.
    Returns every problem of the content as the site will publish it (empty: all is published)."""
    outside = [path for path, digest in cache.changed().items() if digest is None or digest not in approved]
    if outside and _as_published(settings, cache):
        outside = []  # read afresh, but exactly the content of the last build or refresh: checked then
    found: list[Problem] = []
    if outside:
        found = full_check(settings, cache)
        if found:
            first = found[0]
            where = f"{first.file}:{first.line}" if first.line else first.file
            cause = f"{where}: {first.message}" + (f" (en {len(found) - 1} meer)" if len(found) > 1 else "")
            why = {path: Problem(file=cache.display(path), entity="", property="", line=None,
                                 message=("Niet gepubliceerd: met deze versie is de inhoud niet geldig "
                                          f"({cause}). De site toont de laatste goede versie."))
                   for path in outside}
            cache.hold_back(outside, why)
    problems = cache.problems()
    seen = {(p.file, p.line, p.message) for p in problems}
    return problems + [p for p in found if (p.file, p.line, p.message) not in seen]


def _as_published(settings: Settings, cache: ContentCache) -> bool:
    """Whether the content folder holds exactly what build/manifest.json says was published."""
    from toolbox.build.pipeline import content_version, read_manifest

    manifest = read_manifest(settings) or {}
    return not cache.problems() and manifest.get("version") == content_version(settings, cache.digests())


def full_check(settings: Settings, cache: ContentCache) -> list[Problem]:
    """What `toolbox validate` (without OWL) says of the content as the cache would publish it."""
    graph = Graph()
    graph.parse(data=cache.content_nt(), format="nt")
    loaded = LoadedContent(graph=graph, files=[])
    problems: list[Problem] = []
    files: dict[str, Path] = {}
    for path, entry in cache._parsed():
        name = cache.display(path)
        files[name] = path
        for subject, _ in entry.types:
            earlier = loaded.defined_in.get(subject)
            if earlier and earlier != name:
                problems.append(Problem(file=name, entity=str(subject), property="",
                                        message=f"Dubbele slug: dit ding is al gedefinieerd in {earlier}."))
            else:
                loaded.defined_in.setdefault(subject, name)
    problems += shacl_problems(graph, settings, loaded)
    _add_lines(problems, files, settings.base_uri)
    return problems


def _add_lines(problems: list[Problem], files: dict[str, Path], base: str) -> None:
    """The line of each problem's thing in its file, read only for the files with problems."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.line is None and problem.file in files and problem.entity:
            by_file.setdefault(problem.file, []).append(problem)
    for name, items in by_file.items():
        try:
            text = files[name].read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        lines = definition_lines(text, {URIRef(p.entity) for p in items}, base)
        for problem in items:
            problem.line = lines.get(URIRef(problem.entity))
