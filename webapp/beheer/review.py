"""/beheer drafts and review: save a case as a concept, preview it, offer it for review, publish it as
a second editor (four eyes) or send it back with a remark; propose a new gemeente from the CBS list.

The states, the four-eyes rule and publishing through the editor's gate are in toolbox/editing/review/drafts.py
and toolbox/editing/review/municipality.py; this module is the web side of them (routes on the `beheer` blueprint,
which checks origin, CSRF and the session first).
"""

from __future__ import annotations

from flask import current_app, g, redirect, request, url_for

from toolbox.accounts.registry import audit
from toolbox.editing.form import Conflict, EditError, Invalid, size_errors, token_of, values_from_form
from toolbox.editing.review import municipality
from toolbox.editing.review.drafts import (
    PROPOSALS,
    REVIEW,
    DraftError,
    DraftStore,
    check_case,
    draft_case,
    publish_case,
)
from toolbox.editing.write_errors import WriteFailed
from webapp.beheer import additions, resume
from webapp.beheer.cases import _field_views, refresher
from webapp.beheer.refresher import BUSY, FAILED, READY
from webapp.beheer.views import (
    SECTIONS,
    Refused,
    _account_names,
    _ip,
    _render,
    _settings,
    _when,
    bp,
    editor,
    login_required,
)

MESSAGES = {
    "concept": "Het concept is bewaard. Het staat niet op de site; alleen redacteuren zien het.",
    "ingediend": "Het concept ligt ter beoordeling bij een andere redacteur.",
    "teruggestuurd": "Het concept is teruggestuurd naar de auteur, met je opmerking.",
    "verwijderd": "Het concept is verwijderd.",
    "voorstel": "Je voorstel is als concept bewaard; de site is nog niet veranderd. Bied het ter beoordeling aan: "
                "een andere redacteur publiceert het (vier ogen).",
    "bijgewerkt": "Het concept is nu gebaseerd op de nieuwste gepubliceerde versie. Controleer het en bewaar "
                  "het opnieuw; bij publiceren vervangt het die versie.",
    "gepubliceerd": "Het concept is gepubliceerd en staat op de site.",
    "wordt_ververst": "Het concept is gepubliceerd. De openbare pagina's tonen het over een ogenblik.",
    "niet_ververst": "Het concept is gepubliceerd, maar de site kon nog niet worden ververst; meld het aan de "
                     "beheerder van de server.",
}


def store() -> DraftStore:
    return DraftStore(_settings())


def _crumbs(label: str) -> list[dict]:
    return [{"label": "Beheer", "url": url_for("beheer.index")}, {"label": label, "url": None}]


def _refuse(exc: EditError):
    status = getattr(exc, "status", 400)
    titles = {403: "Niet toegestaan", 404: "Concept niet gevonden", 409: "Kan nu niet", 422: "Niet bewaard"}
    raise Refused(status, titles.get(status, "Niet gelukt"), str(exc)) from exc


@bp.context_processor
def _drafts_overview():
    """The "Concepten" section of /beheer/: every draft, with author, state and the reviewer's remark."""
    def concepten():
        if g.get("account") is None:
            return []
        names = _account_names()
        rows = []
        for d in store().list_drafts():
            rows.append({"d": d, "author": names.get(d.author, d.author), "updated": _when(d.updated),
                         "reviewer": names.get(d.reviewer, d.reviewer), "own": d.author == g.account.id,
                         "label": d.values.get("title") or d.values.get("naam") or d.slug})
        return rows
    def concept_van(kind: str, slug: str | None):
        """The draft of this thing, if there is one (the case form links to it)."""
        try:
            return store().get(kind, slug) if slug and g.get("account") is not None else None
        except DraftError:
            return None

    return {"concepten": concepten, "concept_van": concept_van, "proposals": PROPOSALS,
            "concept_melding": MESSAGES.get(request.args.get("concept_melding", ""))}


# ---------------------------------------------------------------------------
# Saving a case as a draft (from the case form, or the draft's own form)

@bp.route("/concepten/casus", methods=["POST"])
@login_required
def save_case_draft():
    existing = (request.args.get("casus") or "").strip() or None
    submitted = values_from_form(request.form.get, request.form.getlist)
    if existing is not None:
        submitted["slug"] = existing
    too_big = size_errors(submitted)
    if too_big:
        return _case_page(None, submitted, errors=too_big, code=400, existing=existing,
                          general=["Een of meer velden zijn te lang. Er is niets bewaard."])
    try:
        draft, _ = draft_case(editor(), store(), submitted, existing, g.account.id)
    except DraftError as exc:
        if exc.status == 422:  # a new case without a usable address: the form again, with the reason
            return _case_page(None, submitted, errors={"slug": [str(exc)]}, code=422, existing=existing)
        _refuse(exc)
    audit(_settings(), "concept_bewaard", account=g.account, ip=_ip(),
          detail={"soort": "casus", "concept": draft.slug, "problemen": len(draft.problems)})
    return redirect(url_for("beheer.draft", kind="casus", slug=draft.slug, concept_melding="concept"), 303)


