"""Bring hand-written case files into the house format (what a web save writes), without changing a triple.

`toolbox format` uses this; so a later web save of one field changes only that field's lines.
A file is only rewritten when its graph before and after is isomorphic; otherwise it is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef
from rdflib.compare import isomorphic

from toolbox.config import CANONICAL_BASE
from toolbox.editing.form import CASES
from toolbox.editing.turtle import serialize_case
from toolbox.files import atomic_write
from toolbox.graph.content import decode, parse_turtle


@dataclass
class Formatted:
    path: Path
    changed: bool
    problem: str = ""


def format_case_file(path: Path, write: bool = True) -> Formatted:
    """One case file in the house format; `changed` says whether it was (or would be) rewritten."""
    text, problem = decode(path.read_bytes(), path.name)
    if problem:
        return Formatted(path, False, problem.message)
    graph, problem = parse_turtle(text, path.name, CANONICAL_BASE)
    if problem:
        return Formatted(path, False, problem.message)
    uri = URIRef(f"{CANONICAL_BASE}/id/casus/{path.stem}")
    try:
        out = serialize_case(graph, uri)
    except ValueError as exc:
        return Formatted(path, False, str(exc))
    again, _ = parse_turtle(out, path.name, CANONICAL_BASE)
    if again is None or not isomorphic(graph, again):
        return Formatted(path, False, "de betekenis zou veranderen; niet herschreven")
    if out == text:
        return Formatted(path, False)
    if write:
        atomic_write(path, out.encode("utf-8"))
    return Formatted(path, True)


def format_cases(content_dir: Path, write: bool = True) -> list[Formatted]:
    return [format_case_file(p, write) for p in sorted((Path(content_dir) / CASES).glob("*.ttl"))]
