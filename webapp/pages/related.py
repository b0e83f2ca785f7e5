"""What the pages show next to a thing: similar cases, related tools, cases per step, the steps of a case.

Worked out once per content version (the site state's cache).
"""

from __future__ import annotations

from collections import Counter

from webapp.state import state


def similar_cases(uri: str, limit: int = 5) -> list[dict]:
    """Cases ranked by shared knelpunten (3), themes (2) and the same scale (1)."""
    s = state()

    def compute():
        m = s.model
        mine_k = set(m.objects(uri, "tor:reportsKnelpunt"))
        mine_t = set(m.objects(uri, "tor:theme"))
        mine_s = set(m.objects(uri, "tor:scale"))
        ranked = []
        for other in m.instances("Case"):
            if other == uri:
                continue
            shared_k = mine_k & set(m.objects(other, "tor:reportsKnelpunt"))
            shared_t = mine_t & set(m.objects(other, "tor:theme"))
            same_s = mine_s & set(m.objects(other, "tor:scale"))
            score = 3 * len(shared_k) + 2 * len(shared_t) + len(same_s)
            if score:
                ranked.append({"uri": other, "score": score, "knelpunten": sorted(shared_k, key=m.sort_key),
                               "themes": sorted(shared_t, key=m.sort_key), "scale": bool(same_s)})
        ranked.sort(key=lambda r: (-r["score"], m.label(r["uri"]).lower()))
        return ranked[:limit]

    return s.cached(("similar", uri), compute)


def related_tools(tool: str) -> list[str]:
    """Tools the sources relate to this one, then tools recommended in the same steps (most shared first)."""
    s = state()

    def compute():
        m = s.model
        explicit = m.objects(tool, "tor:relatedTool")
        shared = Counter()
        for step in m.objects(tool, "tor:usedInStep"):
            shared.update(t for t in m.objects(step, "tor:relevantTool") if t != tool and m.is_a(t, "Tool"))
        ranked = [t for t, _ in sorted(shared.items(), key=lambda kv: (-kv[1], m.label(kv[0]).lower()))]
        return list(dict.fromkeys(explicit + ranked))[:8]

    return s.cached(("related", tool), compute)


def cases_for_step(step: str) -> list[str]:
    """Cases that went through this step (first), then cases that reported a knelpunt this step addresses."""
    s = state()

    def compute():
        m = s.model
        live = set(m.instances("Case"))  # archived cases stay out of the lists
        direct = [c for c in m.subjects("tor:usedStep", step) if c in live]
        via = {c for k in m.objects(step, "tor:addresses") for c in m.objects(k, "tor:reportedByCase") if c in live}
        ordered = sorted(via - set(direct), key=lambda u: m.label(u).lower())
        return sorted(direct, key=lambda u: m.label(u).lower()) + ordered

    return s.cached(("cases-for-step", step), compute)


def case_steps(case: str) -> list[str]:
    """The steps a case is filed under: those it went through and those that address its knelpunten."""
    m = state().model
    steps = set(m.objects(case, "tor:usedStep"))
    for knelpunt in m.objects(case, "tor:reportsKnelpunt"):
        steps.update(m.subjects("tor:addresses", knelpunt))
    return [st for st in steps if m.is_a(st, "ProcessStep")]


