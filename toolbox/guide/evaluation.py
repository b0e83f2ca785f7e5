"""How well "Waar sta ik?" places described situations: top-1 and top-3 accuracy per level, and the misses.

Three sets, all written by hand from the sources, each situation with the step(s) an adviser would
accept, best first. tests/data/situations.json and tests/data/situations-dev2.json (other voices,
written before the ranker was tuned on it) are development sets: tune on them, read their misses.
tests/data/situations-heldout.json was written by someone else and is never tuned on: by default
only its aggregate figures are shown, so that it stays an honest measure. A situation counts as
top-k when any accepted step is among the ranker's first k steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from toolbox.config import REPO_ROOT
from toolbox.guide.ranker import SituationRanker

DEFAULT_SET = REPO_ROOT / "tests" / "data" / "situations.json"
DEV2_SET = REPO_ROOT / "tests" / "data" / "situations-dev2.json"
HELDOUT_SET = REPO_ROOT / "tests" / "data" / "situations-heldout.json"
LEVELS = ("strategisch", "tactisch", "uitvoering")


@dataclass
class Tally:
    total: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, rank: int | None) -> None:
        self.total += 1
        self.top1 += rank == 1
        self.top3 += rank is not None and rank <= 3

    def as_dict(self) -> dict:
        return {"total": self.total, "top1": self.top1, "top3": self.top3,
                "top1_accuracy": round(self.top1 / self.total, 3) if self.total else None,
                "top3_accuracy": round(self.top3 / self.total, 3) if self.total else None}


@dataclass
class Evaluation:
    overall: Tally = field(default_factory=Tally)
    per_level: dict[str, Tally] = field(default_factory=lambda: {lv: Tally() for lv in LEVELS})
    per_kind: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict] = field(default_factory=list)  # not in the top 1

    def as_dict(self) -> dict:
        return {"overall": self.overall.as_dict(),
                "per_level": {k: v.as_dict() for k, v in self.per_level.items()},
                "per_kind": {k: v.as_dict() for k, v in sorted(self.per_kind.items())},
                "misses": self.misses}


def load_set(path: Path = DEFAULT_SET) -> list[dict]:
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    for i, item in enumerate(items):
        if not item.get("situatie") or not item.get("verwacht"):
            raise ValueError(f"situatie {i}: 'situatie' en 'verwacht' zijn verplicht")
    return items


def evaluate(ranker: SituationRanker, items: list[dict]) -> Evaluation:
    out = Evaluation()
    for item in items:
        answer = ranker.place(item["situatie"])
        ranked = [ranker.m.slug(uri) for uri, _ in answer.ranking]
        expected = item["verwacht"]
        positions = [ranked.index(slug) + 1 for slug in expected if slug in ranked]
        rank = min(positions) if positions else None
        out.overall.add(rank)
        level = item.get("niveau")
        if level in out.per_level:
            out.per_level[level].add(rank)
        out.per_kind.setdefault(item.get("soort", "-"), Tally()).add(rank)
        if rank != 1:
            out.misses.append({"situatie": item["situatie"], "verwacht": expected, "rang": rank,
                               "top3": ranked[:3]})
    return out


def format_evaluation(result: Evaluation, misses: bool = True) -> str:
    def row(name: str, t: Tally) -> str:
        if not t.total:
            return f"{name:<14} {0:>4}        -        -"
        return f"{name:<14} {t.total:>4}   {t.top1 / t.total:6.1%}   {t.top3 / t.total:6.1%}"

    lines = [f"{'':<14} {'n':>4}   {'top-1':>6}   {'top-3':>6}", row("alles", result.overall)]
    lines += [row(level, t) for level, t in result.per_level.items()]
    lines += [""] + [row(kind, t) for kind, t in sorted(result.per_kind.items())]
    if result.misses and not misses:
        lines += ["", f"Niet op plaats 1: {len(result.misses)} (niet getoond)"]
    elif result.misses:
        lines += ["", f"Niet op plaats 1 ({len(result.misses)}):"]
        for miss in result.misses:
            where = f"plaats {miss['rang']}" if miss["rang"] else "niet gevonden"
            lines.append(f"- {miss['situatie']}\n    verwacht {', '.join(miss['verwacht'])}; {where};"
                         f" top-3: {', '.join(miss['top3'])}")
    return "\n".join(lines)
