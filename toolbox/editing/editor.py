"""Editing cases (tor:Case) through the site: form values to a graph, validated, written safely.

The flow of a save, all under one lock:

1. the form values become the case's graph (only the case as subject, only the case's own
   properties: editors cannot touch the ontology, the shapes or other things);
2. that graph, with the classes of what it links to, is validated with the same SHACL shapes
   CI uses (focused on the case: nothing else can change by editing it);
3. the version token of the form (hash of the file it was based on) must still match the
   file on disk, otherwise the save is a conflict (no lost updates);
4. the previous file goes to instance_dir/history/{slug}/{stamp}.ttl and the new Turtle is
   written atomically (temporary file that does not end in .ttl, fsync, rename, fsync of
   the folder), so a crash leaves either the old or the new file, never half a file.

The caller (webapp/beheer/cases.py) then has a fresh site state made from the content folder
by a child process (toolbox.publishing.refresh), in the background (webapp/beheer/refresher.py).

This module owns the save itself (paths, lock, conflict check, history copy, atomic write). The
form fields and form values <-> graph are in case_form, the SHACL check in case_validation, the
Turtle writer in case_turtle, earlier versions and restoring them in case_history, and what
follows a save (dataset, index, downloads) in publish.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import PROV, RDF

from toolbox.config import CANONICAL_BASE, Settings
from toolbox.editing.form import (
    CASES,
    CONTROL_RE,
    MAX_SLUG,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    Conflict,
    EditError,
    Invalid,
    NotEditable,
    Prepared,
    clean_text,
    graph_to_values,
    slugify,
    token_of,
    values_to_graph,
)
from toolbox.editing.history import CaseHistory, version_meta, write_version_meta
from toolbox.editing.reports import add_reports, is_report_of, top_order
from toolbox.editing.review.approval import add_approval
from toolbox.editing.turtle import serialize_case
from toolbox.editing.validation import shacl_errors
from toolbox.editing.write_errors import WriteFailed
from toolbox.files import atomic_write
from toolbox.graph.content import SLUG_RE, decode, parse_turtle, rebase_graph
from toolbox.graph.validate import ontology_graph, shapes_graph
from toolbox.namespaces import TOR
from toolbox.publishing.content_cache import ContentCache
from toolbox.publishing.gate import approve

if TYPE_CHECKING:
    from toolbox.graph.model import GraphModel

# ---------------------------------------------------------------------------
# Files: atomic writes, the case folder

def remove_stale_temporaries(folder: Path, older_than: float = 3600) -> None:
    """Left-overs of interrupted writes (never loaded, but tidy up)."""
    now = time.time()
    for tmp in Path(folder).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()


@dataclass
class SaveResult:
    slug: str
    token: str
    seconds: float
    action: str


class CaseEditor(CaseHistory):
    """Everything about editing cases, independent of the web layer."""

    def __init__(self, settings: Settings, known: Callable[[], GraphModel] | None = None):
        """known: the graph model of the content as the site serves it now. Validation then takes
        the classes of linked things from it; without it (the command line, tests) they come from
        the content files, through a cache of them."""
        self.settings = settings
        self.known = known
        self._cache: ContentCache | None = None
        self._cache_lock = threading.Lock()
        self.lock = threading.RLock()

    @property
    def cache(self) -> ContentCache:
        """The content files as N-Triples, starting from what the last refresh kept in build/."""
        if self._cache is None:
            with self._cache_lock:
                if self._cache is None:
                    self._cache = ContentCache.kept(self.settings)
        return self._cache

    def warm(self, background: bool = True) -> None:
        """Parse the shapes and the ontology ahead of the first save (about a second), and fill
        the content cache the refresh after a save reads (in a child process: half a minute at 100x)."""
        def work():
            with contextlib.suppress(Exception):
                shapes_graph(self.settings)
                ontology_graph(self.settings)
                if self.known is None:
                    self.cache.content_nt()
                elif not self.settings.sparql_endpoint:
                    from toolbox.publishing.refresh import keep_content_cache

                    keep_content_cache(self.settings)

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
        text, problem = decode(data, f"content/{CASES}/{slug}.ttl")
        if problem:
            raise NotEditable(f"Het bestand van deze casus is niet te lezen ({problem.file}): {problem.message}")
        values, status, extras = self.parse(slug, text)
        return values, status, token_of(data), extras

    def parse(self, slug: str, text: str) -> tuple[dict, str, list[tuple]]:
        graph, problem = parse_turtle(text, f"content/{CASES}/{slug}.ttl", CANONICAL_BASE)
        if problem:
            where = f"{problem.file}, regel {problem.line}" if problem.line else problem.file
            raise NotEditable(f"Het bestand van deze casus is niet te lezen ({where}): {problem.message}")
        uri = self.uri(slug)
        if (uri, RDF.type, TOR.Case) not in graph:
            raise NotEditable("Dit bestand beschrijft geen casus met dit adres.")
        others = {s for s in graph.subjects() if s != uri and not is_report_of(s, slug)
                  and not (isinstance(s, BNode) and (uri, PROV.qualifiedAttribution, s) in graph)}
        if others:
            raise NotEditable("Dit bestand beschrijft meer dan de casus alleen; bewerk het buiten de site.")
        return graph_to_values(graph, uri)

    # -- preparing ----------------------------------------------------------
    def prepare(self, values: dict, slug: str | None, account_id: str, status: str = STATUS_ACTIVE,
                extras: list[tuple] | None = None, modified: str | None = None,
                approver: str | None = None) -> Prepared:
        """Turn form values into the case graph and validate it together with the rest of the content.
        approver: the account that publishes someone else's draft (toolbox/editing/review/drafts.py)."""
        is_new = slug is None
        errors: dict[str, list[str]] = {}
        general: list[str] = []
        if is_new:
            raw = values.get("slug") or ""
            slug = clean_text(raw, False) or slugify(values.get("title", ""))
            if CONTROL_RE.search(raw) or (raw.strip() and raw.strip() != slug):
                errors["slug"] = ["Het adres bevat een teken dat er niet in mag (zoals een NUL-byte, een spatie of "
                                  "een tab); gebruik alleen kleine letters, cijfers en losse streepjes."]
            elif not slug:
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
        add_reports(graph, self.uri(slug), slug, None if is_new else self._previous(slug), account_id, modified,
                    order=top_order(values))
        if approver:
            add_approval(graph, self.uri(slug), approver, modified)
        for name, messages in input_errors.items():
            errors.setdefault(name, []).extend(messages)
        uri = self.uri(slug)
        prepared = Prepared(slug, uri, graph, None, errors, general)
        path = self.path_for(slug)
        case_graph = graph if self.settings.base_uri == CANONICAL_BASE else rebase_graph(graph, self.settings.base_uri)
        local = self.uri(slug, canonical=False)
        data, in_use = self._with_linked_classes(case_graph, path, local)
        if is_new and in_use:
            errors.setdefault("slug", []).append(f"Het adres ‘{slug}’ is al in gebruik door {in_use}.")
        prepared.case_graph = case_graph
        field_errors, general_errors = self.shacl(data, local, case_graph)
        for name, messages in field_errors.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
        general.extend(general_errors)
        if not errors and not general:
            prepared.text = serialize_case(graph, uri)
        return prepared

    def _previous(self, slug: str) -> Graph | None:
        """The case file as it is now (its knelpunt reports keep their provenance on save)."""
        data = self.read(slug)
        if data is None:
            return None
        graph, problem = parse_turtle(data.decode("utf-8"), f"{CASES}/{slug}.ttl", CANONICAL_BASE)
        return None if problem else graph

    def _with_linked_classes(self, case_graph: Graph, path: Path, local: URIRef) -> tuple[Graph, str | None]:
        """The case plus the classes of every IRI it links to (what its shapes check, not all content),
        and what already uses the case's address (None: nobody)."""
        if self.known is None:
            data, defined = self.cache.neighbourhood(case_graph, exclude=path)
            return data, (defined[local].name if local in defined else None)
        model = self.known()
        data = Graph()
        data += case_graph
        for target in {o for o in case_graph.objects() if isinstance(o, URIRef)}:
            for cls in model.types.get(str(target), ()):
                data.add((target, RDF.type, URIRef(cls)))
        return data, (f"‘{model.label(str(local))}’" if model.exists(str(local)) else None)

    def preview_model(self, prepared: Prepared) -> GraphModel:
        """The graph model of all content with this version of the case in it, inferences included
        (for the preview page). Made in a child process: seconds of work that would otherwise hold
        the interpreter lock of every request of the site."""
        from toolbox.publishing.refresh import make_preview

        case_nt = prepared.case_graph.serialize(format="nt", encoding="utf-8")
        return make_preview(self.settings, self.path_for(prepared.slug), case_nt)

    def shacl(self, data: Graph, focus: URIRef, case_graph: Graph) -> tuple[dict[str, list[str]], list[str]]:
        """The project's SHACL shapes over the merged content, focused on the case (see case_validation)."""
        return shacl_errors(self.settings, data, focus, case_graph)

    # -- saving -------------------------------------------------------------
    def save(self, prepared: Prepared, expected_token: str, account_id: str, action: str,
             on_saved=None) -> SaveResult:
        """Write a prepared, valid case if the file is still the version the form was based on.

        `on_saved(result)` runs inside the lock (the site asks for a refresh there), so every
        refresh it asks for covers this file and all written before it.
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
                raise Conflict(message, current.decode("utf-8", "replace"), token)
            new_data = prepared.text.encode("utf-8")
            kept = None
            try:
                if current is not None:
                    kept = self.keep_history(prepared.slug, current, account_id=account_id, action=action)
                remove_stale_temporaries(self.folder)
                approve(new_data)  # checked by prepare(): the refresh publishes it without a second look
                atomic_write(path, new_data)
            except OSError as exc:  # full disk, read-only folder: undo the history copy, change nothing
                if self.read(prepared.slug) != new_data:  # (a failure after the rename: it was written)
                    if kept is not None:
                        kept.unlink(missing_ok=True)
                        kept.with_suffix(".json").unlink(missing_ok=True)
                    raise WriteFailed(exc) from exc
            result = SaveResult(prepared.slug, token_of(new_data), 0.0, action)
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

    def keep_history(self, slug: str, data: bytes, account_id: str = "", action: str = "") -> Path:
        """The file as it was, plus a sidecar saying who made that version and when (toolbox.editing.history)."""
        meta = version_meta(data, self.uri(slug), self.path_for(slug), account_id, action)
        folder = self.history_dir(slug)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{stamp}.ttl"
        while target.exists():  # same microsecond: next one
            time.sleep(0.000001)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            target = folder / f"{stamp}.ttl"
        sidecar = write_version_meta(target, meta)
        try:
            atomic_write(target, data)
        except OSError:
            sidecar.unlink(missing_ok=True)
            raise
        return target
