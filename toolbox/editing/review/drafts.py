"""Drafts (concepten) and their review: saved apart from content/, published only through the same gate.

Saving in /beheer used to publish at once. A draft lives in instance/drafts/{kind}/{slug}.json (what the
editor typed, who, when, its state, the problems the check found) with {slug}.ttl beside it (the graph as
it would be published, when it could be written). Nothing under instance/ is loaded by the build, so the
public site, SPARQL, search and downloads never show a draft.

The states: concept -> ter_beoordeling (submit) -> published (approve: the draft is removed, the content
file written by the caller's `publish`) or afgewezen with a remark (reject) -> concept again when the
author saves it. With four eyes (`Settings.four_eyes`, the default) only another editor than the author
may approve; without, the author may publish a concept directly. Every refusal is a `DraftError` with a
Dutch message and an HTTP status, and changes nothing.

API for other parts of the site (a reader's report becomes a draft through `draft_case` or `save_draft`):
`DraftStore(settings)` with `save_draft`, `get`, `list_drafts`, `submit`, `reject`, `approve`, `rebase`, `discard`;
for a case, `draft_case(editor, store, values, existing_slug, account_id)` checks the values and saves the draft.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from toolbox.config import Settings
from toolbox.editing.editor import CaseEditor, SaveResult
from toolbox.editing.form import EditError, Invalid, Prepared
from toolbox.editing.turtle import serialize_case
from toolbox.files import atomic_write
from toolbox.graph.content import SLUG_RE

KINDS = {"casus": "casus", "gemeente": "gemeente", "knelpunt": "knelpunt", "thema": "thema", "tool": "tool"}
CONCEPT, REVIEW, REJECTED = "concept", "ter_beoordeling", "afgewezen"
STATE_LABELS = {CONCEPT: "concept", REVIEW: "ter beoordeling", REJECTED: "afgewezen"}
PROPOSALS = {"gearchiveerd": "archiveert de casus", "gepubliceerd": "zet de gearchiveerde casus weer op de site",
             "hersteld": "herstelt een eerdere versie"}  # what a draft made by a proposal does when published
MAX_REMARK = 2000
MAX_SLUG = 80

FOUR_EYES_DIRECT = ("Op deze site geldt het vier-ogenprincipe: een wijziging wordt gepubliceerd door een andere "
                    "redacteur. Bewaar je wijziging als concept en bied het ter beoordeling aan; er is niets "
                    "gepubliceerd.")

_lock = threading.RLock()


class DraftError(EditError):
    """A draft action that is not allowed now; the message is Dutch, `status` the HTTP status."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass
