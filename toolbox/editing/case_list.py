"""The editors' list of cases (/beheer/): its rows, and search, filter and sort from GET parameters.

Plain data in, plain data out, so the list works without JavaScript and the rules are tested
without a web server. Unknown values are errors (in Dutch), never silently ignored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

STATUSES = {"actief": "Actief", "gearchiveerd": "Gearchiveerd"}
SORTS = {"titel": "Titel (A–Z)", "gewijzigd": "Laatst gewijzigd eerst"}
MAX_QUERY = 200


def fold(text: str) -> str:
    """Lower case without accents: ‘Één’ finds ‘een’."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class ListQuery:
    """What the editor asked for: `q` (words in the title or gemeente), `status`, `gemeente` and `cluster`
    (slugs) and `sorteer`."""

    text: str = ""
    status: str = ""
    gemeente: str = ""
    cluster: str = ""
    sort: str = "titel"

    @property
    def active(self) -> bool:
        return bool(self.text or self.status or self.gemeente or self.cluster)


def case_rows(model, status_active: str = "actief") -> list[dict]:
    """One row per case, archived ones included: what the list shows, searches and filters on."""
    rows = []
    for uri in model.instances("Case", include_archived=True):
        cluster = model.one(uri, "tor:cluster")
        rows.append({
            "slug": model.slug(uri),
            "label": model.label(uri),
            "status": model.text(uri, "tor:status") or status_active,
            "modified": model.text(uri, "dcterms:modified") or "",
            "attributed": model.one(uri, "prov:wasAttributedTo"),
            "municipalities": [model.label(x) for x in model.objects(uri, "tor:municipality")],
            "municipality_slugs": [model.slug(x) for x in model.objects(uri, "tor:municipality")],
            "cluster": model.slug(cluster) if cluster else "",
            "cluster_label": (f"{model.text(cluster, 'skos:notation') or ''}: {model.label(cluster)}".lstrip(": ")
                              if cluster else ""),
        })
    return rows


def choices(rows: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """The filter options that occur in the rows: (slug, label), sorted by label."""
    gemeenten, clusters = {}, {}
    for r in rows:
        gemeenten.update(zip(r["municipality_slugs"], r["municipalities"], strict=False))
        if r["cluster"]:
            clusters[r["cluster"]] = r["cluster_label"]
    return {
        "gemeente": sorted(gemeenten.items(), key=lambda kv: fold(kv[1])),
        "cluster": sorted(clusters.items(), key=lambda kv: fold(kv[1])),
    }


def parse_query(args, rows: list[dict]) -> tuple[ListQuery, dict[str, str]]:
    """The query from GET parameters (`args.get`), and a Dutch message per parameter that is not valid."""
    errors: dict[str, str] = {}
    text = " ".join((args.get("q") or "").split())
    if len(text) > MAX_QUERY:
        errors["q"] = f"Zoek met hooguit {MAX_QUERY} tekens."
        text = ""
    status = args.get("status") or ""
    if status and status not in STATUSES:
        errors["status"] = "Kies een status uit de lijst: actief of gearchiveerd."
        status = ""
    options = choices(rows)
    gemeente = args.get("gemeente") or ""
    if gemeente and gemeente not in dict(options["gemeente"]):
        errors["gemeente"] = "Deze gemeente heeft geen casussen; kies er een uit de lijst."
        gemeente = ""
    cluster = args.get("cluster") or ""
    if cluster and cluster not in dict(options["cluster"]):
        errors["cluster"] = "Dit cluster heeft geen casussen; kies er een uit de lijst."
        cluster = ""
    sort = args.get("sorteer") or "titel"
    if sort not in SORTS:
        errors["sorteer"] = "Sorteer op titel of op laatst gewijzigd."
        sort = "titel"
    return ListQuery(text, status, gemeente, cluster, sort), errors


def select(rows: list[dict], query: ListQuery) -> list[dict]:
    """The rows that match every part of the query, in the asked order.

    By title: active cases first, then archived ones, each A–Z. By last change: newest first
    (cases without a date last), title as tie-breaker."""
    words = fold(query.text).split()
    found = []
    for r in rows:
        if query.status and r["status"] != query.status:
            continue
        if query.gemeente and query.gemeente not in r["municipality_slugs"]:
            continue
        if query.cluster and r["cluster"] != query.cluster:
            continue
        haystack = fold(" ".join([r["label"], *r["municipalities"]]))
        if any(w not in haystack for w in words):
            continue
        found.append(r)
    if query.sort == "gewijzigd":
        found.sort(key=lambda r: fold(r["label"]))
        found.sort(key=lambda r: r["modified"] or "", reverse=True)
    else:
        found.sort(key=lambda r: (r["status"] != "actief", fold(r["label"])))
    return found
