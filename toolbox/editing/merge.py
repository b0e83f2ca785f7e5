"""Merging two versions of a case field by field, after a save conflict (409).

When another editor saved between opening and saving the form, the editor sees only the fields
where their version and the newest version differ, and takes each from one side. The version the
form was based on (found in the history by its token) tells which side changed a field: a field only
the other editor changed defaults to theirs, so choosing nothing never undoes their work; a field the
editor changed defaults to theirs only if that is all that changed, otherwise to the editor's own.
The merged values then go through the normal save path (prepare, gate, version check).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.namespace import DCTERMS, PROV

from toolbox.config import CANONICAL_BASE
from toolbox.editing.form import FIELDS, STAMP_RE, clean_text, token_of
from toolbox.graph.content import parse_turtle

MINE, THEIRS = "mijn", "hun"
CHOICE_PREFIX = "keuze-"  # form field per differing field: keuze-{name} = mijn | hun
HISTORY_SCAN = 200  # newest history files searched for the base version


@dataclass
class Difference:
    """One field where the editor's version and the newest version differ."""

    name: str
    label: str
    kind: str
    mine: str | list[str]
    theirs: str | list[str]
    changed_by_me: bool | None  # None: the base version is not known
    changed_by_them: bool | None
    default: str


@dataclass
class OtherVersion:
    """Who made the newest version and when (from its provenance)."""

    account_id: str
    modified: str


def comparable(kind: str, value) -> tuple | str:
    """A field value as the saved file would have it: the same text, lines or set of choices."""
    if kind in ("many", "one"):
        items = value if isinstance(value, list) else [value]
        return tuple(sorted({v for v in items if v}))
    if kind in ("lines", "urls"):
        return tuple(sorted({line.strip() for line in clean_text(value or "", True).split("\n") if line.strip()}))
    return clean_text(value if isinstance(value, str) else "", kind == "text")


def differences(mine: dict, theirs: dict, base: dict | None) -> list[Difference]:
    """The fields (in form order) where mine and theirs differ, with a default side for each."""
    mine, theirs = _with_top(mine), _with_top(theirs)
    base = _with_top(base) if base is not None else None
    out = []
    for f in FIELDS:
        if f.name == "slug":
            continue
        a, b = comparable(f.kind, mine.get(f.name)), comparable(f.kind, theirs.get(f.name))
        if a == b:
            continue
        if base is None:
            by_me = by_them = None
            default = MINE
        else:
            original = comparable(f.kind, base.get(f.name))
            by_me, by_them = a != original, b != original
            default = THEIRS if by_them and not by_me else MINE
        out.append(Difference(f.name, f.label, f.kind, mine.get(f.name), theirs.get(f.name), by_me, by_them, default))
    return out


def _with_top(values: dict) -> dict:
    """A top-3 knelpunt is also a reported one (the file says so): compare them that way."""
    out = dict(values)
    top = out.get("top_knelpunt") or []
    out["knelpunt"] = sorted(set(out.get("knelpunt") or []) | set(top))
    return out


def apply_choices(submitted: dict, theirs: dict, choices: dict[str, str]) -> dict:
    """The submitted values with every field chosen as `hun` taken from the newest version."""
    merged = dict(submitted)
    for f in FIELDS:
        if f.name != "slug" and choices.get(f.name) == THEIRS and f.name in theirs:
            value = theirs[f.name]
            merged[f.name] = list(value) if isinstance(value, list) else value
    return merged


def choices_from_form(get) -> dict[str, str]:
    """keuze-{field} values from a submitted form; anything but mijn/hun is ignored."""
    out = {}
    for f in FIELDS:
        value = get(CHOICE_PREFIX + f.name)
        if value in (MINE, THEIRS):
            out[f.name] = value
    return out


def other_version(text: str | None, uri) -> OtherVersion | None:
    """The account and time recorded in a case file (prov:wasAttributedTo, dcterms:modified)."""
    if not text:
        return None
    graph, problem = parse_turtle(text, "nieuwste versie", CANONICAL_BASE)
    if problem or graph is None:
        return None
    account = graph.value(uri, PROV.wasAttributedTo)
    modified = graph.value(uri, DCTERMS.modified)
    return OtherVersion(str(account).rsplit("/", 1)[-1] if account else "", str(modified or ""))


def base_text(history_dir, token: str) -> str | None:
    """The text of the version with this token among the newest kept versions, or None.

    Every save copies the file it replaces to the history, so the version a form was based on is
    there once someone else has saved over it."""
    if not token or token == "nieuw":
        return None
    try:
        paths = sorted((p for p in history_dir.glob("*.ttl") if STAMP_RE.match(p.stem)), reverse=True)
    except OSError:
        return None
    for path in paths[:HISTORY_SCAN]:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if token_of(data) == token:
            return data.decode("utf-8", "replace")
    return None