@bp.route("/concepten/<kind>/<slug>")
@login_required
def draft(kind: str, slug: str):
    try:
        d = store().require(kind, slug)
    except DraftError as exc:
        _refuse(exc)
    if kind == "gemeente":
        return _gemeente_page(d)
    if kind in additions.KINDS:
        return additions.page(additions.KINDS[kind], d, {})
    existing = None if d.base_token == "nieuw" else d.slug
    typed = resume.typed_back()  # back after an expired session: what was posted then, not yet checked
    if typed is not None:
        return _case_page(d, values_from_form(typed.get, typed.getlist), existing=existing, restored=True)
    return _case_page(d, d.values, errors=d.errors, general=d.general, existing=existing)


def _case_page(d, values: dict, errors: dict | None = None, general: list | None = None, code: int = 200,
               existing: str | None = None, problems_title: str | None = None, restored: bool = False):
    errors = errors or {}
    views = _field_views(values, errors, is_new=existing is None)
    summary = [{"label": views[name]["f"].label, "message": m, "target": f"f-{name}"}
               for name, ms in errors.items() if name in views for m in ms]
    general = list(general or []) + [m for name, ms in errors.items() if name not in views for m in ms]
    title = f"Concept: {values.get('title') or (d.slug if d else 'nieuwe casus')}"
    names = _account_names()
    outdated = None
    if d is not None and existing and d.base_token != "nieuw":
        current = editor().read(existing)
        if current is not None and token_of(current) != d.base_token:
            outdated = editor().parse(existing, current.decode("utf-8", "replace"))[0]
    return _render("beheer/concept.html", code, d=d, values=values, views=views, sections=SECTIONS, outdated=outdated,
                   summary=summary, general=general, existing=existing, title=title, breadcrumb=_crumbs(title),
                   names=names, problems_title=problems_title, restored=restored)


@bp.route("/concepten/casus/<slug>/voorbeeld")
@login_required
def preview_draft(slug: str):
    """The public case page as the draft would make it (the preview of the case form); nothing is written."""
    try:
        d = store().require("casus", slug)
    except DraftError as exc:
        _refuse(exc)
    ed = editor()
    prepared = check_case(ed, dict(d.values, slug=d.slug), None if d.base_token == "nieuw" else d.slug, d.author)
    model = ed.preview_model(prepared)
    return _render("beheer/concept_voorbeeld.html", m=model, uri=str(ed.uri(prepared.slug, canonical=False)),
                   segment="casus", similar=[], d=d, canonical=None, alternates=[],
                   breadcrumb=_crumbs("Voorbeeld van een concept"))


# ---------------------------------------------------------------------------
# Review: offer, send back, publish, discard

@bp.route("/concepten/<kind>/<slug>/indienen", methods=["POST"])
@login_required
def submit_draft(kind: str, slug: str):
    try:
        store().submit(kind, slug, g.account.id)
    except DraftError as exc:
        _refuse(exc)
    audit(_settings(), "concept_ingediend", account=g.account, ip=_ip(), detail={"soort": kind, "concept": slug})
    return redirect(url_for("beheer.draft", kind=kind, slug=slug, concept_melding="ingediend"), 303)


@bp.route("/concepten/<kind>/<slug>/terugsturen", methods=["POST"])
@login_required
def reject_draft(kind: str, slug: str):
    try:
        store().reject(kind, slug, g.account.id, request.form.get("opmerking", "")[:4000])
    except DraftError as exc:
        _refuse(exc)
    audit(_settings(), "concept_teruggestuurd", account=g.account, ip=_ip(), detail={"soort": kind, "concept": slug})
    return redirect(url_for("beheer.index", concept_melding="teruggestuurd") + "#concepten", 303)


@bp.route("/concepten/casus/<slug>/nieuwste-versie", methods=["POST"])
@login_required
def rebase_draft(slug: str):
    """Base a case draft on the version that is published now (after someone else changed the case)."""
    try:
        d = store().require("casus", slug)
        if d.base_token == "nieuw":
            raise DraftError("Dit concept is een nieuwe casus; er is geen gepubliceerde versie.", 400)
        store().rebase("casus", slug, g.account.id, editor().load(slug)[2])
    except DraftError as exc:
        _refuse(exc)
    audit(_settings(), "concept_bijgewerkt", account=g.account, ip=_ip(), detail={"soort": "casus", "concept": slug})
    return redirect(url_for("beheer.draft", kind="casus", slug=slug, concept_melding="bijgewerkt"), 303)


@bp.route("/concepten/<kind>/<slug>/verwijderen", methods=["POST"])
@login_required
def discard_draft(kind: str, slug: str):
    try:
        store().discard(kind, slug, g.account.id)
    except DraftError as exc:
        _refuse(exc)
    audit(_settings(), "concept_verwijderd", account=g.account, ip=_ip(), detail={"soort": kind, "concept": slug})
    return redirect(url_for("beheer.index", concept_melding="verwijderd") + "#concepten", 303)


