"""Running user SPARQL: query-form detection, refusal of updates and SERVICE, result formatting."""

from __future__ import annotations

import json
import re

from toolbox.sparql.errors import QueryError

QUERY_FORM_RE = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
UPDATE_RE = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
SERVICE_RE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def strip_noise(query: str) -> str:
    """The query without comments, IRIs and string literals, so keywords inside them do not count."""
    text = re.sub(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'', '""', query)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', text)
    text = re.sub(r"<[^<>\s]*>", "<>", text)
    text = re.sub(r"#[^\n]*", "", text)
    return text


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; raises QueryError for updates and unknown forms."""
    text = strip_noise(query)
    match = QUERY_FORM_RE.search(text)
    update = UPDATE_RE.search(text)
    if update and (not match or update.start() < match.start()):
        raise QueryError(
            f"Dit endpoint is alleen-lezen: updates ({update.group(1).upper()} …) worden geweigerd "
            "en er is niets gewijzigd."
        )
    if not match:
        raise QueryError("Geen geldige SPARQL-query: verwacht SELECT, ASK, CONSTRUCT of DESCRIBE.")
    if SERVICE_RE.search(text):
        raise QueryError("Federatieve queries (SERVICE) zijn niet toegestaan: de server haalt geen externe data op.")
    return match.group(1).upper()


def run_cli_query(store, query: str, as_json: bool = False) -> str:
    form = query_form(query)
    if form in ("CONSTRUCT", "DESCRIBE"):
        return store.construct_ntriples(query).decode("utf-8")
    if form == "ASK":
        answer = store.ask(query)
        return json.dumps({"boolean": answer}) if as_json else ("ja" if answer else "nee")
    try:
        rows = store.select(query)
    except Exception as exc:  # store-specific parse errors
        raise QueryError(str(exc)) from exc
    if as_json:
        return json.dumps(rows, ensure_ascii=False, indent=2)
    return format_table(rows)


def format_table(rows: list[dict]) -> str:
    if not rows:
        return "(geen resultaten)"
    names = list(rows[0].keys())
    cells = [[("" if r[n] is None else str(r[n])) for n in names] for r in rows]
    widths = [min(60, max(len(n), *(len(c[i]) for c in cells))) for i, n in enumerate(names)]
    line = " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=False))
    out = [line, "-+-".join("-" * w for w in widths)]
    for c in cells:
        out.append(" | ".join(v[:60].ljust(w) for v, w in zip(c, widths, strict=False)))
    out.append(f"({len(rows)} rijen)")
    return "\n".join(out)
