"""/beheer case form: new and edit, preview, save (with conflicts), retire and republish.

Routes on the `beheer` blueprint (webapp.beheer), which checks origin, CSRF and the session first.
"""

from __future__ import annotations

import threading
import time

from flask import (
    current_app,
    g,
    redirect,
    request,
    url_for,
)

from toolbox.accounts.registry import audit
from toolbox.editing.form import (
    FIELDS,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    Conflict,
    Invalid,
    Prepared,
    empty_values,
    size_errors,
    values_from_form,
)
from toolbox.editing.write_errors import WriteFailed
from webapp import page_cache
from webapp.beheer import four_eyes, resume
from webapp.beheer.choices import OPTIONS
from webapp.beheer.conflict import conflict_context, merged_values
from webapp.beheer.refresher import BUSY, FAILED, READY, Refresher
from webapp.beheer.views import (
    CHECKBOX_LIMIT,
    OPTION_CLASSES,
    SECTIONS,
    Refused,
    _ip,
    _render,
    _settings,
    bp,
    editor,
    login_required,
)
from webapp.state import SiteState, state, swap_in

_refresher_lock = threading.Lock()

# ---------------------------------------------------------------------------
# The case form: new and edit, preview, save

def _options(segments: tuple[str, ...]) -> list[dict]:
    m = state().model
    return [OPTIONS.option(m, segment, uri) for segment in segments
            for uri in m.instances(OPTION_CLASSES[segment], include_archived=True)]


def _field_views(values: dict, errors: dict, is_new: bool, fields=None) -> dict[str, dict]:
    """What the form template needs per field (the case form's fields, or another form's `fields`)."""
    views = {}
    for f in fields or FIELDS:
        if f.name == "slug" and not is_new:
            continue
        view = {"f": f, "id": f"f-{f.name}", "errors": errors.get(f.name, []), "value": values.get(f.name)}
        described = []
        if f.hint:
            described.append(f"hint-{f.name}")
        if view["errors"]:
            described.append(f"err-{f.name}")
        view["describedby"] = " ".join(described)
        if f.kind in ("one", "many"):
            options = _options(f.segments)
            chosen = values.get(f.name) or ([] if f.kind == "many" else "")
            chosen_set = set(chosen) if f.kind == "many" else {chosen}
            known = {o["value"] for o in options}
            for value in sorted(v for v in chosen_set if v and v not in known):
                options.append({"value": value, "label": f"{value} (onbekend)", "group": ""})
            if f.name == "top_knelpunt":  # a browser sends chosen options in page order: put them first, ranked
                options = sorted(options, key=lambda o: chosen.index(o["value"]) if o["value"] in chosen_set
                                 else len(chosen))
            view["options"] = options
            view["chosen"] = chosen_set
            view["widget"] = ("select" if f.kind == "one" else
                              "checkboxes" if len(options) <= CHECKBOX_LIMIT else "picker")
            view["groups"] = sorted({o["group"] for o in options}, key=lambda gname: [
                o["group"] for o in options].index(gname))
        else:
            view["widget"] = {"text": "textarea", "lines": "textarea", "urls": "textarea"}.get(f.kind, "input")
        views[f.name] = view
    return views


def _form(slug: str | None, values: dict, token: str, status: str, errors: dict | None = None,
          general: list[str] | None = None, code: int = 200, conflict: dict | None = None, restored: bool = False):
    errors = errors or {}
    is_new = slug is None
    title = "Nieuwe casus" if is_new else f"Casus bewerken: {values.get('title') or slug}"
    crumbs = [{"label": "Beheer", "url": url_for("beheer.index")}, {"label": title, "url": None}]
    views = _field_views(values, errors, is_new)
    general = list(general or [])
    summary = []
    for name, messages in errors.items():
        if name not in views:  # e.g. the slug of an existing case: not a field on this form
            general.extend(m for m in messages if m not in general)
            continue
        for message in messages:
            summary.append({"label": views[name]["f"].label, "message": message, "target": f"f-{name}"})
    return _render(
        "beheer/casus.html", code, slug=slug, is_new=is_new, values=values, token=token, status=status,
        views=views, sections=SECTIONS, summary=summary, general=general,
        conflict=conflict, title=title, breadcrumb=crumbs, public_url=None if is_new else _public_url(slug, status),
        restored=restored,
    )


def _public_url(slug: str, status: str) -> str:
    url = url_for("pages.entity", segment="casus", slug=slug)
    return url + ("?archief=1" if status == STATUS_RETIRED else "")


@bp.route("/casussen/nieuw", methods=["GET", "POST"])
@login_required
def new_case():
    return _case_form(None)


