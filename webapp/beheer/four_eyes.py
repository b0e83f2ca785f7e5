"""Four eyes for every way of publishing: with `TOOLBOX_FOUR_EYES` on, nothing in /beheer publishes at once.

The case form offers only "Opslaan als concept"; a direct save posted anyway is refused (403) with the typed
text back in the form. Archiving, publishing again and restoring an earlier version become a *proposal*: a
draft with the case's values and the proposed status (toolbox/editing/review/drafts.py), which a second editor
publishes like any draft. Without four eyes these actions publish at once, as before.
"""

from __future__ import annotations

from flask import g, redirect, url_for

from toolbox.accounts.registry import audit
from toolbox.editing.review.drafts import FOUR_EYES_DIRECT, DraftError, DraftStore, draft_case
from webapp.beheer.views import Refused, _ip, _settings, editor


def required() -> bool:
    return _settings().four_eyes


def refusal_message() -> str:
    return FOUR_EYES_DIRECT


def propose(slug: str, values: dict, status: str, action: str):
    """Keep a proposal for case `slug` as this editor's draft and show it; refused (409, nothing changed)
    when the case has a draft already, so that no typed draft text is overwritten."""
    try:
        draft, _ = draft_case(editor(), DraftStore(_settings()), dict(values, slug=slug), slug, g.account.id,
                              status=status, fresh=True, action=action)
    except DraftError as exc:
        raise Refused(exc.status, "Niet voorgesteld", str(exc)) from exc
    audit(_settings(), "concept_bewaard", account=g.account, ip=_ip(),
          detail={"soort": "casus", "concept": slug, "voorstel": action, "problemen": len(draft.problems)})
    return redirect(url_for("beheer.draft", kind="casus", slug=slug, concept_melding="voorstel"), 303)
