"""/beheer/lezersmeldingen: the queue of readers' reports, and turning one into an edit of a case.

An editor sees every report (page, text, time, the e-mail address if the reader gave one) and the
"was dit nuttig?" counts, closes a report with a reason, or turns it into an edit: that opens the
case form (the case of the page, or a new case for "Ik ken een casus") with the reader's text beside
it; the report is then "in behandeling", and "verwerkt" once the editor saves that form.

The panel beside the form offers two buttons: save the case form as a draft (webapp/beheer/review.py,
so a second editor reviews it before it is published) or save it at once with action
REPORT_SAVE_ACTION (webapp/beheer/cases.py). `_record_save` below marks the report when either
succeeded (a 303 to the draft or to the case).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from toolbox.accounts.registry import audit
from toolbox.readers.reports import BUSY, MAX_REASON, ReportError, ReportStore, UsefulCounts
from webapp.beheer.views import Refused, _ip, _render, _settings, bp, login_required
from webapp.state import state

REPORT_SAVE_ACTION = "opslaan"  # the action of the panel's "save at once" button on the case form
DRAFT_SAVE = "beheer.save_case_draft"  # the panel's "save as draft" button posts the same form here
REPORT_FIELD = "lezersmelding"  # the report a case form was opened for (query string, then hidden field)
CASE_FORMS = ("beheer.edit_case", "beheer.new_case")


def _store() -> ReportStore:
    return ReportStore(_settings().instance_dir)


def case_of(page: str) -> str | None:
    """The slug of the case a /doc/casus/{slug} page is about, when it still exists."""
    parts = page.split("/")
    if len(parts) != 4 or parts[2] != "casus":
        return None
    m = state().model
    uri = f"{state().settings.base_uri}/id/casus/{parts[3]}"
    return parts[3] if m.exists(uri) and m.is_a(uri, "Case") else None


def _crumbs(*more):
    return [{"label": "Beheer", "url": url_for("beheer.index")}, *more]


@bp.route("/lezersmeldingen")
@login_required
def reader_reports():
    reports = _store().all()
    counts = sorted(UsefulCounts(_settings().instance_dir).read().items(),
                    key=lambda kv: (-(kv[1].get("ja", 0) + kv[1].get("nee", 0)), kv[0]))
    closed = "De melding is gesloten." if request.args.get("melding") == "lezersmelding_gesloten" else None
    return _render("beheer/lezersmeldingen.html", melding=closed, open_reports=[r for r in reports if r.is_open],
                   closed_reports=[r for r in reports if not r.is_open], counts=counts[:100],
                   breadcrumb=_crumbs({"label": "Meldingen van lezers", "url": None}))


def _detail(report_id: str, errors: dict | None = None, reason: str = "", code: int = 200):
    try:
        report = _store().get(report_id)
    except ReportError as exc:
        raise Refused(404, "Melding niet gevonden", str(exc)) from exc
    return _render("beheer/lezersmelding.html", code, report=report, case=case_of(report.page),
                   errors=errors or {}, reason=reason, max_reason=MAX_REASON,
                   breadcrumb=_crumbs({"label": "Meldingen van lezers", "url": url_for("beheer.reader_reports")},
                                      {"label": report.title or report.page, "url": None}))


@bp.route("/lezersmeldingen/<report_id>")
@login_required
def reader_report(report_id: str):
    return _detail(report_id)


@bp.route("/lezersmeldingen/<report_id>/sluiten", methods=["POST"])
@login_required
def close_reader_report(report_id: str):
    reason = (request.form.get("reden") or "")[:MAX_REASON + 1]
    try:
        _store().close(report_id, g.account.name, reason)
    except ReportError as exc:
        if not reason.strip() or len(reason) > MAX_REASON:
            return _detail(report_id, errors={"reden": [str(exc)]}, reason=reason, code=422)
        raise Refused(409, "Niet gesloten", str(exc)) from exc
    audit(_settings(), "lezersmelding_gesloten", account=g.account, ip=_ip(), detail={"melding": report_id})
    return redirect(url_for("beheer.reader_reports", melding="lezersmelding_gesloten"), 303)


@bp.route("/lezersmeldingen/<report_id>/omzetten", methods=["POST"])
@login_required
def convert_reader_report(report_id: str):
    """Open the case form for this report: the case of its page, or a new case."""
    store = _store()
    try:
        report = store.get(report_id)
    except ReportError as exc:
        raise Refused(404, "Melding niet gevonden", str(exc)) from exc
    slug = case_of(report.page)
    if slug is None and report.kind != "casus":
        raise Refused(422, "Niet om te zetten",
                      "Deze melding gaat niet over een casus en noemt geen nieuwe casus. Alleen casussen zijn via "
                      "de site te bewerken: pas het onderdeel aan in de inhoudsbestanden en sluit de melding met "
                      "die reden.")
    if report.kind == "casus":
        slug = None  # "Ik ken een casus": a new case, whatever page it was sent from
    if report.state != BUSY:
        try:
            store.start(report_id, g.account.name, slug or "")
        except ReportError as exc:
            raise Refused(409, "Niet om te zetten", str(exc)) from exc
        audit(_settings(), "lezersmelding_omgezet", account=g.account, ip=_ip(),
              detail={"melding": report_id, "casus": slug or ""})
    target = (url_for("beheer.edit_case", slug=slug, **{REPORT_FIELD: report_id}) if slug
              else url_for("beheer.new_case", **{REPORT_FIELD: report_id}))
    return redirect(target, 303)


def _report_field() -> str | None:
    """The report a case form is for; None when the form cannot be read (too large: refused already)."""
    try:
        return request.values.get(REPORT_FIELD)
    except HTTPException:
        return None


@bp.context_processor
def open_reports_on_the_start_page():
    if request.endpoint != "beheer.index" or g.get("account") is None:
        return {}
    return {"open_reader_reports": sum(1 for r in _store().all() if r.is_open)}


@bp.context_processor
def report_beside_the_form():
    """The reader's text beside the case form it was turned into (only while it is in behandeling)."""
    if request.endpoint not in CASE_FORMS or g.get("account") is None:
        return {}
    report_id = _report_field()
    if not report_id:
        return {}
    try:
        report = _store().get(report_id)
    except ReportError:
        return {}
    if report.state != BUSY:
        return {}
    return {"reader_report": report, "report_field": REPORT_FIELD, "report_save_action": REPORT_SAVE_ACTION,
            "report_draft_save": DRAFT_SAVE}


@bp.after_request
def _record_save(response):
    """A save of the case form opened for a report, with the report's action, makes the report verwerkt."""
    as_draft = request.endpoint == DRAFT_SAVE
    if (request.method != "POST" or response.status_code != 303 or g.get("account") is None
            or not (as_draft or (request.endpoint in CASE_FORMS
                                 and request.form.get("actie") == REPORT_SAVE_ACTION))):
        return response
    report_id = _report_field()
    if not report_id:
        return response
    path = urlsplit(response.headers.get("Location", "")).path
    prefix = (url_for("beheer.draft", kind="casus", slug="x") if as_draft
              else url_for("beheer.edit_case", slug="x"))[:-1]
    if not path.startswith(prefix):
        return response
    slug = path[len(prefix):]
    try:
        _store().done(report_id, g.account.name, slug)
    except ReportError:
        return response  # closed or done meanwhile: the save itself stands
    audit(_settings(), "lezersmelding_verwerkt", account=g.account, ip=_ip(), detail={"melding": report_id,
                                                                                     "casus": slug})
    return response
