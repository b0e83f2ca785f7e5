"""Editing cases (tor:Case) through the site: form values to a graph, validated, written safely.

The flow of a save, all under one lock:

1. the form values become the case's graph (only the case as subject, only the case's own
   properties: editors cannot touch the ontology, the shapes or other things);
2. that graph, merged with the rest of the content, is validated with the same SHACL shapes
   CI uses (focused on the case: nothing else can change by editing it);
3. the version token of the form (hash of the file it was based on) must still match the
   file on disk, otherwise the save is a conflict (no lost updates);
4. the previous file goes to instance_dir/history/{slug}/{stamp}.ttl and the new Turtle is
   written atomically (temporary file that does not end in .ttl, fsync, rename, fsync of
   the folder), so a crash leaves either the old or the new file, never half a file.

The caller (webapp/beheer.py) then swaps in a fresh site state from the merged graph.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from .config import CANONICAL_BASE, Settings
from .content import SLUG_RE, content_files, parse_turtle, rebase_graph
from .files import atomic_write
from .namespaces import SCHEMA, SH, TOR
from .validate import _dutch_message, _path_text, ontology_graph, shapes_graph
from .write_errors import WriteFailed

CASES = "casussen"
MAX_SLUG = 80
MAX_VALUES = 200      # values per multiple-choice field
MAX_LINES = 30        # lines in a one-per-line field (other names, links)
ACCOUNT_SEGMENT = "account"
STATUS_ACTIVE, STATUS_RETIRED = "actief", "gearchiveerd"
STAMP_RE = re.compile(r"^\d{8}T\d{12}Z$")
IRI_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _id(segment: str) -> str:
    return f"{CANONICAL_BASE}/id/{segment}/"


@dataclass(frozen=True)
class Field:
    """One form field of the case model."""

    name: str
    label: str
    kind: str  # slug, label, short, text, year, one, many, lines, urls
    predicate: URIRef | None = None
    segments: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 300
    hint: str = ""
    lang: bool = True


FIELDS: list[Field] = [
    Field("slug", "Adres (slug)", "slug", max_length=MAX_SLUG,
          hint="Kleine letters, cijfers en losse streepjes. Leeg laten: afgeleid van de titel. Ligt vast na opslaan."),
    Field("title", "Titel", "label", SKOS.prefLabel, required=True, max_length=300),
    Field("alt_labels", "Andere namen", "lines", SKOS.altLabel, max_length=300,
          hint="Eén per regel: namen waaronder de casus in de bronnen voorkomt."),
    Field("notation", "Code", "short", SKOS.notation, max_length=20, lang=False,
          hint="De code van de casus in de City Deal, bijvoorbeeld A1 (mag leeg)."),
    Field("municipality", "Gemeente", "many", TOR.municipality, ("gemeente",), required=True,
          hint="Minstens één gemeente."),
    Field("cluster", "Cluster", "one", TOR.cluster, ("cluster",)),
    Field("scale", "Schaal", "one", TOR.scale, ("schaal",), required=True),
    Field("task_type", "Type opgave", "short", TOR.taskType, max_length=300,
          hint="In de woorden van de casus, bijvoorbeeld ‘Gebiedsontwikkeling’."),
    Field("project_type", "Projecttype", "many", TOR.projectType, ("projecttype",)),
    Field("start_year", "Beginjaar", "year", TOR.startYear, max_length=4, lang=False),
    Field("end_year", "Eindjaar", "year", TOR.endYear, max_length=4, lang=False,
          hint="Jaar waarin de casus afliep of naar verwachting afloopt; niet vóór het beginjaar."),
    Field("theme", "Thema's", "many", TOR.theme, ("thema",), required=True, hint="Minstens één thema."),
    Field("abstract", "Samenvatting", "text", DCTERMS.abstract, required=True, max_length=10000,
          hint="Lege regel = nieuwe alinea; regels die met ‘- ’ beginnen worden een lijst."),
    Field("what_is_new", "Wat is nieuw", "text", TOR.whatIsNew, max_length=10000),
    Field("lessons", "Lessen", "text", TOR.lessons, max_length=10000),
    Field("challenges", "Uitdagingen", "text", TOR.challengesText, max_length=10000),
    Field("methods", "Werkwijzen", "text", TOR.methods, max_length=10000,
          hint="Werkwijzen en instrumenten die geen tool uit de bibliotheek zijn."),
    Field("knelpunt", "Gemelde knelpunten", "many", TOR.reportsKnelpunt, ("knelpunt",)),
    Field("top_knelpunt", "Top-3-knelpunten", "many", TOR.topKnelpunt, ("knelpunt",),
          hint="Hooguit drie; een top-3-knelpunt telt ook als gemeld knelpunt."),
    Field("used_tool", "Gebruikte tools en hulpmiddelen", "many", TOR.usedTool, ("tool", "hulpmiddel")),
    Field("used_step", "Doorlopen stappen", "many", TOR.usedStep, ("stap",)),
    Field("development_team", "Ontwikkelteams", "many", TOR.developmentTeam, ("ontwikkelteam",)),
    Field("stakeholder_type", "Betrokken partijen", "many", TOR.stakeholderType, ("organisatietype",)),
    Field("source", "Bronnen", "many", DCTERMS.source, ("bron",),
          hint="Minstens één bron: een brondocument of een link."),
    Field("source_urls", "Bronnen op internet", "urls", DCTERMS.source, max_length=2000,
          hint="Eén link per regel, beginnend met https:// of http://."),
    Field("url", "Links", "urls", SCHEMA.url, max_length=2000,
          hint="Websites over de casus; één link per regel, beginnend met https:// of http://."),
]
FIELD_BY_NAME = {f.name: f for f in FIELDS}
# Which form field a SHACL result path belongs to (dcterms:source is split by value).
PATH_FIELD = {str(f.predicate): f.name for f in FIELDS if f.predicate is not None and f.name != "source_urls"}
MANAGED = {URIRef(p) for p in PATH_FIELD} | {RDF.type, TOR.status, DCTERMS.modified, PROV.wasAttributedTo}

# Turtle output: the prefix block of the existing case files, in the same style.
PREFIXES: list[tuple[str, str]] = [
    ("tor", str(TOR)),
    ("skos", str(SKOS)),
    ("dcterms", str(DCTERMS)),
    ("xsd", str(XSD)),
    ("schema", str(SCHEMA)),
    ("prov", str(PROV)),
] + [(seg, _id(seg)) for seg in (
    "bron", "stap", "tool", "hulpmiddel", "organisatietype", "knelpunt", "projecttype", "thema", "schaal",
    "casus", "gemeente", "cluster", "ontwikkelteam",
)]
PREDICATE_ORDER = [
    RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.notation, TOR.status, TOR.municipality, TOR.cluster, TOR.scale,
    TOR.taskType, TOR.projectType, TOR.startYear, TOR.endYear, TOR.theme, DCTERMS.abstract, TOR.whatIsNew,
    TOR.lessons, TOR.challengesText, TOR.methods, TOR.usedTool, TOR.usedStep, TOR.developmentTeam,
    TOR.stakeholderType, TOR.topKnelpunt, TOR.reportsKnelpunt, SCHEMA.url,
]
TAIL_ORDER = [DCTERMS.source, DCTERMS.modified, PROV.wasAttributedTo]
LOCAL_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$")


class EditError(Exception):
    """Something the editor must be told; message in Dutch."""

    status = 400


class NotEditable(EditError):
    status = 404


class Conflict(EditError):
    """The file changed since the form was opened (or a new case's slug was taken meanwhile)."""

    status = 409

    def __init__(self, message: str, current_text: str | None, current_token: str):
        super().__init__(message)
        self.current_text = current_text
        self.current_token = current_token


class Invalid(EditError):
    def __init__(self, errors: dict[str, list[str]], general: list[str]):
        super().__init__("De casus is niet opgeslagen: los eerst de gemelde problemen op.")
        self.errors = errors
        self.general = general


# ---------------------------------------------------------------------------
# Helpers

def token_of(data: bytes | None) -> str:
    """The version token of a file's content: what the form was based on."""
    if data is None:
        return "nieuw"
    return hashlib.sha256(data).hexdigest()[:32]


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    slug = slug[:MAX_SLUG].rstrip("-")
    return slug


def clean_text(value: str | None, multiline: bool) -> str:
    """Normalised newlines, no control characters, no trailing spaces; single-line fields on one line."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_RE.sub("", text)
    if not multiline:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


def account_iri(account_id: str, base: str = CANONICAL_BASE) -> URIRef:
    return URIRef(f"{base}/id/{ACCOUNT_SEGMENT}/{account_id}")


# ---------------------------------------------------------------------------
# Form values <-> graph

def empty_values() -> dict:
    values: dict = {}
    for f in FIELDS:
        values[f.name] = [] if f.kind in ("many",) else ""
    return values


def values_from_form(get, getlist) -> dict:
    """Form values as submitted (strings and lists of strings); nothing else is read from the form."""
    values = empty_values()
    for f in FIELDS:
        if f.kind == "many":
            values[f.name] = [v for v in getlist(f.name) if v]
        else:
            values[f.name] = get(f.name, "") or ""
    return values


def size_errors(values: dict) -> dict[str, list[str]]:
    """Oversized fields: refused before anything else happens (the limits match the shapes)."""
    errors: dict[str, list[str]] = {}
    for f in FIELDS:
        value = values.get(f.name)
        if f.kind == "many":
            if len(value) > MAX_VALUES:
                errors.setdefault(f.name, []).append(f"Te veel keuzes: hooguit {MAX_VALUES}.")
            if any(len(v) > 200 for v in value):
                errors.setdefault(f.name, []).append("Een gekozen waarde is te lang.")
            continue
        if f.kind in ("lines", "urls"):
            lines = [line for line in clean_text(value, True).split("\n") if line.strip()]
            if len(lines) > MAX_LINES:
                errors.setdefault(f.name, []).append(f"Te veel regels: hooguit {MAX_LINES}.")
            too_long = [line for line in lines if len(line.strip()) > f.max_length]
            if too_long:
                errors.setdefault(f.name, []).append(
                    f"Een regel is te lang: hooguit {f.max_length} tekens per regel.")
            continue
        length = len(clean_text(value, f.kind == "text"))
        if length > f.max_length:
            errors.setdefault(f.name, []).append(
                f"Deze tekst is te lang: hooguit {f.max_length} tekens (nu {length}).")
    return errors


def _link(value: str, f: Field) -> tuple[URIRef | None, str | None]:
    """A chosen value 'segment/slug' as the canonical IRI, or a Dutch error."""
    segment, _, slug = value.partition("/")
    if segment not in f.segments or not SLUG_RE.match(slug) or len(slug) > 120:
        return None, f"Onbekende keuze ‘{value[:60]}’."
    return URIRef(_id(segment) + slug), None


def values_to_graph(values: dict, slug: str, status: str, modified: str, account_id: str,
                    extras: list[tuple] | None = None) -> tuple[Graph, dict[str, list[str]]]:
    """The case as a graph with canonical IRIs, plus errors for input that cannot become RDF at all."""
    graph = Graph()
    errors: dict[str, list[str]] = {}
    uri = URIRef(_id("casus") + slug)
    graph.add((uri, RDF.type, TOR.Case))
    for f in FIELDS:
        if f.predicate is None:
            continue
        value = values.get(f.name)
        if f.kind == "many":
            top = set(values.get("top_knelpunt", [])) if f.name == "knelpunt" else set()
            for item in dict.fromkeys(value):
                if item in top:
                    continue  # a top-3 knelpunt is a reported knelpunt already (sub-property)
                iri, error = _link(item, f)
                if error:
                    errors.setdefault(f.name, []).append(error)
                else:
                    graph.add((uri, f.predicate, iri))
        elif f.kind == "one":
            if value:
                iri, error = _link(value, f)
                if error:
                    errors.setdefault(f.name, []).append(error)
                else:
                    graph.add((uri, f.predicate, iri))
        elif f.kind in ("lines", "urls"):
            for line in dict.fromkeys(line.strip() for line in clean_text(value, True).split("\n")):
                if not line:
                    continue
                if f.kind == "urls":
                    if not IRI_RE.match(line):
                        errors.setdefault(f.name, []).append(
                            f"‘{line[:80]}’ is geen geldige link: begin met https:// of http:// "
                            "en gebruik geen spaties.")
                        continue
                    graph.add((uri, f.predicate, URIRef(line)))
                else:
                    graph.add((uri, f.predicate, Literal(line, lang="nl")))
        elif f.kind == "year":
            text = clean_text(value, False)
            if text:
                graph.add((uri, f.predicate, Literal(text, datatype=XSD.gYear)))
        else:
            text = clean_text(value, f.kind == "text")
            if text:
                graph.add((uri, f.predicate, Literal(text, lang="nl") if f.lang else Literal(text)))
    graph.add((uri, TOR.status, Literal(status)))
    graph.add((uri, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((uri, PROV.wasAttributedTo, account_iri(account_id)))
    for p, o in extras or []:
        graph.add((uri, p, o))
    return graph, errors


def graph_to_values(graph: Graph, uri: URIRef) -> tuple[dict, str, list[tuple]]:
    """Form values, status and unmanaged statements of a case read from its file (canonical IRIs)."""
    values = empty_values()
    extras = []
    for f in FIELDS:
        if f.predicate is None:
            continue
        objects = sorted(graph.objects(uri, f.predicate), key=str)
        if f.kind in ("many", "one"):
            chosen = []
            for o in objects:
                if not isinstance(o, URIRef):
                    continue
                segment_slug = _segment_slug(str(o))
                if segment_slug and segment_slug.split("/")[0] in f.segments:
                    chosen.append(segment_slug)
            values[f.name] = chosen if f.kind == "many" else (chosen[0] if chosen else "")
        elif f.kind == "urls":
            if f.name == "source_urls":
                objects = [o for o in objects if not _segment_slug(str(o))]
            values[f.name] = "\n".join(str(o) for o in objects if isinstance(o, URIRef))
        elif f.kind == "lines":
            values[f.name] = "\n".join(str(o) for o in objects if isinstance(o, Literal))
        else:
            values[f.name] = str(objects[0]) if objects else ""
    # Show top-3 knelpunten among the reported ones too, so the picker lists all of them.
    values["knelpunt"] = sorted(set(values["knelpunt"]) | set(values["top_knelpunt"]))
    status = str(graph.value(uri, TOR.status) or STATUS_ACTIVE)
    for p, o in graph.predicate_objects(uri):
        if p not in MANAGED:
            extras.append((p, o))
    values["slug"] = str(uri).rsplit("/", 1)[-1]
    return values, status, sorted(extras, key=lambda po: (str(po[0]), str(po[1])))


def _segment_slug(iri: str) -> str | None:
    prefix = CANONICAL_BASE + "/id/"
    if not iri.startswith(prefix):
        return None
    rest = iri[len(prefix):]
    segment, _, slug = rest.partition("/")
    if not slug or "/" in slug:
        return None
    return f"{segment}/{slug}"


# ---------------------------------------------------------------------------
# Deterministic Turtle in the house style

def _escape(text: str, long: bool) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    if long:
        return '"""' + text + '"""'
    return '"' + text.replace("\n", "\\n").replace("\t", "\\t") + '"'


def _term(term) -> str:
    if isinstance(term, URIRef):
        iri = str(term)
        if iri == str(RDF.type):
            return "a"
        for prefix, ns in PREFIXES:
            if iri.startswith(ns) and LOCAL_RE.match(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        if not IRI_RE.match(iri) and not iri.startswith("https://") and not iri.startswith("http://"):
            raise ValueError(f"IRI kan niet in Turtle: {iri!r}")
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = str(term)
        body = _escape(text, "\n" in text)
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype:
            return f"{body}^^{_term(URIRef(term.datatype))}"
        return body
    raise ValueError(f"Onverwachte term in een casus: {term!r}")


def _sort_object(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1, str(term))


def serialize_case(graph: Graph, uri: URIRef) -> str:
    """The case as Turtle: fixed prefix block, fixed property order, sorted values; same input, same bytes."""
    width = 11
    lines = [f"@prefix {(name + ':').ljust(width)} <{ns}> ." for name, ns in PREFIXES]
    lines.append("")
    predicates = set(graph.predicates(uri, None))
    extras = sorted(predicates - set(PREDICATE_ORDER) - set(TAIL_ORDER), key=str)
    order = [p for p in PREDICATE_ORDER + extras + TAIL_ORDER if p in predicates]
    statements = []
    for p in order:
        objects = sorted(graph.objects(uri, p), key=_sort_object)
        rendered = [_term(o) for o in objects]
        head = f"    {_term(p)} "
        one_line = head + " , ".join(rendered)
        if "\n" in one_line or len(one_line) <= 118 or len(rendered) == 1:
            statements.append(one_line)
        else:
            statements.append(head + (" ,\n        ").join(rendered))
    lines.append(f"{_term(uri)} a tor:Case ;" if statements and order[0] == RDF.type else f"{_term(uri)}")
    body = [s for p, s in zip(order, statements, strict=True) if p != RDF.type]
    lines.append(" ;\n".join(body) + " .")
    text = "\n".join(lines) + "\n"
    check, problem = parse_turtle(text, "casus", CANONICAL_BASE)
    if problem or set(check) != set(graph):
        raise ValueError("De Turtle van de casus komt niet overeen met de graaf (fout in de schrijver).")
    return text


# ---------------------------------------------------------------------------
# Files: atomic writes, the case folder, history

def remove_stale_temporaries(folder: Path, older_than: float = 3600) -> None:
    """Left-overs of interrupted writes (never loaded, but tidy up)."""
    now = time.time()
    for tmp in Path(folder).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()


@dataclass
class Version:
    stamp: str
    modified: str
    account: str
    status: str
    title: str


@dataclass
class Prepared:
    slug: str
    uri: URIRef
    graph: Graph           # canonical IRIs, as written
    text: str | None       # Turtle, None when invalid
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    data_graph: Graph | None = None  # the merged content with this case (configured base)

    @property
    def ok(self) -> bool:
        return self.text is not None and not self.errors and not self.general


@dataclass
class SaveResult:
    slug: str
    token: str
    content_graph: Graph
    seconds: float
    action: str
    refreshed: bool = True  # False when the site could not swap in the new state (it shows it after a restart)


class ContentCache:
    """Parsed content files, re-read only when a file changes (mtime, size)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._files: dict[Path, tuple[tuple[int, int], Graph | None, str | None]] = {}
        self._lock = threading.Lock()

    def _entry(self, path: Path):
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        cached = self._files.get(path)
        if cached and cached[0] == key:
            return cached
        text = path.read_text(encoding="utf-8")
        graph, problem = parse_turtle(text, str(path), self.settings.base_uri)
        entry = (key, graph, problem.message if problem else None)
        self._files[path] = entry
        return entry

    def merged(self, exclude: Path | None = None) -> tuple[Graph, dict[URIRef, Path]]:
        """All content except one file, and which file defines each typed IRI."""
        with self._lock:
            files = content_files(self.settings.content_dir)
            for gone in set(self._files) - set(files):
                del self._files[gone]
            merged = Graph()
            defined: dict[URIRef, Path] = {}
            for path in files:
                _, graph, _ = self._entry(path)
                if graph is None:
                    continue
                for s in graph.subjects(RDF.type, None):
                    if isinstance(s, URIRef):
                        defined.setdefault(s, path)
                if exclude is not None and path.resolve() == exclude.resolve():
                    continue
                merged += graph
            return merged, defined


class CaseEditor:
    """Everything about editing cases, independent of the web layer."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.cache = ContentCache(settings)
        self.lock = threading.RLock()

    def warm(self, background: bool = True) -> None:
        """Parse the content and the shapes ahead of the first save (about a second)."""
        def work():
            with contextlib.suppress(Exception):
                self.cache.merged()
                shapes_graph(self.settings)
                ontology_graph(self.settings)

        if background:
            threading.Thread(target=work, name="toolbox-editor-warm", daemon=True).start()
        else:
            work()

    # -- paths --------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return Path(self.settings.content_dir) / CASES

    def path_for(self, slug: str) -> Path:
        """content/casussen/{slug}.ttl, only for a valid slug: nothing can escape the folder."""
        if not isinstance(slug, str) or len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
            raise NotEditable("Dit is geen geldig adres van een casus.")
        path = (self.folder / f"{slug}.ttl").resolve()
        if path.parent != self.folder.resolve():
            raise NotEditable("Dit is geen geldig adres van een casus.")
        return path

    def history_dir(self, slug: str) -> Path:
        self.path_for(slug)
        return Path(self.settings.instance_dir) / "history" / slug

    def uri(self, slug: str, canonical: bool = True) -> URIRef:
        base = CANONICAL_BASE if canonical else self.settings.base_uri
        return URIRef(f"{base}/id/casus/{slug}")

    @contextlib.contextmanager
    def locked(self):
        """One save at a time, also across server processes sharing the content folder."""
        with self.lock:
            Path(self.settings.instance_dir).mkdir(parents=True, exist_ok=True)
            with open(Path(self.settings.instance_dir) / ".edit.lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    # -- reading ------------------------------------------------------------
    def read(self, slug: str) -> bytes | None:
        path = self.path_for(slug)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def load(self, slug: str) -> tuple[dict, str, str, list[tuple]]:
        """(values, status, version token, unmanaged statements) of an existing case."""
        data = self.read(slug)
        if data is None:
            raise NotEditable("Deze casus bestaat niet (of staat niet in een eigen bestand).")
        values, status, extras = self.parse(slug, data.decode("utf-8"))
        return values, status, token_of(data), extras

    def parse(self, slug: str, text: str) -> tuple[dict, str, list[tuple]]:
        graph, problem = parse_turtle(text, f"{CASES}/{slug}.ttl", CANONICAL_BASE)
        if problem:
            raise NotEditable(f"Het bestand van deze casus is niet te lezen: {problem.message}")
        uri = self.uri(slug)
        if (uri, RDF.type, TOR.Case) not in graph:
            raise NotEditable("Dit bestand beschrijft geen casus met dit adres.")
        others = {s for s in graph.subjects() if s != uri}
        if others:
            raise NotEditable("Dit bestand beschrijft meer dan de casus alleen; bewerk het buiten de site.")
        return graph_to_values(graph, uri)

    # -- preparing ----------------------------------------------------------
    def prepare(self, values: dict, slug: str | None, account_id: str, status: str = STATUS_ACTIVE,
                extras: list[tuple] | None = None, modified: str | None = None) -> Prepared:
        """Turn form values into the case graph and validate it together with the rest of the content."""
        is_new = slug is None
        errors: dict[str, list[str]] = {}
        general: list[str] = []
        if is_new:
            slug = clean_text(values.get("slug"), False) or slugify(values.get("title", ""))
            if not slug:
                errors["slug"] = ["Geef een titel of een adres (slug) op."]
            elif len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
                errors["slug"] = ["Een adres bestaat uit kleine letters, cijfers en losse streepjes "
                                  f"(hooguit {MAX_SLUG} tekens)."]
            elif self.read(slug) is not None:
                errors["slug"] = [f"Er bestaat al een casus met het adres ‘{slug}’. Kies een ander adres."]
        if errors:  # still check the rest, under a stand-in address, so every problem shows at once
            slug = "nieuwe-casus-zonder-geldig-adres"
        modified = modified or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        graph, input_errors = values_to_graph(values, slug, status, modified, account_id, extras)
        for name, messages in input_errors.items():
            errors.setdefault(name, []).extend(messages)
        uri = self.uri(slug)
        prepared = Prepared(slug, uri, graph, None, errors, general)
        path = self.path_for(slug)
        data, defined = self.cache.merged(exclude=path)
        local = self.uri(slug, canonical=False)
        if is_new and local in defined:
            errors.setdefault("slug", []).append(f"Het adres ‘{slug}’ is al in gebruik in {defined[local].name}.")
        case_graph = graph if self.settings.base_uri == CANONICAL_BASE else rebase_graph(graph, self.settings.base_uri)
        data += case_graph
        prepared.data_graph = data
        field_errors, general_errors = self.shacl(data, local, case_graph)
        for name, messages in field_errors.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
        general.extend(general_errors)
        if not errors and not general:
            prepared.text = serialize_case(graph, uri)
        return prepared

    def shacl(self, data: Graph, focus: URIRef, case_graph: Graph) -> tuple[dict[str, list[str]], list[str]]:
        """The project's SHACL shapes over the merged content, focused on the case."""
        conforms, results, _ = shacl_validate(
            data, shacl_graph=shapes_graph(self.settings), ont_graph=ontology_graph(self.settings),
            inference="none", abort_on_first=False, allow_warnings=True, advanced=True, focus_nodes=[focus],
        )
        errors: dict[str, list[str]] = {}
        general: list[str] = []
        if conforms:
            return errors, general
        for result in results.subjects(RDF.type, SH.ValidationResult):
            message = _dutch_message(results, result)
            path = results.value(result, SH.resultPath)
            value = results.value(result, SH.value)
            name = self._field_for(results, path, value, case_graph, focus)
            if name:
                if message not in errors.setdefault(name, []):
                    errors[name].append(message)
            elif message not in general:
                general.append(message)
        return errors, general

    def _field_for(self, results: Graph, path, value, case_graph: Graph, focus: URIRef) -> str | None:
        if path is None:
            if value is not None and (focus, TOR.startYear, value) in case_graph:
                return "end_year"  # begin after end: shown at the end year
            if value == focus or value is None:
                return "slug" if path is None and value == focus else None
            return None
        if isinstance(path, URIRef):
            if path == DCTERMS.source and value is not None and not _segment_slug(str(value)):
                return "source_urls"
            name = PATH_FIELD.get(str(path))
            if name == "knelpunt" and value is not None and (focus, TOR.topKnelpunt, value) in case_graph:
                return "top_knelpunt"
            return name
        text = _path_text(results, path)
        if "topKnelpunt" in text or "reportsKnelpunt" in text:
            if value is not None and (focus, TOR.topKnelpunt, value) in case_graph:
                return "top_knelpunt"
            return "knelpunt"
        return None

    # -- saving -------------------------------------------------------------
    def save(self, prepared: Prepared, expected_token: str, account_id: str, action: str,
             on_saved=None) -> SaveResult:
        """Write a prepared, valid case if the file is still the version the form was based on.

        `on_saved(result)` runs inside the lock (the site swaps in its new state there), so
        states are swapped in the order the files were written.
        """
        started = time.monotonic()
        if not prepared.ok:
            raise Invalid(prepared.errors, prepared.general)
        path = self.path_for(prepared.slug)
        with self.locked():
            current = self.read(prepared.slug)
            token = token_of(current)
            if token != expected_token:
                if current is None:
                    raise Conflict("Deze casus bestaat niet meer; misschien is het adres veranderd.", None, token)
                if expected_token == "nieuw":
                    message = f"Intussen heeft iemand anders een casus met het adres ‘{prepared.slug}’ gemaakt."
                else:
                    message = "Iemand anders heeft deze casus gewijzigd nadat je het formulier opende."
                raise Conflict(message, current.decode("utf-8"), token)
            new_data = prepared.text.encode("utf-8")
            kept = None
            try:
                if current is not None:
                    kept = self.keep_history(prepared.slug, current)
                remove_stale_temporaries(self.folder)
                atomic_write(path, new_data)
            except OSError as exc:  # full disk, read-only folder: undo the history copy, change nothing
                if self.read(prepared.slug) != new_data:  # (a failure after the rename: it was written)
                    if kept is not None:
                        kept.unlink(missing_ok=True)
                    raise WriteFailed(exc) from exc
            content, _ = self.cache.merged()
            result = SaveResult(prepared.slug, token_of(new_data), content, 0.0, action)
            if on_saved is not None:
                on_saved(result)
        result.seconds = round(time.monotonic() - started, 3)
        return result

    def prepare_status(self, slug: str, status: str, account_id: str) -> Prepared:
        """Retire (gearchiveerd) or republish (actief) a case: the same validated save path."""
        if status not in (STATUS_ACTIVE, STATUS_RETIRED):
            raise EditError("Onbekende status.")
        values, _, _, extras = self.load(slug)
        return self.prepare(values, slug, account_id, status=status, extras=extras)

    def prepare_restore(self, slug: str, stamp: str, account_id: str) -> Prepared:
        """An earlier version as a new save (with new provenance), validated against today's content."""
        self.load(slug)  # the case must still exist here
        values, status, extras = self.parse(slug, self.history_text(slug, stamp))
        return self.prepare(values, slug, account_id, status=status, extras=extras)

    def keep_history(self, slug: str, data: bytes) -> Path:
        folder = self.history_dir(slug)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{stamp}.ttl"
        while target.exists():  # same microsecond: next one
            time.sleep(0.000001)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            target = folder / f"{stamp}.ttl"
        atomic_write(target, data)
        return target

    # -- history ------------------------------------------------------------
    def history(self, slug: str) -> list[Version]:
        """Earlier versions, newest first."""
        folder = self.history_dir(slug)
        versions = []
        for path in sorted(folder.glob("*.ttl"), reverse=True):
            stamp = path.stem
            if not STAMP_RE.match(stamp):
                continue
            versions.append(self._version(stamp, path.read_text(encoding="utf-8"), slug))
        return versions

    def _version(self, stamp: str, text: str, slug: str) -> Version:
        graph, _ = parse_turtle(text, stamp, CANONICAL_BASE)
        uri = self.uri(slug)
        if graph is None:
            return Version(stamp, "", "", "", "(onleesbaar)")
        account = graph.value(uri, PROV.wasAttributedTo)
        return Version(
            stamp=stamp,
            modified=str(graph.value(uri, DCTERMS.modified) or ""),
            account=str(account).rsplit("/", 1)[-1] if account else "",
            status=str(graph.value(uri, TOR.status) or STATUS_ACTIVE),
            title=str(graph.value(uri, SKOS.prefLabel) or ""),
        )

    def history_text(self, slug: str, stamp: str) -> str:
        if not STAMP_RE.match(stamp or ""):
            raise NotEditable("Deze versie bestaat niet.")
        path = self.history_dir(slug) / f"{stamp}.ttl"
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise NotEditable("Deze versie bestaat niet.") from exc

    def diff(self, slug: str, stamp: str) -> list[tuple[str, str]]:
        """Lines of a unified diff from the old version to the current file: (kind, text)."""
        old = self.history_text(slug, stamp)
        current = (self.read(slug) or b"").decode("utf-8")
        return text_diff(old, current, f"versie {stamp}", "huidige versie")


def text_diff(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2):
        kind = "context"
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        out.append((kind, line))
    return out


# ---------------------------------------------------------------------------
# After a save: the build artefacts follow without a full build

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