class Draft:
    kind: str
    slug: str
    author: str                       # account id
    created: str
    updated: str
    state: str = CONCEPT
    values: dict = field(default_factory=dict)   # what the editor typed (form values)
    base_token: str = "nieuw"         # version token of the published file it started from
    errors: dict = field(default_factory=dict)   # problems of the last check, by field
    general: list = field(default_factory=list)
    remark: str = ""                  # the reviewer's remark when sent back
    reviewer: str = ""                # who sent it back
    events: list = field(default_factory=list)   # [{"wanneer", "wie", "wat"}]
    status: str = ""                  # a case's proposed status (archive, republish); "" = as published
    action: str = ""                  # what publishing it does, as the history names it; "" = bewerkt

    @property
    def valid(self) -> bool:
        return not self.errors and not self.general

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def problems(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms] + list(self.general)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DraftStore:
    """The drafts of one site, in instance/drafts/; every change under one lock (also across processes)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = Path(settings.instance_dir) / "drafts"

    # -- paths and locking ----------------------------------------------------
    def _paths(self, kind: str, slug: str) -> tuple[Path, Path]:
        if kind not in KINDS:
            raise DraftError("Onbekende soort concept.", 404)
        if not isinstance(slug, str) or len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
            raise DraftError("Dit is geen geldig adres van een concept.", 404)
        folder = self.root / kind
        return folder / f"{slug}.json", folder / f"{slug}.ttl"

    @contextlib.contextmanager
    def _locked(self):
        with _lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / ".lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, draft: Draft, turtle: str | None = None) -> None:
        meta, ttl = self._paths(draft.kind, draft.slug)
        meta.parent.mkdir(parents=True, exist_ok=True)
        if turtle is not None:
            atomic_write(ttl, turtle.encode("utf-8"))
        atomic_write(meta, json.dumps(asdict(draft), ensure_ascii=False, indent=1).encode("utf-8"))

    # -- reading --------------------------------------------------------------
    def get(self, kind: str, slug: str) -> Draft | None:
        meta, _ = self._paths(kind, slug)
        try:
            data = json.loads(meta.read_text("utf-8"))
        except FileNotFoundError:
            return None
        return Draft(**{k: v for k, v in data.items() if k in Draft.__dataclass_fields__})

    def require(self, kind: str, slug: str) -> Draft:
        draft = self.get(kind, slug)
        if draft is None:
            raise DraftError("Dit concept bestaat niet (meer); misschien is het al gepubliceerd of verwijderd.", 404)
        return draft

    def turtle(self, kind: str, slug: str) -> str | None:
        _, ttl = self._paths(kind, slug)
        try:
            return ttl.read_text("utf-8")
        except FileNotFoundError:
            return None

    def list_drafts(self, author: str | None = None, state: str | None = None) -> list[Draft]:
        """All drafts (or one author's, or in one state), the most recently changed first."""
        found = []
        for kind in KINDS:
            for meta in sorted((self.root / kind).glob("*.json")):
                draft = self.get(kind, meta.stem) if SLUG_RE.match(meta.stem) else None
                if draft and (author is None or draft.author == author) and (state is None or draft.state == state):
                    found.append(draft)
        return sorted(found, key=lambda d: d.updated, reverse=True)

    # -- the state machine ----------------------------------------------------
    def save_draft(self, kind: str, slug: str, values: dict, account_id: str, base_token: str = "nieuw",
                   errors: dict | None = None, general: list | None = None, turtle: str | None = None,
                   status: str | None = None, fresh: bool = False, action: str = "") -> Draft:
        """Keep what an editor typed as a draft (new, or a newer version of their own draft), with the
        problems the check found: a draft may have problems, it just cannot be published with them.
        `status` proposes a case's status (None keeps what the draft had); `fresh` refuses when the thing
        has a draft already (a proposal to archive or restore must not overwrite text typed in a draft);
        `action` names such a proposal ("gearchiveerd", "hersteld"), kept until the draft is published."""
        with self._locked():
            draft = self.get(kind, slug)
            now = _now()
            if draft is not None and fresh:
                raise DraftError("Er staat al een concept van deze casus klaar. Publiceer, bewerk of verwijder dat "
                                 "concept eerst; er is niets veranderd.")
            if draft is None:
                draft = Draft(kind=kind, slug=slug, author=account_id, created=now, updated=now, base_token=base_token)
                what = "aangemaakt"
            elif draft.author != account_id:
                raise DraftError("Er staat al een concept met dit adres klaar van een andere redacteur. "
                                 "Open dat concept in het overzicht; je kunt het beoordelen maar niet overschrijven.")
            elif draft.state == REVIEW:
                raise DraftError("Dit concept ligt ter beoordeling en kan nu niet worden gewijzigd. "
                                 "Wacht op de beoordeling, of laat het terugsturen.")
            else:
                what = "bewerkt"
            draft.values, draft.updated, draft.state = values, now, CONCEPT
            if status is not None:
                draft.status = status
            if action:
                draft.action = action
            draft.errors, draft.general = dict(errors or {}), list(general or [])
            draft.events.append({"wanneer": now, "wie": account_id, "wat": what})
            self._write(draft, turtle)
            return draft

    def submit(self, kind: str, slug: str, account_id: str) -> Draft:
        """Ter beoordeling aanbieden: only the author, only a concept (or one sent back)."""
        with self._locked():
            draft = self.require(kind, slug)
            if draft.author != account_id:
                raise DraftError("Alleen de auteur kan een concept ter beoordeling aanbieden.", 403)
            if draft.state == REVIEW:
                raise DraftError("Dit concept ligt al ter beoordeling.")
            draft.state, draft.updated = REVIEW, _now()
            draft.events.append({"wanneer": draft.updated, "wie": account_id, "wat": "ter beoordeling aangeboden"})
            self._write(draft)
            return draft

    def reject(self, kind: str, slug: str, account_id: str, remark: str) -> Draft:
        """Send back with a remark; with four eyes only another editor than the author may do this."""
        remark = " ".join((remark or "").split())
        if not remark:
            raise DraftError("Schrijf bij het terugsturen in een opmerking wat er moet veranderen.", 400)
        if len(remark) > MAX_REMARK:
            raise DraftError(f"De opmerking is te lang: hooguit {MAX_REMARK} tekens.", 400)
        with self._locked():
            draft = self.require(kind, slug)
            if draft.state != REVIEW:
                raise DraftError("Alleen een concept dat ter beoordeling ligt, kan worden teruggestuurd.")
            if self.settings.four_eyes and draft.author == account_id:
                raise DraftError("Je kunt je eigen concept niet beoordelen: dat doet een andere redacteur "
                                 "(vier ogen).", 403)
            draft.state, draft.remark, draft.reviewer, draft.updated = REJECTED, remark, account_id, _now()
            draft.events.append({"wanneer": draft.updated, "wie": account_id, "wat": "teruggestuurd"})
            self._write(draft)
            return draft

    def check_direct_publish(self) -> None:
        """Publishing without a draft (save, archive, restore at once) is for sites without four eyes only."""
        if self.settings.four_eyes:
            raise DraftError(FOUR_EYES_DIRECT, 403)

    def check_approver(self, draft: Draft, account_id: str) -> None:
        """Who may publish this draft now, as a refusal with a Dutch reason (nothing is changed)."""
        if self.settings.four_eyes:
            if draft.author == account_id:
                raise DraftError("Je kunt je eigen concept niet publiceren: met het vier-ogenprincipe publiceert "
                                 "een andere redacteur het, na beoordeling.", 403)
            if draft.state != REVIEW:
                raise DraftError("Dit concept is nog niet ter beoordeling aangeboden; de auteur doet dat eerst.")
        elif draft.author != account_id and draft.state != REVIEW:
            raise DraftError("Dit concept is nog niet ter beoordeling aangeboden; de auteur doet dat eerst.")

    def approve(self, kind: str, slug: str, account_id: str, publish: Callable[[Draft], object]):
        """Publish a draft: the checks above, then `publish(draft)` (it writes the content file through the
        editor's gate and raises when the draft is not valid or the file changed meanwhile), then the
        draft is removed. When `publish` raises, the draft stays exactly as it was."""
        with self._locked():
            draft = self.require(kind, slug)
            self.check_approver(draft, account_id)
            result = publish(draft)
            meta, ttl = self._paths(kind, slug)
            ttl.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            return result

    def rebase(self, kind: str, slug: str, account_id: str, token: str) -> Draft:
        """The published version changed since the draft began: the author consciously bases the draft on
        the newest version (publishing it then replaces that version), like saving again after a conflict."""
        with self._locked():
            draft = self.require(kind, slug)
            if draft.author != account_id:
                raise DraftError("Alleen de auteur kan een concept op de nieuwste versie baseren.", 403)
            if draft.state == REVIEW:
                raise DraftError("Dit concept ligt ter beoordeling; laat het eerst terugsturen.")
            draft.base_token, draft.updated = token, _now()
            draft.events.append({"wanneer": draft.updated, "wie": account_id, "wat": "op nieuwste versie gebaseerd"})
            self._write(draft)
            return draft

    def discard(self, kind: str, slug: str, account_id: str) -> None:
        """The author throws their own draft away (not while it is under review)."""
        with self._locked():
            draft = self.require(kind, slug)
            if draft.author != account_id:
                raise DraftError("Alleen de auteur kan een concept verwijderen.", 403)
            if draft.state == REVIEW:
                raise DraftError("Dit concept ligt ter beoordeling; het kan nu niet worden verwijderd.")
            meta, ttl = self._paths(kind, slug)
            ttl.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Cases as drafts: checked like a save, published through CaseEditor.save (lock, conflict check, gate)

def draft_slug_of(prepared: Prepared, is_new: bool) -> str:
    """The address a case draft is kept under; a new case needs a valid, free address first."""
    if is_new and prepared.errors.get("slug"):
        raise DraftError("Een concept heeft een geldig, vrij adres nodig: " + " ".join(prepared.errors["slug"]), 422)
    return prepared.slug


def check_case(editor: CaseEditor, values: dict, slug: str | None, account_id: str,
               status: str = "") -> Prepared:
    """The same check as a save (SHACL and all), for a draft of a new case (slug None) or of an existing one,
    with its proposed status ("" = the published one)."""
    if slug is None:
        return editor.prepare(values, None, account_id)
    _, published, _, extras = editor.load(slug)
    return editor.prepare(values, slug, account_id, status=status or published, extras=extras)


def draft_case(editor: CaseEditor, store: DraftStore, values: dict, existing: str | None,
               account_id: str, status: str | None = None, fresh: bool = False,
               action: str = "") -> tuple[Draft, Prepared]:
    """Check form values of a case (a new one, or a new version of `existing`) and keep them as this
    account's draft; the one call for every way in (the case form, a reader's report turned into a draft,
    a proposal to archive, republish or restore an earlier version: `status`, `fresh`, `action`, see save_draft).
    A draft of an existing case stays based on the version it started from."""
    current = store.get("casus", existing) if existing else None
    proposed = status if status is not None else (current.status if current is not None else "")
    prepared = check_case(editor, values, existing, account_id, proposed)
    slug = draft_slug_of(prepared, existing is None)
    base = "nieuw" if existing is None else editor.load(existing)[2]
    if current is None:
        current = store.get("casus", slug)
    if current is not None and current.author == account_id and not fresh:
        base = current.base_token
    draft = store.save_draft("casus", slug, values, account_id, base, prepared.errors, prepared.general,
                             case_turtle(prepared), status=status, fresh=fresh, action=action)
    return draft, prepared


def case_turtle(prepared: Prepared) -> str | None:
    """The draft's graph as the file it would become (also when the check found problems), if it can be written."""
    try:
        return serialize_case(prepared.graph, prepared.uri)
    except ValueError:
        return None


def publish_case(editor: CaseEditor, draft: Draft, approver_id: str, on_saved=None) -> SaveResult:
    """Publish a case draft: prepared again (the content may have changed since), attributed to its author,
    with the approver as a qualified attribution; refused (Invalid, 422) when not valid, and a conflict (409)
    when the published file changed since the draft was started. content/ is untouched on refusal."""
    is_new = draft.base_token == "nieuw"
    values = dict(draft.values, slug=draft.slug)
    if is_new:
        prepared = editor.prepare(values, None, draft.author, approver=approver_id)
    else:
        _, status, _, extras = editor.load(draft.slug)
        prepared = editor.prepare(values, draft.slug, draft.author, status=draft.status or status, extras=extras,
                                  approver=approver_id)
    if not prepared.ok:
        raise Invalid(prepared.errors, prepared.general)
    action = "aangemaakt" if is_new else draft.action or "bewerkt"
    return editor.save(prepared, draft.base_token, approver_id, action, on_saved=on_saved)
