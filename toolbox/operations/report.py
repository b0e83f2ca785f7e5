"""`toolbox report`: the generated content report (docs/content-report.md)."""

from __future__ import annotations

import time
from collections import defaultdict

from toolbox.config import Settings
from toolbox.graph.store import load_query
from toolbox.operations.stats import _short, compute_stats


def content_report(settings: Settings, store) -> str:
    stats = compute_stats(settings, store)
    per_source: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in store.select(load_query("report-sources")):
        per_source[(row["source"], row["sourceLabel"])][_short(row["class"])] = int(row["n"])
    lines = [
        "# Inhoudsrapport",
        "",
        f"Gegenereerd met `toolbox report` op {time.strftime('%Y-%m-%d')}. Niet met de hand bewerken.",
        "",
        f"De graaf telt {stats['triples']} triples (inhoud, ontologie en afleidingen).",
        "",
        "## Dingen per klasse",
        "",
        "| klasse | aantal |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {n} |" for name, n in sorted(stats["classes"].items())]
    lines += ["", "## Per brondocument: wat eruit is overgenomen", ""]
    for (source, label), classes in sorted(per_source.items(), key=lambda kv: kv[0][1]):
        total = sum(classes.values())
        lines += [f"### {label}", "", f"`{source}` — {total} dingen.", "", "| klasse | aantal |", "| --- | ---: |"]
        lines += [f"| {name} | {n} |" for name, n in sorted(classes.items())]
        lines.append("")
    lines += ["## Links per relatie", "", "| relatie | aantal |", "| --- | ---: |"]
    lines += [f"| {name} | {n} |" for name, n in sorted(stats["relations"].items())]
    lines += ["", f"## Weesjes: {len(stats['orphans'])}", ""]
    lines += [f"- {o['class']} {o['uri']}: {o['reason']}" for o in stats["orphans"]] or ["Geen."]
    return "\n".join(lines) + "\n"
