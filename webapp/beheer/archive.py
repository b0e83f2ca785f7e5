"""Archiving asks first: a confirmation page with a checkbox, so one stray click never takes a case offline.

GET /beheer/casussen/{slug}/archiveren shows what archiving does and asks to tick "ja"; the POST to
.../status with status=gearchiveerd (webapp/beheer/cases.py) is only carried out with `bevestigen=ja`.
Without it the same page comes back with the message at the checkbox and nothing changes. Works
without JavaScript. Publishing again needs no confirmation: it takes nothing away.
"""

from __future__ import annotations

from flask import request, url_for

from toolbox.editing.form import STATUS_RETIRED
from webapp.beheer.views import _render, bp, editor, login_required

CONFIRM_FIELD, CONFIRM_VALUE = "bevestigen", "ja"


def confirmed() -> bool:
    return request.form.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirm_page(slug: str, code: int = 200, error: str | None = None, token: str | None = None):
    """The confirmation page for archiving `slug`, with the version the editor saw."""
    values, status, current_token, _ = editor().load(slug)
    title = values.get("title") or slug
    return _render(
        "beheer/archiveren.html", code, slug=slug, case_title=title, token=token or current_token,
        already=status == STATUS_RETIRED, error=error,
        breadcrumb=[{"label": "Beheer", "url": url_for("beheer.index")},
                    {"label": title, "url": url_for("beheer.edit_case", slug=slug)},
                    {"label": "Archiveren", "url": None}])


@bp.route("/casussen/<slug>/archiveren")
@login_required
def confirm_archive(slug: str):
    return confirm_page(slug, token=(request.args.get("versie") or "")[:64] or None)
