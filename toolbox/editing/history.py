"""Earlier versions of a case: the list, one version's text, a diff with the current file, and restoring one.

`keep_history` (toolbox/editing/editor.py) writes instance_dir/history/{slug}/{stamp}.ttl before every
save; restoring a version is a new save of that version's values, validated against today's content.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rdflib.namespace import DCTERMS, PROV, SKOS

from toolbox.config import CANONICAL_BASE
from toolbox.editing.form import STAMP_RE, STATUS_ACTIVE, NotEditable, Prepared
from toolbox.graph.content import parse_turtle
from toolbox.namespaces import TOR


@dataclass
class Version:
    stamp: str
    modified: str
    account: str
    status: str
    title: str


class CaseHistory:
    """The history part of CaseEditor (which supplies uri, read, load, parse, prepare and history_dir)."""

    def prepare_restore(self, slug: str, stamp: str, account_id: str) -> Prepared:
        """An earlier version as a new save (with new provenance), validated against today's content."""
        self.load(slug)  # the case must still exist here
        values, status, extras = self.parse(slug, self.history_text(slug, stamp))
        return self.prepare(values, slug, account_id, status=status, extras=extras)

    # -- history ------------------------------------------------------------
    def history(self, slug: str) -> list[Version]:
        """Earlier versions, newest first."""
        folder = self.history_dir(slug)
        versions = []
        for path in sorted(folder.glob("*.ttl"), reverse=True):
            stamp = path.stem
            if not STAMP_RE.match(stamp):
                continue
            versions.append(self._version(stamp, path.read_bytes().decode("utf-8", "replace"), slug))
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
            return path.read_bytes().decode("utf-8", "replace")  # shown; a save validates it again
        except FileNotFoundError as exc:
            raise NotEditable("Deze versie bestaat niet.") from exc

    def diff(self, slug: str, stamp: str) -> list[tuple[str, str]]:
        """Lines of a unified diff from the old version to the current file: (kind, text)."""
        old = self.history_text(slug, stamp)
        current = (self.read(slug) or b"").decode("utf-8", "replace")
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

