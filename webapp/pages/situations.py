"""The situation block ("Je staat waarschijnlijk hier") shared by the guide and search: its JSON twin,
and when a search query is a described situation rather than a keyword."""

from __future__ import annotations

from flask import url_for

from toolbox.search.dutch import words
from webapp.filters import doc_url


def is_sentence(query: str) -> bool:
    """A described situation: four or more words with at least three content words ("we willen
    riolering vervangen"), not a keyword or a name ("checklist richting DO")."""
    return len(query.split()) >= 4 and len(words(query)) >= 3


def situation_json(m, answer) -> dict:
    """The machine-readable twin of "Je staat waarschijnlijk hier" (guide and search)."""
    def ref(uri):
        return {"uri": uri, "label": m.label(uri), "url": doc_url(uri)} if uri else None

    return {
        "situation": answer.text,
        "placed": answer.placed,
        "level": ref(answer.level),
        "level_reason": answer.level_reason,
        "steps": [dict(ref(p.step), level=p.level, score=p.score, share=p.share, reason=p.reason,
                       guide=url_for("pages.guide", stap=m.slug(p.step))) for p in answer.steps],
        "step": answer.steps[0].step if answer.steps else None,
        "next": [dict(ref(n["uri"]), relation=n["relation"]) for n in answer.next_steps],
        "checklist": ref(answer.checklist),
        "checks": [m.label(c) for c in answer.checks],
        "tools": [dict(ref(t["uri"]), reason=t["reason"], matches=t["matches"], relation=t["relation"], why=t["why"])
                  for t in answer.tools],
        "roles": [dict(ref(r["uri"]), reason=r["reason"], relation=r["relation"]) for r in answer.roles],
        "cases": [dict(ref(c["uri"]), reason=c["reason"], relation=c["relation"]) for c in answer.cases],
        "aids": [aid_group_json(m, g) for g in answer.aids],
        "question": question_json(answer),
        "choice": ({"kind": answer.choice[0], "uri": answer.choice[1]} if answer.choice else None),
        "knelpunten": [dict(ref(k["uri"]), reason=k["reason"],
                            relation=k["relation"],
                            remedies=[dict(ref(r["uri"]), reason=r["reason"]) for r in k["remedies"]])
                       for k in answer.knelpunten],
    }


def aid_group_json(m, group) -> dict:
    """One group of help at a step without tools ("Tools van de vorige stap, …")."""
    return {"kind": group.kind, "heading": group.heading,
            "items": [{"uri": i["uri"], "label": m.label(i["uri"]), "url": doc_url(i["uri"]), "reason": i["reason"],
                       **({"step": i["step"]} if "step" in i else {})} for i in group.items]}


def question_json(answer) -> dict | None:
    """The clarifying question, each choice with the link that answers it."""
    q = answer.question
    if q is None:
        return None
    return {"text": q.text, "choices": [
        {"value": c.value, "label": c.label, "hint": c.hint,
         "url": url_for("pages.guide", situatie=answer.text, keuze=c.value)} for c in q.choices]}
