"""Recent published changes: from the things' dcterms:modified and the editors' saves in the audit log.

The content files say when each thing last changed (a date, or a time after a web save); the audit
log says what each web save of a case did (made, edited, archived, published again, restored) and
when, to the second. Both are merged, one entry per thing per day at most from the files, newest
first. Only what is published counts: events of cases not in the model (never published) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolbox.accounts.registry import read_audit
from toolbox.config import Settings
from toolbox.graph.model import GraphModel

DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"
NEW, CHANGED, ARCHIVED = "nieuw", "gewijzigd", "gearchiveerd"
# Segment -> (singular, plural, feed name); the types a reader follows and filters on.
TYPES = {
    "casus": ("Casus", "Casussen", "casussen"),
    "tool": ("Tool", "Tools", "tools"),
    "knelpunt": ("Knelpunt", "Knelpunten", "knelpunten"),
    "hulpmiddel": ("Hulpmiddel", "Hulpmiddelen", "hulpmiddelen"),
    "stap": ("Processtap", "Processtappen", "stappen"),
    "checklist": ("Checklist", "Checklists", "checklists"),
    "rol": ("Rol", "Rollen", "rollen"),
    "competentie": ("Competentie", "Competenties", "competenties"),
    "gemeente": ("Gemeente", "Gemeenten", "gemeenten"),
}
FEEDS = {feed: segment for segment, (_, _, feed) in TYPES.items()}
AUDIT_KINDS = {"casus_aangemaakt": NEW, "casus_bewerkt": CHANGED, "casus_hersteld": CHANGED,
               "casus_gepubliceerd": CHANGED, "casus_gearchiveerd": ARCHIVED}
AUDIT_LINES = 20_000  # the newest lines of the audit log that are read


@dataclass(frozen=True)
class Change:
    uri: str
    segment: str
    slug: str
    title: str
    when: str  # ISO 8601: a date, or a UTC time ending in Z
    kind: str
    archived: bool

    @property
    def type_label(self) -> str:
        return TYPES[self.segment][0]

    @property
    def timestamp(self) -> str:
        """A full UTC time for Atom (a bare date is midnight UTC)."""
        if "T" in self.when:
            return self.when if self.when.endswith("Z") or "+" in self.when else self.when + "Z"
        return self.when + "T00:00:00Z"


def recent_changes(model: GraphModel, settings: Settings, segment: str | None = None) -> list[Change]:
    """Every published change of the followed types (or of one), newest first."""
    wanted = {segment} if segment else set(TYPES)
    seen_days: set[tuple[str, str]] = set()
    out: list[Change] = []
    for row in read_audit(settings, limit=AUDIT_LINES):
        kind = AUDIT_KINDS.get(row.get("gebeurtenis", ""))
        slug = row.get("casus")
        if kind is None or not isinstance(slug, str) or "casus" not in wanted:
            continue
        uri = f"{settings.base_uri}/id/casus/{slug}"
        if not model.exists(uri) or not model.is_a(uri, "Case"):
            continue
        when = str(row.get("tijd", ""))
        out.append(Change(uri, "casus", slug, model.label(uri), _utc(when), kind, model.is_archived(uri)))
        seen_days.add((uri, when[:10]))
    for uri, props in model.out.items():
        modified = props.get(DCTERMS_MODIFIED)
        if not modified or not model.exists(uri):
            continue
        seg = model.segment(uri)
        if seg not in wanted or model.slug(uri) is None:
            continue
        when = max(str(v) for v in modified)
        if (uri, when[:10]) in seen_days:
            continue  # the audit log already says what happened that day, to the second
        archived = model.is_archived(uri)
        out.append(Change(uri, seg, model.slug(uri), model.label(uri), when, ARCHIVED if archived else CHANGED,
                          archived))
    out.sort(key=lambda c: (c.timestamp, c.title), reverse=True)
    return out


def _utc(when: str) -> str:
    """2026-12-07T10:15:00+00:00 as 2026-12-07T10:15:00Z (the audit log writes UTC)."""
    return when[:19] + "Z" if when.endswith("+00:00") else when