@bp.route("/casussen/<slug>", methods=["GET", "POST"])
@login_required
def edit_case(slug: str):
    return _case_form(slug)


def _case_form(slug: str | None):
    ed = editor()
    if slug is None:
        values, status, token, extras = empty_values(), STATUS_ACTIVE, "nieuw", []
    else:
        values, status, token, extras = ed.load(slug)
    if request.method == "GET":
        typed = resume.typed_back()  # back after an expired session: what was posted then
        if typed is not None:
            values = values_from_form(typed.get, typed.getlist) | ({"slug": slug} if slug else {})
            return _form(slug, values, (typed.get("versie") or token)[:64], status, restored=True)
        return _form(slug, values, token, status)
    submitted = values_from_form(request.form.get, request.form.getlist)
    form_token = (request.form.get("versie") or "")[:64]
    action = request.form.get("actie", "opslaan")
    if slug is not None:
        submitted["slug"] = slug
        submitted = merged_values(slug, submitted, form_token, request.form.get)  # after a conflict
    if action == "bewerken":  # back from the preview, with everything as it was typed
        return _form(slug, submitted, form_token, status)
    if action != "voorbeeld" and four_eyes.required():  # only a draft publishes, by a second editor
        audit(_settings(), "opslaan_geweigerd", account=g.account, ip=_ip(),
              detail={"casus": slug or "", "status": 403, "reden": "vier ogen"})
        return _form(slug, submitted, form_token, status, general=[four_eyes.refusal_message()], code=403)
    too_big = size_errors(submitted)
    if too_big:
        audit(_settings(), "opslaan_geweigerd", account=g.account, ip=_ip(),
              detail={"casus": slug or "", "status": 400, "velden": sorted(too_big)[:30]})
        return _form(slug, submitted, form_token, status, errors=too_big, code=400,
                     general=["Een of meer velden zijn te lang. Er is niets opgeslagen."])
    prepared = ed.prepare(submitted, slug, g.account.id, status=status, extras=extras)
    if not prepared.ok:
        if action != "voorbeeld":  # a refused save is in the audit log, with the fields and the address
            audit(_settings(), "opslaan_geweigerd", account=g.account, ip=_ip(),
                  detail={"casus": prepared.slug, "status": 422, "velden": sorted(prepared.errors)[:30]})
        return _form(slug, submitted, form_token, status, errors=prepared.errors, general=prepared.general, code=422)
    if action == "voorbeeld":
        return _preview(prepared, submitted, form_token, slug)
    return _save(prepared, form_token, "aangemaakt" if slug is None else "bewerkt",
                 on_conflict=lambda exc: _conflict_form(slug, submitted, prepared, exc, status, form_token),
                 on_write_failed=lambda exc: _form(slug, submitted, form_token, status, general=[str(exc)],
                                                   code=exc.status))


def refresher(app) -> Refresher:
    """The app's one refresher: a new state after saves, made in the background (see webapp/beheer/refresher.py)."""
    extensions = app.extensions
    if "beheer_refresher" not in extensions:
        with _refresher_lock:
            if "beheer_refresher" not in extensions:
                extensions["beheer_refresher"] = Refresher(lambda: _refresh_state(app))
    return extensions["beheer_refresher"]


def _refresh_state(app) -> None:
    settings = app.config["TOOLBOX"]
    started = time.monotonic()
    previous, warmed = app.extensions["toolbox"], 0
    try:
        fresh = SiteState.after_save(settings, previous=previous)
        warmed = page_cache.warm(app, fresh, previous)
        swap_in(app, fresh)
    except Exception as exc:  # the files are written; fall back to the slow but complete path
        app.logger.exception("Snelle verversing na opslaan mislukt; volledige herbouw")
        try:
            fallback = swap_in(app, SiteState.load(settings))
        except Exception:  # e.g. build/ on a full disk: keep serving the previous state
            app.logger.exception("Herbouw na opslaan mislukt; de site toont de vorige versie tot een herstart")
            raise
        if fallback.problems:  # the last good build: the save is on disk but not on the site
            raise RuntimeError("De inhoud is niet geldig; de site toont de laatste goede versie zonder deze opslag") \
                from exc
    app.logger.info("Site ververst na opslaan in %.2f s (%s pagina's voorverwarmd)", time.monotonic() - started,
                    warmed)


def _conflict_form(slug, submitted, prepared: Prepared, exc: Conflict, status: str, base_token: str):
    labels = {o["value"]: o["label"] for f in FIELDS if f.kind in ("one", "many") for o in _options(f.segments)}
    conflict = conflict_context(slug, submitted, prepared, exc, labels, base_token)
    # The form keeps the editor's input, now based on the newest version: saving again is a
    # conscious choice, field by field (webapp/beheer/conflict.py).
    return _form(slug, submitted, exc.current_token, status, code=409, conflict=conflict)


