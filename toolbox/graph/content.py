"""Load the Turtle content files into one graph, remembering which file defines what.

The file map lets every error name the file an editor has to open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from toolbox.config import CANONICAL_BASE
from toolbox.namespaces import rebase

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Problem:
    """One thing wrong with the content, in the words an editor needs."""

    file: str
    entity: str
    property: str
    message: str
    line: int | None = None

    def line_text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}\t{self.entity or '-'}\t{self.property or '-'}\t{self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "entity": self.entity,
            "property": self.property,
            "message": self.message,
        }


@dataclass
class LoadedContent:
    graph: Graph
    files: list[Path]
    defined_in: dict[URIRef, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[URIRef, int] = field(default_factory=dict)  # where in its file a thing's description starts

    def line_of(self, node) -> int | None:
        return self.lines.get(self.owner(node))

    def file_of(self, node) -> str:
        """The file that defines a node; for blank nodes, the file of the thing that holds them."""
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parents = list(self.graph.subjects(None, node))
            if not parents:
                break
            node = parents[0]
        return self.defined_in.get(node, "")

    def owner(self, node):
        """The named thing a blank node belongs to (itself for IRIs)."""
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parents = list(self.graph.subjects(None, node))
            if not parents:
                break
            node = parents[0]
        return node


def content_files(content_dir: Path) -> list[Path]:
    return sorted(p for p in Path(content_dir).rglob("*.ttl") if p.is_file())


def decode(data: bytes, display_name: str) -> tuple[str | None, Problem | None]:
    """The text of a content file, or a Problem naming the file, line and byte that are not UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start:exc.end].hex(" ")
        return None, Problem(file=display_name, entity="", property="", line=line,
                             message=f"Het bestand is geen geldige UTF-8: byte {exc.start} (0x{bad}) op regel {line}. "
                                     "Sla het op als UTF-8.")


PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.I)


def definition_lines(text: str, subjects, base: str = CANONICAL_BASE) -> dict:
    """The line on which each subject's description starts: the first line that begins with it
    (as a prefixed name or a full IRI), read with the file's own prefixes. Subjects may carry the
    configured base; the files use the canonical one."""
    def canonical(iri: str) -> str:
        return CANONICAL_BASE + iri[len(base):] if base != CANONICAL_BASE and iri.startswith(base + "/") else iri

    wanted = {canonical(str(s)): s for s in subjects}
    found: dict = {}
    if not wanted:
        return found
    prefixes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        declared = PREFIX_LINE.match(line)
        if declared:
            prefixes[declared.group(1)] = declared.group(2)
            continue
        if not line or line[0] in " \t#@":
            continue
        head = line.split(None, 1)[0]
        if head.startswith("<"):
            iri = head[1:].split(">", 1)[0]
        else:
            prefix, colon, local = head.partition(":")
            iri = prefixes.get(prefix, "\0") + local if colon else ""
        subject = wanted.get(iri)
        if subject is not None:
            found.setdefault(subject, number)
    return found


# rdflib's reasons for the syntax errors editors make most, in Dutch (the original follows in brackets).
SYNTAX_REASONS = [
    ("expected '.' or '}' or ']' at end of statement", "hier hoort de uitspraak te eindigen met een punt"),
    ("expected directive or statement", "hier begint geen geldige uitspraak"),
    ("newline found in string literal", "een tekst tussen enkele aanhalingstekens loopt door over de regel"),
    ("unterminated string literal", "een tekst wordt niet afgesloten met een aanhalingsteken"),
    ("not bound", "een voorvoegsel (prefix) wordt gebruikt zonder @prefix-regel"),
    ("']' expected", "een blok tussen [ ] wordt niet gesloten"),
    ("objectList expected", "na een komma of puntkomma ontbreekt een waarde"),
    ("expected qname after @prefix", "een @prefix-regel is onvolledig"),
]


def _dutch_reason(why: str) -> str:
    for english, dutch in SYNTAX_REASONS:
        if english in why:
            return f"{dutch} ({why})"
    return why


def parse_turtle(text: str, display_name: str, base: str) -> tuple[Graph | None, Problem | None]:
    """Parse one Turtle text; a syntax error becomes a Problem with file and line."""
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=CANONICAL_BASE + "/")
    except Exception as exc:  # rdflib raises BadSyntax and a few others
        line = getattr(exc, "lines", None)
        why = getattr(exc, "_why", None) or str(exc).splitlines()[0]
        return None, Problem(
            file=display_name,
            entity="",
            property="",
            message=f"Ongeldige Turtle-syntaxis: {_dutch_reason(why)}",
            line=(line + 1) if isinstance(line, int) else None,
        )
    if base != CANONICAL_BASE:
        graph = rebase_graph(graph, base)
    return graph, None


def rebase_graph(graph: Graph, base: str) -> Graph:
    out = Graph()
    for s, p, o in graph:
        s = URIRef(rebase(str(s), base)) if isinstance(s, URIRef) else s
        o = URIRef(rebase(str(o), base)) if isinstance(o, URIRef) else o
        out.add((s, p, o))
    return out


def load_content(content_dir: Path, base: str = CANONICAL_BASE) -> LoadedContent:
    """Read every .ttl under content_dir; collect syntax errors and doubly defined things."""
    content_dir = Path(content_dir)
    files = content_files(content_dir)
    loaded = LoadedContent(graph=Graph(), files=files)
    for path in files:
        name = _display(path, content_dir)
        text, problem = decode(path.read_bytes(), name)
        if text is not None:
            graph, problem = parse_turtle(text, name, base)
        if problem:
            loaded.problems.append(problem)
            continue
        subjects = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
        for subject, line in definition_lines(text, subjects, base).items():
            loaded.lines.setdefault(subject, line)
        for subject in subjects:
            if not isinstance(subject, URIRef):
                continue
            earlier = loaded.defined_in.get(subject)
            if earlier and earlier != name:
                loaded.problems.append(
                    Problem(
                        file=name,
                        entity=str(subject),
                        property="",
                        message=f"Dubbele slug: dit ding is al gedefinieerd in {earlier}.",
                        line=definition_lines(text, [subject], base).get(subject),
                    )
                )
            else:
                loaded.defined_in[subject] = name
        loaded.graph += graph
    return loaded


def _display(path: Path, content_dir: Path) -> str:
    try:
        return str(path.relative_to(content_dir.parent))
    except ValueError:
        return str(path)
