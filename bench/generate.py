"""Synthetic but valid content at N times the real graph, for the scaling benchmark.

The real content is copied unchanged; then for every copy k = 2..N each case, knelpunt and
tool file gets a twin whose entities carry the slug suffix `-v{k}`. Links between replicated
things stay inside their copy (a case of copy 7 reports knelpunten of copy 7); links to
everything else (steps, roles, themes, municipalities, …) point at the real entities, so the
real pages see N times the incoming links. Each twin also gets a few seeded variations (scale,
an extra theme, tool, knelpunt, dimension, level, related tool) so facets and search results
are not N identical stacks. Deterministic: the same seed and source give byte-identical files.

    python -m bench.generate --factor 10 --out /tmp/content-10x
"""

from __future__ import annotations

import argparse
import functools
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from toolbox.config import CANONICAL_BASE, REPO_ROOT
from toolbox.graph.content import content_files
from toolbox.namespaces import TOR

DEFAULT_SEED = 20261122
MARKER = ".bench-generated"
# Folder -> the class whose files are replicated.
REPLICATED = {"casussen": TOR.Case, "knelpunten": TOR.Knelpunt, "tools": TOR.Tool}
TEXT_LIMITS = {DCTERMS.description: 8000, DCTERMS.abstract: 10000}


@dataclass
class Summary:
    factor: int
    seed: int
    target: Path
    counts: dict[str, int] = field(default_factory=dict)  # class local name -> number of entities
    files: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"factor": self.factor, "seed": self.seed, "target": str(self.target), "counts": self.counts,
                "files": self.files, "seconds": self.seconds}


@dataclass
class _Template:
    folder: str
    path: Path
    cls: URIRef
    graph: Graph  # canonicalised (deterministic blank node ids)
    entities: list[URIRef]  # the things of the folder's class
    companions: list[URIRef]  # other things defined in the same file, e.g. a case's knelpunt reports


def _parse(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle", publicID=CANONICAL_BASE + "/")
    return graph


def _templates(source: Path) -> list[_Template]:
    """Files under the replicated folders that define only things of that folder's class."""
    out = []
    for folder, cls in sorted(REPLICATED.items()):
        for path in sorted((source / folder).glob("*.ttl")):
            graph = _parse(path)
            typed = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
            iri_subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
            entities = {s for s in typed if (s, RDF.type, cls) in graph}
            ours = {s for s in iri_subjects - typed if s.startswith(CANONICAL_BASE)}
            if not entities or ours:
                continue  # e.g. knelpunten/aanbevelingen.ttl: other classes, statements about steps
            # Statements about outside pages (a tool's link titles) are copied as they are.
            canonical = Graph()
            for triple in to_canonical_graph(graph):
                canonical.add(triple)
            # Companions (a case's knelpunt reports) are twinned with their entity, so they stay in its copy.
            out.append(_Template(folder, path, cls, canonical, sorted(entities), sorted(typed - entities)))
    return out


def _instances(graph: Graph, cls: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))


def _twin(iri: URIRef, k: int) -> URIRef:
    return URIRef(f"{iri}-v{k}")


def _twin_relation(iri: URIRef, k: int, replicated: set) -> URIRef:
    """A qualified relation `/id/{type}/{from}--{to}` of copy k: both ends twinned where they are replicated."""
    head, _, to = str(iri).rpartition("--")
    segment, _, start = head.rpartition("/")
    slugs = _slugs(frozenset(replicated))
    ends = [f"{end}-v{k}" if end in slugs else end for end in (start, to)]
    return URIRef(f"{segment}/{ends[0]}--{ends[1]}")


@functools.lru_cache(maxsize=4)
def _slugs(things: frozenset) -> frozenset:
    return frozenset(str(t).rsplit("/", 1)[1] for t in things)


def _synthetic_report(case: URIRef, knelpunt: URIRef, place) -> list[tuple]:
    """The knelpunt report behind a seeded extra link, derived from the same source place as its case."""
    report = URIRef(f"{CANONICAL_BASE}/id/melding/{case.rsplit('/', 1)[1]}--{knelpunt.rsplit('/', 1)[1]}")
    triples = [(report, RDF.type, TOR.KnelpuntReport), (report, TOR.reportingCase, case),
               (report, TOR.reportedKnelpunt, knelpunt)]
    if place is not None:
        triples.append((report, PROV.wasDerivedFrom, place))
    return triples


def _line(s, p, o) -> str:
    return f"{s.n3()} {p.n3()} {o.n3()} .\n"


def _safe_target(target: Path, force: bool) -> None:
    if not target.exists():
        return
    if not force:
        raise SystemExit(f"{target} bestaat al; gebruik --force om het te vervangen.")
    if any(target.iterdir()) and not (target / MARKER).exists():
        raise SystemExit(f"{target} is geen door bench.generate gemaakte map; ik verwijder het niet.")
    shutil.rmtree(target)