def _save(prepared: Prepared, form_token: str, action: str, on_conflict, on_write_failed=None):
    settings = _settings()
    app = current_app._get_current_object()
    tickets = []

    def ask_for_refresh(result):  # inside the save lock: the refresh sees this file, and every earlier one
        tickets.append(refresher(app).request())

    try:
        result = editor().save(prepared, form_token, g.account.id, action, on_saved=ask_for_refresh)
    except Conflict as exc:
        audit(settings, "conflict", account=g.account, ip=_ip(), detail={"casus": prepared.slug})
        return on_conflict(exc)
    except WriteFailed as exc:
        app.logger.error("Casus %s niet opgeslagen: schrijffout (errno %s)", prepared.slug, exc.errno)
        if on_write_failed is not None:
            return on_write_failed(exc)
        raise Refused(exc.status, "Niet opgeslagen", str(exc)) from exc
    except Invalid as exc:  # pragma: no cover - prepare() already checked
        raise Refused(422, "Niet opgeslagen", " ".join(exc.general) or str(exc)) from exc
    audit(settings, f"casus_{action}", account=g.account, ip=_ip(),
          detail={"casus": result.slug, "versie": result.token, "seconden": result.seconds})
    outcome = refresher(app).wait(tickets[0], settings.save_wait)
    melding = {READY: action, BUSY: "wordt_ververst", FAILED: "niet_ververst"}[outcome]
    return redirect(url_for("beheer.edit_case", slug=result.slug, melding=melding), 303)


def _preview(prepared: Prepared, submitted: dict, token: str, slug: str | None):
    """The public case page as it will look, from the merged graph with inferences; nothing is written."""
    model = editor().preview_model(prepared)
    uri = str(editor().uri(prepared.slug, canonical=False))
    hidden = []
    for f in FIELDS:
        value = submitted.get(f.name)
        for v in (value if isinstance(value, list) else [value]):
            if v:
                hidden.append((f.name, v))
    action = url_for("beheer.new_case") if slug is None else url_for("beheer.edit_case", slug=slug)
    return _render(
        "beheer/voorbeeld.html", m=model, uri=uri, segment="casus", similar=[], hidden=hidden, token=token,
        form_action=action, is_new=slug is None, canonical=None, alternates=[],
        draft_action=url_for("beheer.save_case_draft", casus=slug or ""),
        breadcrumb=[{"label": "Beheer", "url": url_for("beheer.index")}, {"label": "Voorbeeld", "url": None}],
    )


# ---------------------------------------------------------------------------
# Retire and republish

@bp.route("/casussen/<slug>/status", methods=["POST"])
@login_required
def change_status(slug: str):
    wanted = request.form.get("status", "")
    if wanted not in (STATUS_ACTIVE, STATUS_RETIRED):
        raise Refused(400, "Onbekende status", "Kies archiveren of weer publiceren.")
    if wanted == STATUS_RETIRED and not confirmed():  # archiving asks first (below)
        return confirm_page(slug, 400, "Vink aan dat je de casus echt wilt archiveren. Er is niets "
                                    "veranderd.", token=(request.form.get("versie") or "")[:64] or None)
    if four_eyes.required():
        return four_eyes.propose(slug, editor().load(slug)[0], wanted, "gearchiveerd" if wanted == STATUS_RETIRED
                                 else "gepubliceerd")
    prepared = editor().prepare_status(slug, wanted, g.account.id)
    if not prepared.ok:
        problems = [m for ms in prepared.errors.values() for m in ms] + prepared.general
        raise Refused(422, "Niet gelukt", "De casus is niet geldig en kan zo niet worden opgeslagen: "
                      + " ".join(problems) + " Bewerk de casus eerst.")

    def conflict(exc):
        raise Refused(409, "Intussen gewijzigd",
                      "Iemand anders heeft deze casus gewijzigd nadat je de pagina opende. "
                      "Bekijk de nieuwste versie en probeer het opnieuw.")

    action = "gearchiveerd" if wanted == STATUS_RETIRED else "gepubliceerd"
    return _save(prepared, (request.form.get("versie") or "")[:64], action, on_conflict=conflict)


# Archiving asks first: a confirmation page with a checkbox, so one stray click never takes a case offline.
# GET .../archiveren shows what archiving does and asks to tick "ja"; the POST to .../status with
# status=gearchiveerd is only carried out with `bevestigen=ja`. Without it the same page comes back with the
# message at the checkbox and nothing changes. Works without JavaScript. Publishing again needs no
# confirmation: it takes nothing away.

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
