"""`toolbox stats`: counts per class, links per relation, and orphans."""

from __future__ import annotations

from toolbox.config import Settings
from toolbox.graph.store import load_query
from toolbox.namespaces import TOR


def _short(iri: str) -> str:
    return "tor:" + iri[len(str(TOR)):] if iri.startswith(str(TOR)) else iri


def compute_stats(settings: Settings, store) -> dict:
    classes = {_short(r["class"]): int(r["n"]) for r in store.select(load_query("stats-classes"))}
    relations = {_short(r["p"]): int(r["n"]) for r in store.select(load_query("stats-relations"))}
    orphans = [
        {"uri": r["s"], "class": _short(r["class"]), "label": r.get("label"), "reason": r["reason"]}
        for r in store.select(load_query("stats-orphans"))
    ]
    return {
        "triples": store.count_triples(),
        "classes": classes,
        "relations": relations,
        "orphans": orphans,
    }


def format_stats(stats: dict) -> str:
    lines = [f"Triples: {stats['triples']}", "", "Dingen per klasse:"]
    lines += [f"  {name:<32} {n:>6}" for name, n in sorted(stats["classes"].items())]
    lines += ["", "Links per relatie:"]
    lines += [f"  {name:<32} {n:>6}" for name, n in sorted(stats["relations"].items())]
    lines += ["", f"Weesjes: {len(stats['orphans'])}"]
    lines += [f"  {o['class']:<12} {o['uri']}  ({o['reason']})" for o in stats["orphans"]]
    return "\n".join(lines)
