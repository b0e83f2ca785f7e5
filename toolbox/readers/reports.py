"""Readers' reports ("Klopt er iets niet?") and the "was dit nuttig?" counts, in the instance folder.

One JSON file per report in instance_dir/meldingen/, written atomically, never in content/. A report
keeps what the reader typed, the page, the time and an e-mail address only when the reader gave one;
never the address it came from. Editors move it on: nieuw -> in behandeling (turned into an edit) ->
verwerkt (the edit was saved), or gesloten with a reason. Nothing is ever deleted.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from toolbox.files import atomic_write

MAX_TEXT = 4000
MIN_TEXT = 10
MAX_EMAIL = 254
MAX_REASON = 1000
KINDS = {"fout": "Er klopt iets niet", "aanvulling": "Ik weet meer", "casus": "Ik ken een casus"}
NEW, BUSY, DONE, CLOSED = "nieuw", "in behandeling", "verwerkt", "gesloten"
OPEN_STATES = (NEW, BUSY)
EMAIL_RE = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\".]{2,}$")
ID_RE = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")
PAGE_RE = re.compile(r"^/doc/[a-z0-9-]{1,40}/[A-Za-z0-9._-]{1,160}$")
_lock = threading.Lock()


class ReportError(Exception):
    """A report that does not exist or cannot make this step (Dutch message)."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_report(kind: str, text: str, email: str) -> dict[str, list[str]]:
    """Field errors in Dutch, per form field name; empty when the report may be kept."""
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["soort"] = ["Kies wat voor melding het is."]
    stripped = text.strip()
    if not stripped:
        errors["tekst"] = ["Schrijf wat er niet klopt of wat je weet."]
    elif len(stripped) < MIN_TEXT:
        errors["tekst"] = [f"Schrijf iets meer: minstens {MIN_TEXT} tekens, zodat de redactie weet wat je bedoelt."]
    elif len(text) > MAX_TEXT:
        errors["tekst"] = [f"Je tekst is {len(text)} tekens; het maximum is {MAX_TEXT}. Maak hem korter."]
    if email and (len(email) > MAX_EMAIL or not EMAIL_RE.match(email)):
        errors["email"] = ["Dit is geen geldig e-mailadres (zoals naam@gemeente.nl). Je mag het veld ook leeg laten."]
    return errors


@dataclass
class Step:
    time: str
    state: str
    account: str = ""
    reason: str = ""
    case: str = ""


@dataclass
class Report:
    id: str
    page: str
    title: str
    kind: str
    text: str
    email: str
    time: str
    state: str = NEW
    steps: list[Step] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ReportStore:
    def __init__(self, instance_dir: Path):
        self.folder = Path(instance_dir) / "meldingen"

    def _path(self, report_id: str) -> Path:
        if not ID_RE.match(report_id or ""):
            raise ReportError("Deze melding bestaat niet.")
        return self.folder / f"{report_id}.json"

    def add(self, page: str, title: str, kind: str, text: str, email: str = "") -> Report:
        stamp = datetime.now(UTC)
        report = Report(id=f"{stamp:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", page=page, title=title[:300],
                        kind=kind, text=text.strip(), email=email.strip(), time=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
        report.steps.append(Step(report.time, NEW))
        self._write(report)
        return report

    def _write(self, report: Report) -> None:
        data = json.dumps(asdict(report), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        atomic_write(self._path(report.id), data, mode=0o600)

    def get(self, report_id: str) -> Report:
        try:
            data = json.loads(self._path(report_id).read_text(encoding="utf-8"))
            data["steps"] = [Step(**s) for s in data.get("steps", [])]
            return Report(**data)
        except FileNotFoundError as exc:
            raise ReportError("Deze melding bestaat niet.") from exc
        except (ValueError, TypeError, AttributeError) as exc:  # damaged: the file stays for the administrator
            raise ReportError("Deze melding is beschadigd en kan niet worden gelezen.") from exc

    def all(self) -> list[Report]:
        """Every report, newest first."""
        out = []
        for path in sorted(self.folder.glob("*.json"), reverse=True):
            if ID_RE.match(path.stem):
                try:
                    out.append(self.get(path.stem))
                except ReportError:
                    continue  # a damaged file stays on disk for the administrator
        return out

    def _move(self, report_id: str, state: str, account: str, allowed: tuple[str, ...], **extra) -> Report:
        with _lock:
            report = self.get(report_id)
            if report.state not in allowed:
                raise ReportError(f"Deze melding is al {report.state}; dat kan niet meer.")
            report.state = state
            report.steps.append(Step(now_iso(), state, account, **extra))
            self._write(report)
            return report

    def close(self, report_id: str, account: str, reason: str) -> Report:
        reason = reason.strip()
        if not reason:
            raise ReportError("Schrijf waarom je de melding sluit.")
        if len(reason) > MAX_REASON:
            raise ReportError(f"De reden is te lang: maximaal {MAX_REASON} tekens.")
        return self._move(report_id, CLOSED, account, OPEN_STATES, reason=reason)

    def start(self, report_id: str, account: str, case: str = "") -> Report:
        """Turned into an edit of `case` (a slug; empty for a new case)."""
        return self._move(report_id, BUSY, account, OPEN_STATES, case=case)

    def done(self, report_id: str, account: str, case: str) -> Report:
        """The edit of `case` that the report led to was saved."""
        return self._move(report_id, DONE, account, (BUSY,), case=case)


class UsefulCounts:
    """Ja/nee counts per page in instance_dir/meldingen/nuttig.json; nothing about who answered."""

    def __init__(self, instance_dir: Path):
        self.path = Path(instance_dir) / "meldingen" / "nuttig.json"

    def read(self) -> dict[str, dict[str, int]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def add(self, page: str, useful: bool) -> dict[str, int]:
        with _lock:
            data = self.read()
            counts = data.setdefault(page, {"ja": 0, "nee": 0})
            counts["ja" if useful else "nee"] += 1
            atomic_write(self.path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
            return counts
