"""Earlier versions of a case: the list (who made each and when), what changed in words, and restoring one.

`keep_history` (toolbox/editing/editor.py) writes instance_dir/history/{slug}/{stamp}.ttl before every
save, and next to it {stamp}.json: who made that version and when (from its provenance; a file without
a date: the time of the file), and who replaced it. Versions kept before that sidecar existed
are read from their Turtle alone. Restoring a version is a new save of that version's values,
validated against today's content.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, SKOS

from toolbox.config import CANONICAL_BASE
from toolbox.editing.changes import Change, field_changes
from toolbox.editing.form import STAMP_RE, STATUS_ACTIVE, NotEditable, Prepared
from toolbox.editing.review.approval import approver_of
from toolbox.files import atomic_write
from toolbox.graph.content import parse_turtle
from toolbox.namespaces import TOR

MAX_ENTRIES = 100  # versions the history screen compares (the oldest beyond it are still listed by the files)


@dataclass
class Version:
    stamp: str
    modified: str      # dcterms:modified of the version itself
    account: str       # prov:wasAttributedTo of the version itself (account id; '' for a file written by hand)
    status: str
    title: str
    made_at: str = ""  # when this version was made: ISO time (sidecar) or its dcterms:modified
    made_by: str = ""  # account id of whoever made it ('' : written by hand, outside the site)
    replaced_by: str = ""
    replaced_at: str = ""
    approved_by: str = ""  # account id of the second editor who published it after review ('' : none)


@dataclass
class Entry:
    """One version on the history screen, with what it changed compared to the version before it."""

    stamp: str | None  # None: the current file
    made_at: str
    made_by: str
    status: str
    title: str
    changes: list[Change] = field(default_factory=list)
    first: bool = False  # the oldest version kept: nothing to compare with
    approved_by: str = ""  # who published it after review (four eyes)
    action: str = ""  # how it was made (aangemaakt, bewerkt, gearchiveerd, gepubliceerd, hersteld); '' unknown


def stamp_time(stamp: str) -> str:
    """20261203T140501123456Z as ISO time (when the version was replaced)."""
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}+00:00"


def version_meta(data: bytes, uri, source: Path | None, replaced_by: str, action: str) -> dict:
    """The sidecar of a version about to be kept: who made it and when, who replaced it and how."""
    graph, _ = parse_turtle(data.decode("utf-8", "replace"), "versie", CANONICAL_BASE)
    made_at, made_by = "", ""
    if graph is not None:
        made_at = str(graph.value(uri, DCTERMS.modified) or "")
        account = graph.value(uri, PROV.wasAttributedTo)
        made_by = str(account).rsplit("/", 1)[-1] if account else ""
    if not made_at and source is not None:  # no date in the file: the file's own time says when
        with contextlib.suppress(OSError):
            made_at = datetime.fromtimestamp(os.stat(source).st_mtime, UTC).isoformat(timespec="seconds")
    return {"made_at": made_at, "made_by": made_by, "replaced_by": replaced_by,
            "replaced_at": datetime.now(UTC).isoformat(timespec="seconds"), "action": action}


def write_version_meta(target: Path, meta: dict) -> Path:
    path = target.with_suffix(".json")
    atomic_write(path, json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return path


class CaseHistory:
    """The history part of CaseEditor (which supplies uri, read, load, parse, prepare and history_dir)."""

    def prepare_restore(self, slug: str, stamp: str, account_id: str) -> Prepared:
        """An earlier version as a new save (with new provenance), validated against today's content."""
        self.load(slug)  # the case must still exist here
        values, status, extras = self.parse(slug, self.history_text(slug, stamp))
        return self.prepare(values, slug, account_id, status=status, extras=extras)

    # -- history ------------------------------------------------------------
    def _stamps(self, slug: str) -> list[str]:
        folder = self.history_dir(slug)
        return sorted((p.stem for p in folder.glob("*.ttl") if STAMP_RE.match(p.stem)), reverse=True)

    def history(self, slug: str) -> list[Version]:
        """Earlier versions, newest first."""
        return [self._version(stamp, self.history_text(slug, stamp), slug) for stamp in self._stamps(slug)]

    def _version(self, stamp: str, text: str, slug: str) -> Version:
        graph, _ = parse_turtle(text, stamp, CANONICAL_BASE)
        return self._version_of(stamp, graph, slug)

    def _version_of(self, stamp: str, graph: Graph | None, slug: str) -> Version:
        uri = self.uri(slug)
        meta = self._meta(slug, stamp)
        if graph is None:
            return Version(stamp, "", "", "", "(onleesbaar)", made_at=meta.get("made_at", ""),
                           made_by=meta.get("made_by", ""), replaced_by=meta.get("replaced_by", ""),
                           replaced_at=meta.get("replaced_at") or (stamp and stamp_time(stamp)))
        account = graph.value(uri, PROV.wasAttributedTo)
        modified = str(graph.value(uri, DCTERMS.modified) or "")
        account_id = str(account).rsplit("/", 1)[-1] if account else ""
        return Version(
            stamp=stamp, modified=modified, account=account_id,
            status=str(graph.value(uri, TOR.status) or STATUS_ACTIVE),
            title=str(graph.value(uri, SKOS.prefLabel) or ""),
            made_at=meta.get("made_at") or modified, made_by=meta.get("made_by", account_id),
            replaced_by=meta.get("replaced_by", ""),
            replaced_at=meta.get("replaced_at") or (stamp and stamp_time(stamp)),
            approved_by=approver_of(graph, uri),
        )

    def _meta(self, slug: str, stamp: str) -> dict:
        """The sidecar of a version; {} for versions kept before there was one, or a damaged one."""
        if not stamp:
            return {}
        try:
            meta = json.loads((self.history_dir(slug) / f"{stamp}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in meta.items() if isinstance(v, str)} if isinstance(meta, dict) else {}

    def entries(self, slug: str, label=None) -> list[Entry]:
        """The current version and the kept ones, newest first, each with what it changed in words."""
        uri = self.uri(slug)
        current_text = (self.read(slug) or b"").decode("utf-8", "replace")
        current, _ = parse_turtle(current_text, slug, CANONICAL_BASE)
        graphs: list[tuple[str | None, Graph | None]] = [(None, current)]
        for stamp in self._stamps(slug)[:MAX_ENTRIES]:
            graphs.append((stamp, parse_turtle(self.history_text(slug, stamp), stamp, CANONICAL_BASE)[0]))
        out = []
        for i, (stamp, graph) in enumerate(graphs):
            older_stamp, older = graphs[i + 1] if i + 1 < len(graphs) else (None, None)
            # the current file has no sidecar; a version's own provenance is in its graph
            v = self._version_of(stamp or "", graph, slug)
            # the sidecar of the version before names the save that replaced it: the one that made this one
            action = self._meta(slug, older_stamp).get("action", "") if older_stamp else ""
            out.append(Entry(stamp, v.made_at, v.made_by, v.status, v.title,
                             changes=field_changes(older, graph, uri, label=label) if older is not None else [],
                             first=i + 1 == len(graphs), approved_by=v.approved_by, action=action))
        return out

    def history_text(self, slug: str, stamp: str) -> str:
        if not STAMP_RE.match(stamp or ""):
            raise NotEditable("Deze versie bestaat niet.")
        path = self.history_dir(slug) / f"{stamp}.ttl"
        try:
            return path.read_bytes().decode("utf-8", "replace")  # shown; a save validates it again
        except FileNotFoundError as exc:
            raise NotEditable("Deze versie bestaat niet.") from exc

    def diff(self, slug: str, stamp: str) -> list[tuple[str, str]]:
        """Lines of a unified diff from the old version to the current file: (kind, text)."""
        old = self.history_text(slug, stamp)
        current = (self.read(slug) or b"").decode("utf-8", "replace")
        return text_diff(old, current, f"versie {stamp}", "huidige versie")

    def changes_since(self, slug: str, stamp: str, label=None) -> list[Change]:
        """In words: what changed from an old version to the current file."""
        old, _ = parse_turtle(self.history_text(slug, stamp), stamp, CANONICAL_BASE)
        current, _ = parse_turtle((self.read(slug) or b"").decode("utf-8", "replace"), slug, CANONICAL_BASE)
        return field_changes(old, current, self.uri(slug), label=label)


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
