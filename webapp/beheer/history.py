"""/beheer history of a case: earlier versions, a diff with the current file, and restoring one.

Routes on the `beheer` blueprint (webapp.beheer); restoring is a save like any other (beheer_cases).
"""

from __future__ import annotations

from flask import (
    g,
    request,
    url_for,
)

from webapp.beheer.cases import _save
from webapp.beheer.views import Refused, _account_names, _render, _settings, _when, _who, bp, editor, login_required
from webapp.state import state

# ---------------------------------------------------------------------------
# History, diff, restore

@bp.route("/casussen/<slug>/geschiedenis")
@login_required
def history(slug: str):
    ed = editor()
    values, status, token, _ = ed.load(slug)
    names = _account_names()
    versions = ed.history(slug)
    for v in versions:
        v.who = names.get(v.account, v.account)
        v.when = _when(v.modified)
        v.replaced = _stamp_when(v.stamp)
    m = state().model
    uri = f"{_settings().base_uri}/id/casus/{slug}"
    current = {"when": _when(m.text(uri, "dcterms:modified")), "who": _who(m.one(uri, "prov:wasAttributedTo"), names)}
    title = f"Geschiedenis: {values.get('title') or slug}"
    return _render("beheer/geschiedenis.html", slug=slug, versions=versions, current=current, title=title,
                   status=status, breadcrumb=[{"label": "Beheer", "url": url_for("beheer.index")},
                                              {"label": values.get("title") or slug,
                                               "url": url_for("beheer.edit_case", slug=slug)},
                                              {"label": "Geschiedenis", "url": None}])


def _stamp_when(stamp: str) -> str:
    return f"{stamp[6:8]}-{stamp[4:6]}-{stamp[0:4]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]} (UTC)"


@bp.route("/casussen/<slug>/geschiedenis/<stamp>")
@login_required
def version(slug: str, stamp: str):
    ed = editor()
    values, status, token, _ = ed.load(slug)
    text = ed.history_text(slug, stamp)
    diff = ed.diff(slug, stamp)
    old_version = ed._version(stamp, text, slug)
    names = _account_names()
    return _render("beheer/versie.html", slug=slug, stamp=stamp, diff=diff, text=text, token=token,
                   when=_stamp_when(stamp), old=old_version, who=names.get(old_version.account, old_version.account),
                   title=f"Versie van {_stamp_when(stamp)}",
                   breadcrumb=[{"label": "Beheer", "url": url_for("beheer.index")},
                               {"label": values.get("title") or slug, "url": url_for("beheer.edit_case", slug=slug)},
                               {"label": "Geschiedenis", "url": url_for("beheer.history", slug=slug)},
                               {"label": "Versie", "url": None}])


@bp.route("/casussen/<slug>/geschiedenis/<stamp>/herstellen", methods=["POST"])
@login_required
def restore(slug: str, stamp: str):
    prepared = editor().prepare_restore(slug, stamp, g.account.id)
    if not prepared.ok:
        problems = [m for ms in prepared.errors.values() for m in ms] + prepared.general
        raise Refused(422, "Terugzetten niet mogelijk",
                      "Deze versie past niet meer bij de rest van de inhoud: " + " ".join(problems))

    def conflict(exc):
        raise Refused(409, "Intussen gewijzigd",
                      "Iemand anders heeft deze casus gewijzigd nadat je de pagina opende. "
                      "Open de geschiedenis opnieuw en probeer het nog eens.")

    return _save(prepared, (request.form.get("versie") or "")[:64], "hersteld", on_conflict=conflict)


