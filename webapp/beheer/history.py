"""/beheer history of a case: every version with its maker, time and changes in words, and restoring one.

Routes on the `beheer` blueprint (webapp.beheer); restoring is a save like any other (beheer_cases).
"""

from __future__ import annotations

from flask import (
    g,
    request,
    url_for,
)

from toolbox.config import CANONICAL_BASE
from toolbox.editing.changes import word_diff
from webapp.beheer import four_eyes
from webapp.beheer.cases import _save
from webapp.beheer.views import Refused, _account_names, _render, _settings, bp, editor, login_required
from webapp.filters import dutch_moment
from webapp.state import state

# ---------------------------------------------------------------------------
# History, diff, restore

bp.add_app_template_global(word_diff, "word_diff")

ACTIONS = {"aangemaakt": "aangemaakt", "bewerkt": "bewerkt", "gearchiveerd": "gearchiveerd",
           "gepubliceerd": "weer gepubliceerd", "hersteld": "een eerdere versie teruggezet"}


@bp.route("/casussen/<slug>/geschiedenis")
@login_required
def history(slug: str):
    """Every version, newest first: who made it and when, and what it changed in words."""
    ed = editor()
    values, status, token, _ = ed.load(slug)
    names = _account_names()
    entries = ed.entries(slug, label=_labeller())
    for e in entries:
        e.who = _maker(e.made_by, names)
        e.approver = names.get(e.approved_by, e.approved_by)
        e.action_label = ACTIONS.get(e.action, "")
    title = f"Geschiedenis: {values.get('title') or slug}"
    return _render("beheer/geschiedenis.html", slug=slug, entries=entries, title=title, status=status,
                   breadcrumb=[{"label": "Beheer", "url": url_for("beheer.index")},
                               {"label": values.get("title") or slug, "url": url_for("beheer.edit_case", slug=slug)},
                               {"label": "Geschiedenis", "url": None}])


def _labeller():
    """Names of linked things from the site's graph (the files use canonical IRIs, the site its own base)."""
    m, base = state().model, _settings().base_uri

    def label(iri: str) -> str:
        local = base + iri[len(CANONICAL_BASE):] if iri.startswith(CANONICAL_BASE) else iri
        return m.label(local) if m.exists(local) else ""
    return label


def _maker(account_id: str, names: dict[str, str]) -> str:
    if not account_id:
        return "iemand buiten de site (met de hand in het bestand)"
    return names.get(account_id, account_id)


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
    made = old_version.made_at
    return _render("beheer/versie.html", slug=slug, stamp=stamp, diff=diff, text=text, token=token,
                   old=old_version, who=_maker(old_version.made_by, names), names=names,
                   replaced_by=names.get(old_version.replaced_by, old_version.replaced_by),
                   changes=ed.changes_since(slug, stamp, label=_labeller()),
                   title=f"Versie van {dutch_moment(made)}" if made else f"Versie vervangen op {_stamp_when(stamp)}",
                   breadcrumb=[{"label": "Beheer", "url": url_for("beheer.index")},
                               {"label": values.get("title") or slug, "url": url_for("beheer.edit_case", slug=slug)},
                               {"label": "Geschiedenis", "url": url_for("beheer.history", slug=slug)},
                               {"label": "Versie", "url": None}])


@bp.route("/casussen/<slug>/geschiedenis/<stamp>/herstellen", methods=["POST"])
@login_required
def restore(slug: str, stamp: str):
    if four_eyes.required():  # the earlier version becomes a draft, published by a second editor
        ed = editor()
        ed.load(slug)  # the case must still exist
        values, status, _ = ed.parse(slug, ed.history_text(slug, stamp))
        return four_eyes.propose(slug, values, status, "hersteld")
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