@bp.route("/concepten/<kind>/<slug>/publiceren", methods=["POST"])
@login_required
def publish_draft(kind: str, slug: str):
    """Publish through the same gate as every save; invalid (422) or changed meanwhile (409): nothing written."""
    app = current_app._get_current_object()
    tickets: list[int] = []
    ed = editor()

    def ask_for_refresh(result):  # inside the save lock, like every save
        tickets.append(refresher(app).request())

    def publish(d):
        if kind == "gemeente":
            return municipality.publish(ed, municipality.prepare(ed, d.values, d.author, g.account.id),
                                        on_saved=ask_for_refresh)
        if kind in additions.KINDS:
            return additions.publish(ed, kind, d, g.account.id, on_saved=ask_for_refresh)
        return publish_case(ed, d, g.account.id, on_saved=ask_for_refresh)

    try:
        d = store().require(kind, slug)
        result = store().approve(kind, slug, g.account.id, publish)
    except DraftError as exc:
        _refuse(exc)
    except (Invalid, Conflict) as exc:
        status = 422 if isinstance(exc, Invalid) else 409
        audit(_settings(), "publiceren_geweigerd", account=g.account, ip=_ip(),
              detail={"soort": kind, "concept": slug, "status": status})
        problems = ([m for ms in exc.errors.values() for m in ms] + exc.general) if isinstance(exc, Invalid) \
            else [str(exc) + " Laat de auteur het concept bijwerken met de nieuwste versie."]
        title = "Niet gepubliceerd: los eerst deze problemen op" if status == 422 else "Niet gepubliceerd"
        if kind == "gemeente":
            return _gemeente_page(d, general=problems, code=status, problems_title=title)
        if kind in additions.KINDS:
            return additions.page(additions.KINDS[kind], d, {}, general=problems, code=status,
                                      problems_title=title)
        return _case_page(d, d.values, errors=exc.errors if isinstance(exc, Invalid) else {},
                          general=exc.general if isinstance(exc, Invalid) else problems, code=status,
                          existing=None if d.base_token == "nieuw" else d.slug, problems_title=title)
    except WriteFailed as exc:
        raise Refused(exc.status, "Niet gepubliceerd", str(exc)) from exc
    except EditError as exc:  # e.g. a gemeente draft whose code is not in the list (a damaged draft file)
        _refuse(exc)
    audit(_settings(), "concept_gepubliceerd", account=g.account, ip=_ip(),
          detail={"soort": kind, "concept": slug, "auteur": d.author, "goedkeurder": g.account.id,
                  "versie": result.token})
    outcome = refresher(app).wait(tickets[0], _settings().save_wait) if tickets else READY
    melding = {READY: "gepubliceerd", BUSY: "wordt_ververst", FAILED: "niet_ververst"}[outcome]
    if kind == "casus":
        return redirect(url_for("beheer.edit_case", slug=slug, concept_melding=melding), 303)
    return redirect(url_for("beheer.index", concept_melding=melding) + "#concepten", 303)


# ---------------------------------------------------------------------------
# A new gemeente

@bp.route("/gemeenten/nieuw", methods=["GET", "POST"])
@login_required
def new_gemeente():
    ed = editor()
    taken = municipality.known_codes(ed)
    options = [{"code": c, "naam": n} for c, n in sorted(municipality.municipalities().items(), key=lambda i: i[1])
               if c not in taken]
    error, chosen = None, ""
    if request.method == "POST":
        chosen = (request.form.get("code") or "")[:10]
        try:
            values = municipality.values_for(chosen)
            prepared = municipality.prepare(ed, values, g.account.id)
            if prepared.general:
                raise EditError(" ".join(prepared.general))
            store().save_draft("gemeente", values["slug"], values, g.account.id)
        except DraftError as exc:
            _refuse(exc)
        except EditError as exc:
            error = str(exc)
        else:
            audit(_settings(), "concept_bewaard", account=g.account, ip=_ip(),
                  detail={"soort": "gemeente", "concept": values["slug"], "code": values["code"]})
            return redirect(url_for("beheer.draft", kind="gemeente", slug=values["slug"],
                                    concept_melding="concept"), 303)
    return _render("beheer/gemeente_nieuw.html", 422 if error else 200, options=options, error=error, chosen=chosen,
                   total=len(municipality.municipalities()),
                   title="Nieuwe gemeente voorstellen", breadcrumb=_crumbs("Nieuwe gemeente voorstellen"))


def _gemeente_page(d, general: list | None = None, code: int = 200, problems_title: str | None = None):
    title = f"Concept: gemeente {d.values.get('naam', d.slug)}"
    return _render("beheer/concept_gemeente.html", code, d=d, general=general or [], title=title,
                   breadcrumb=_crumbs(title), names=_account_names(),
                   problems_title=problems_title, review=REVIEW)

