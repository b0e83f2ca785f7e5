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
    lines += _provenance_section(store)
    lines += ["", f"## Weesjes: {len(stats['orphans'])}", ""]
    lines += [f"- {o['class']} {o['uri']}: {o['reason']}" for o in stats["orphans"]] or ["Geen."]
    return "\n".join(lines) + "\n"


def _provenance_section(store) -> list[str]:
    """Where the qualified relations come from, and per case how its knelpunt links are backed."""
    lines = ["", "## Herkomst van gekwalificeerde relaties", "",
             "Uit een bronplaats: `prov:wasDerivedFrom` een `tor:SourcePlace`. Van de redactie: "
             "`prov:wasAttributedTo`, `prov:generatedAtTime` en `skos:editorialNote`. Zie docs/ontology.md.", "",
             "| relatie | aantal | uit een bronplaats | van de redactie | met herkomst |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for row in store.select(load_query("report-provenance")):
        total, source, editors = int(row["total"]), int(row["fromSource"]), int(row["byEditors"])
        share = f"{100 * (source + editors) / total:.0f}%" if total else "-"
        lines.append(f"| {_short(row['class'])} | {total} | {source} | {editors} | {share} |")
    lines += ["", "## Knelpunten per casus en hun herkomst", "",
              "Per casus: koppelingen met een knelpunt (`tor:reportsKnelpunt`, `tor:topKnelpunt`), hoeveel een melding "
              "met herkomst hebben, hoeveel uit een bronplaats komen en uit welke soort: de interviewtabel of de "
              "top 3 van de OT3-bijlage, of het casusblad van het werkboek (een koppeling kan uit meer plekken "
              "komen). De rest is van de redactie, nog niet aan een plek getoetst. *Dekking*: van alle knelpunten "
              "die de bronplaatsen van de casus noemen, het deel dat als koppeling met herkomst in de graaf staat; "
              "wat een bronplaats noemt maar de toolbox (nog) niet als knelpunt kent, staat als "
              "`tor:unmappedStatement` bij die plaats en telt als niet gedekt.", "",
              "| casus | koppelingen | met melding | uit een bronplaats | interviewtabel | top 3 | casusblad "
              "| niet gekoppeld | dekking |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    unmapped = {row["case"]: int(row["unmapped"]) for row in store.select(load_query("report-case-unmapped"))}
    for row in store.select(load_query("report-case-coverage")):
        derived, missing = int(row["fromSource"]), unmapped.get(row["case"], 0)
        cover = f"{100 * derived / (derived + missing):.0f}%" if derived + missing else "-"
        lines.append(f"| {row['label']} | {row['links']} | {row['reported']} | {derived} | "
                     f"{row['fromInterview']} | {row['fromTop3']} | {row['fromSheet']} | {missing} | {cover} |")
    lines += ["", "## Feiten als gegevens", "",
              "Wat de bronnen tellen, rangschikken of in een tabel, kaart of sessie zetten, staat als gegeven in de "
              "graaf (met zijn bronplaats), niet alleen in een beschrijving.", "",
              "| feit | aantal |", "| --- | ---: |"]
    lines += [f"| {row['fact']} | {row['n']} |" for row in store.select(load_query("report-facts"))]
    return lines