def generate(source: Path, target: Path, factor: int, seed: int = DEFAULT_SEED, force: bool = False) -> Summary:
    """Copy source to target and add factor-1 synthetic copies of cases, knelpunten and tools."""
    if factor < 1:
        raise ValueError("factor moet 1 of groter zijn")
    started = time.monotonic()
    source, target = Path(source), Path(target)
    _safe_target(target, force)
    shutil.copytree(source, target)
    (target / MARKER).write_text(f"factor={factor} seed={seed}\n", encoding="utf-8")

    full = Graph()
    for path in content_files(source):
        full += _parse(path)
    summary = Summary(factor, seed, target)
    templates = _templates(source) if factor > 1 else []
    replicated = {e for t in templates for e in t.entities + t.companions}

    scales = _instances(full, TOR.Scale)
    themes = _instances(full, TOR.Theme)
    dimensions = _instances(full, TOR.Dimension)
    levels = _instances(full, TOR.Level)
    real_tools = _instances(full, TOR.Tool)
    by_class = {cls: sorted(e for t in templates if t.cls == cls for e in t.entities) for cls in REPLICATED.values()}
    existing = set(full.subjects())
    for k in range(2, factor + 1):
        clash = {_twin(e, k) for e in replicated} & existing
        if clash:
            raise ValueError(f"Synthetische slug bestaat al: {sorted(clash)[0]}")

    files = 0
    for k in range(2, factor + 1):
        copy_tools = [_twin(t, k) for t in by_class[TOR.Tool]]
        copy_knelpunten = [_twin(t, k) for t in by_class[TOR.Knelpunt]]
        for template in templates:
            lines = _copy_lines(template, k, replicated, seed, scales, themes, dimensions, levels,
                                real_tools + copy_tools, copy_tools, copy_knelpunten)
            out = target / template.folder / f"{template.path.stem}-v{k}.ttl"
            out.write_text("".join(lines), encoding="utf-8")
            files += 1

    loaded_counts = {cls: len(_instances(full, cls)) for cls in REPLICATED.values()}
    for cls, n in loaded_counts.items():
        summary.counts[cls.split("#")[-1]] = n + (factor - 1) * len(by_class[cls])
    summary.files = files
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _copy_lines(template: _Template, k: int, replicated: set, seed: int, scales, themes, dimensions, levels,
                tools_for_case, copy_tools, copy_knelpunten) -> list[str]:
    """The Turtle (N-Triples form) of copy k of one file."""
    bnodes: dict[BNode, BNode] = {}
    tag = template.path.stem.replace("-", "")

    def term(node):
        if isinstance(node, URIRef):
            if node in template.companions:
                return _twin_relation(node, k, replicated)
            return _twin(node, k) if node in replicated else node
        if isinstance(node, BNode):
            if node not in bnodes:
                bnodes[node] = BNode(f"v{k}{tag}n{len(bnodes)}")
            return bnodes[node]
        return node

    g = template.graph
    triples = sorted(g, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    lines = []
    for s, p, o in triples:
        if s in replicated and p == SKOS.prefLabel and isinstance(o, Literal):
            o = Literal(f"{o} (variant {k})", lang=o.language)
        elif s in replicated and p in TEXT_LIMITS and isinstance(o, Literal):
            extra = f"\n\nSynthetische variant {k} van dit voorbeeld, gemaakt voor de prestatietest."
            if len(o) + len(extra) <= TEXT_LIMITS[p]:
                o = Literal(f"{o}{extra}", lang=o.language, datatype=o.datatype)
        elif template.cls == TOR.Case and p == TOR.scale and s in replicated:
            rng = random.Random(f"{seed}:{k}:{s}:scale")
            o = rng.choice(scales)
        lines.append(_line(term(s), p, term(o)))

    for entity in template.entities:
        rng = random.Random(f"{seed}:{k}:{entity}")
        me = _twin(entity, k)
        extra = []
        if template.cls == TOR.Case:
            extra.append((me, TOR.theme, rng.choice(themes)))
            extra.append((me, TOR.usedTool, rng.choice(tools_for_case)))
            knelpunt = rng.choice(copy_knelpunten)
            extra.append((me, TOR.reportsKnelpunt, knelpunt))
            extra += _synthetic_report(me, knelpunt, g.value(entity, PROV.wasDerivedFrom))
        elif template.cls == TOR.Knelpunt:
            extra.append((me, TOR.dimension, rng.choice(dimensions)))
        elif template.cls == TOR.Tool:
            extra.append((me, TOR.suitableLevel, rng.choice(levels)))
            other = rng.choice(copy_tools)
            if other != me:
                extra.append((me, TOR.relatedTool, other))
        lines += [_line(*t) for t in extra]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, required=True, help="1, 10, 100, …")
    parser.add_argument("--out", required=True, help="doelmap (wordt aangemaakt)")
    parser.add_argument("--source", default=str(REPO_ROOT / "content"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="een eerder gegenereerde doelmap vervangen")
    args = parser.parse_args(argv)
    summary = generate(Path(args.source), Path(args.out), args.factor, args.seed, force=args.force)
    counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
    print(f"{args.factor}x in {summary.target}: {counts}; {summary.files} synthetische bestanden "
          f"in {summary.seconds} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
