"""/beheer: propose a new knelpunt, theme or tool, and keep working on that proposal as a draft.

The form per kind, the checks and the file it becomes are in toolbox/editing/review/additions.py; the draft's
states, review and publishing by a second editor are the same as for a case (webapp/beheer/review.py calls
`page` for these drafts and `publish` when a reviewer publishes one).
"""

from __future__ import annotations

from flask import g, redirect, request, url_for

from toolbox.accounts.registry import audit
from toolbox.editing.form import EditError, size_errors, values_from_form
from toolbox.editing.review import additions, municipality
from toolbox.editing.review.drafts import DraftError, DraftStore
from webapp.beheer.cases import _field_views
from webapp.beheer.views import Refused, _account_names, _ip, _render, _settings, bp, editor, login_required

KINDS = additions.KINDS
# The public page template per kind (as webapp/pages/views.py renders /doc/{kind}/{slug}; the families of
# webapp/ do not import each other, so the three names are repeated here).
PAGE_TEMPLATES = {"knelpunt": "pages/knelpunt.html", "tool": "pages/tool.html", "thema": "pages/entity.html",
                  "gemeente": "pages/entity.html"}
WHAT = {"knelpunt": "het knelpunt", "tool": "de tool", "thema": "het thema", "gemeente": "de gemeente"}


def _kind(name: str) -> additions.Kind:
    try:
        return additions.kind_of(name)
    except EditError as exc:
        raise Refused(404, "Onbekend soort onderdeel", str(exc)) from exc


def _crumbs(label: str) -> list[dict]:
    return [{"label": "Beheer", "url": url_for("beheer.index")}, {"label": label, "url": None}]


@bp.route("/voorstellen/<kind>/nieuw", methods=["GET", "POST"])
@login_required
def propose(kind: str):
    """A new proposal: the form, then a draft of this editor (problems may remain until it is published)."""
    k = _kind(kind)
    if request.method == "GET":
        return page(k, None, {})
    return _save(k, None)


@bp.route("/voorstellen/<kind>/<slug>", methods=["POST"])
@login_required
def save_proposal(kind: str, slug: str):
    """The author saves their proposal again (its address stays)."""
    return _save(_kind(kind), slug)


def _save(k: additions.Kind, slug: str | None):
    fields = list(k.fields)
    values = values_from_form(request.form.get, request.form.getlist, fields)
    if slug is not None:
        values["slug"] = slug
    too_big = size_errors(values, fields)
    if too_big:
        return page(k, None, values, errors=too_big, code=400, existing=slug,
                    general=["Een of meer velden zijn te lang. Er is niets bewaard."])
    prepared = additions.prepare(editor(), k, values, g.account.id)
    slug_problems = prepared.errors.get("slug", [])
    if slug is None and slug_problems:  # a draft needs a valid, free address
        return page(k, None, values, errors=prepared.errors, general=prepared.general, code=422)
    store = DraftStore(_settings())
    try:
        draft = store.save_draft(k.name, prepared.slug, values, g.account.id, "nieuw", prepared.errors,
                                 prepared.general)
    except DraftError as exc:
        raise Refused(exc.status, "Niet bewaard", str(exc)) from exc
    audit(_settings(), "concept_bewaard", account=g.account, ip=_ip(),
          detail={"soort": k.name, "concept": draft.slug, "problemen": len(draft.problems)})
    return redirect(url_for("beheer.draft", kind=k.name, slug=draft.slug, concept_melding="concept"), 303)


def page(k: additions.Kind, d, values: dict, errors: dict | None = None, general: list | None = None,
         code: int = 200, existing: str | None = None, problems_title: str | None = None):
    """The proposal form (new, or the draft `d` with its state and review actions)."""
    if d is not None and not values:  # the draft as saved, with the problems its check found
        values, errors = d.values, errors or d.errors
        general = list(general or []) + [m for m in d.general if m not in (general or [])]
    errors = errors or {}
    views = _field_views(values, errors, is_new=d is None and existing is None, fields=list(k.fields))
    summary = [{"label": views[name]["f"].label, "message": m, "target": f"f-{name}"}
               for name, ms in errors.items() if name in views for m in ms]
    general = list(general or []) + [m for name, ms in errors.items() if name not in views for m in ms]
    name = values.get("naam") or (d.slug if d else "")
    title = f"Concept: {k.label} {name}" if d is not None else f"{k.new.capitalize()} voorstellen"
    action = (url_for("beheer.save_proposal", kind=k.name, slug=d.slug) if d is not None
              else url_for("beheer.propose", kind=k.name))
    return _render("beheer/onderdeel.html", code, kind=k, d=d, values=values, views=views,
                   order=[f.name for f in k.fields], summary=summary, general=general, title=title,
                   breadcrumb=_crumbs(title), names=_account_names(), problems_title=problems_title,
                   form_action=action)


def publish(ed, kind: str, draft, approver: str, on_saved=None):
    """Publish a proposal draft (called by the review's publish, inside the draft store's lock)."""
    k = additions.kind_of(kind)
    return additions.publish(ed, k, additions.prepare(ed, k, dict(draft.values, slug=draft.slug), draft.author,
                                                      approver=approver), on_saved=on_saved)


@bp.route("/concepten/<kind>/<slug>/voorbeeld")
@login_required
def preview_proposal(kind: str, slug: str):
    """The public page of a proposed knelpunt, theme, tool or gemeente as it will look once published, from
    all content with the proposal in it (inferences included, like the case preview); nothing is written."""
    from toolbox.publishing.refresh import make_preview

    if kind != "gemeente":
        _kind(kind)
    try:
        d = DraftStore(_settings()).require(kind, slug)
    except DraftError as exc:
        raise Refused(exc.status, "Concept niet gevonden", str(exc)) from exc
    ed = editor()
    if kind == "gemeente":
        prepared = municipality.prepare(ed, d.values, d.author)
        path = municipality.path_for(ed, d.slug)
    else:
        k = KINDS[kind]
        prepared = additions.prepare(ed, k, dict(d.values, slug=d.slug), d.author)
        path = additions.path_for(ed, k, d.slug)
    model = make_preview(_settings(), path, prepared.case_graph.serialize(format="nt", encoding="utf-8"))
    uri = f"{_settings().base_uri}/id/{kind}/{d.slug}"
    return _render("beheer/onderdeel_voorbeeld.html", page_template=PAGE_TEMPLATES[kind], m=model, uri=uri,
                   segment=kind, related=[], d=d, what=WHAT[kind], canonical=None, alternates=[],
                   breadcrumb=_crumbs("Voorbeeld van een concept"))
