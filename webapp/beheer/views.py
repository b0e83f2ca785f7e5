"""/beheer: the blueprint, its checks (origin, CSRF, sessions), login and logout, the overview and the audit log.

The case form, preview, save and status are in webapp/beheer/cases.py, history and restore in history.py,
drafts and review in review.py; turning a form into a validated case file is toolbox.editing's work.
"""

from __future__ import annotations

import secrets
import threading
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from toolbox.accounts.login_throttle import LoginThrottle
from toolbox.accounts.registry import MAX_PASSWORD, AccountStore, SessionStore, audit, read_audit, tokens_match
from toolbox.editing.case_list import SORTS, STATUSES, case_rows, choices, parse_query, select
from toolbox.editing.editor import CaseEditor
from toolbox.editing.form import STATUS_ACTIVE, NotEditable
from webapp.beheer import resume
from webapp.beheer.choices import option_tags
from webapp.beheer.security import cookie_secure, safe_next
from webapp.errors import error_response, wants_json
from webapp.state import state

bp = Blueprint("beheer", __name__, url_prefix="/beheer")
bp.add_app_template_global(option_tags, "option_tags")

SESSION_COOKIE = "toolbox_beheer"
LOGIN_COOKIE = "toolbox_beheer_login"
MAX_REQUEST = 512 * 1024  # a case form is at most some tens of kilobytes
MESSAGES = {
    "aangemaakt": "De casus is aangemaakt en staat op de site.",
    "bewerkt": "De wijzigingen zijn opgeslagen en staan op de site.",
    "gearchiveerd": "De casus is gearchiveerd: hij staat niet meer in de lijsten en de zoekresultaten.",
    "gepubliceerd": "De casus is weer gepubliceerd.",
    "hersteld": "De eerdere versie is teruggezet en staat op de site.",
    "wordt_ververst": "De casus is opgeslagen. De openbare pagina's worden nog bijgewerkt en tonen de wijziging "
                      "over een ogenblik.",
    "niet_ververst": "De casus is opgeslagen, maar staat nog niet op de site: de site kon niet worden ververst "
                     "(een schrijffout op de server, of inhoud die niet geldig is: dan staat daarover een melding "
                     "hierboven). Hij verschijnt na een herstart of zodra dat is opgelost; meld het aan de beheerder "
                     "van de server.",
    "uitgelogd": "Je bent uitgelogd.",
    "sessie_verlopen": "Je sessie was verlopen, dus er is niets opgeslagen. Log opnieuw in: daarna kom je terug "
                       "in het formulier, met de tekst die je had getypt.",
}
# Saved: the browser's copy of the form can go (bewaren.js). Posted without a session: back after login.
SAVED_MESSAGES = set(MESSAGES) - {"uitgelogd", "sessie_verlopen"}
RETURN_AFTER_LOGIN = {"beheer.new_case", "beheer.edit_case", "beheer.save_case_draft"}  # JSON clients: 401
SECTIONS = [
    ("Basis", ["title", "slug", "alt_labels", "notation"]),
    ("Waar en wanneer", ["municipality", "cluster", "scale", "task_type", "project_type", "period", "theme"]),
    ("Teksten", ["abstract", "what_is_new", "lessons", "challenges", "methods"]),
    ("Knelpunten", ["knelpunt", "top_knelpunt"]),
    ("Tools en stappen", ["used_tool", "used_step"]),
    ("Betrokkenen", ["development_team", "stakeholder_type"]),
    ("Bronnen en links", ["source", "source_urls", "url"]),
]
# Classes whose instances a field may link to, per URI segment, in the order of the pickers.
OPTION_CLASSES = {
    "gemeente": "Municipality", "cluster": "Cluster", "schaal": "Scale", "projecttype": "ProjectType",
    "thema": "Theme", "knelpunt": "Knelpunt", "tool": "Tool", "hulpmiddel": "OtherAid", "stap": "ProcessStep",
    "ontwikkelteam": "DevelopmentTeam", "organisatietype": "OrganisationType", "bron": "SourceDocument",
    "dimensie": "Dimension", "toolcategorie": "ToolCategory", "niveau": "Level",
}
CHECKBOX_LIMIT = 10  # up to this many options: a checkbox list; more: a select with a search picker

_editor_lock = threading.Lock()


class Refused(Exception):
    """A request refused with a Dutch explanation; a refused POST is written to the audit log as `event`
    (with the reason and the address), unless the view already did (audited)."""

    def __init__(self, status: int, title: str, message: str, retry_after: int | None = None,
                 event: str = "verzoek_geweigerd", audited: bool = False):
        super().__init__(message)
        self.status, self.title, self.message, self.retry_after = status, title, message, retry_after
        self.event, self.audited = event, audited


def _settings():
    return current_app.config["TOOLBOX"]


def editor() -> CaseEditor:
    extensions = current_app.extensions
    if "beheer_editor" not in extensions:
        with _editor_lock:
            if "beheer_editor" not in extensions:
                app = current_app._get_current_object()
                # Validation takes the classes of linked things from the model the site serves.
                created = CaseEditor(_settings(), known=lambda: app.extensions["toolbox"].model)
                created.warm()
                extensions["beheer_editor"] = created
    return extensions["beheer_editor"]


def _ip() -> str:
    return request.remote_addr or "-"


def _loopback() -> bool:
    host = request.host or ""
    name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    return name in ("127.0.0.1", "localhost", "::1")


def _cookie_secure() -> bool:
    """Secure cookies everywhere except plain HTTP on the loopback address (local use and tests);
    always with TOOLBOX_SECURE_COOKIES or behind a proxy that says the client used HTTPS."""
    return cookie_secure(_settings()) or not _loopback()


def _set_cookie(response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, secure=_cookie_secure(), samesite="Strict", path="/beheer")


# ---------------------------------------------------------------------------
# Every request under /beheer

@bp.before_request
def _before():
    request.max_content_length = min(MAX_REQUEST, _settings().max_body)
    g.account = None
    g.session = None
    session = SessionStore(_settings()).get(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        g.session, g.account = session, session.account
    if request.method == "POST":
        _check_origin()


def _check_origin() -> None:
    """Cross-site form posts are refused before the CSRF token is even looked at."""
    own = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin.rstrip("/") != own:
            raise Refused(403, "Formulier geweigerd", "Dit formulier kwam niet van deze site. Er is niets opgeslagen.",
                          event="herkomst_geweigerd")
        return
    referer = request.headers.get("Referer")
    if referer and not (referer == own or referer.startswith(own + "/")):
        raise Refused(403, "Formulier geweigerd", "Dit formulier kwam niet van deze site. Er is niets opgeslagen.",
                      event="herkomst_geweigerd")


def _check_csrf() -> None:
    given = request.form.get("csrf_token")
    if g.session is None or not tokens_match(g.session.csrf, given):
        raise Refused(403, "Formulier verlopen of ongeldig",
                      "Het formulier is verlopen of niet van deze site afkomstig (beveiligingscode klopt niet). "
                      "Er is niets opgeslagen. Open de pagina opnieuw en probeer het nog eens.", event="csrf_geweigerd")


@bp.after_request
def _after(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["X-Frame-Options"] = "DENY"  # consistent with frame-ancestors 'none' below
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
    return response


STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _audit_refusal(error: Refused) -> None:
    """Every refused state-changing request in the audit log, with the reason and the address."""
    if request.method not in STATE_CHANGING or error.audited:
        return
    error.audited = True
    audit(_settings(), error.event, account=g.get("account"), ip=_ip(),
          detail={"status": error.status, "reden": error.title, "pad": request.path[:200]})


@bp.errorhandler(Refused)
def _refused(error: Refused):
    _audit_refusal(error)
    if wants_json():
        response = error_response(error.status, error.message, title=error.title)
        if error.retry_after:
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    session = g.get("session")
    response = make_response(render_template(
        "beheer/fout.html", status=error.status, title=error.title, message=error.message,
        account=g.get("account"), csrf=session.csrf if session else "", melding=None,
        breadcrumb=[{"label": "Beheer", "url": None}]), error.status)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    limit = request.max_content_length or MAX_REQUEST
    message = (f"Het formulier is groter dan {limit // 1024} kB en is geweigerd. "
               "Maak de teksten korter; er is niets opgeslagen.")
    if wants_json():
        return error_response(413, message, title="Formulier te groot", limit_bytes=limit)
    return _refused(Refused(413, "Formulier te groot", message))


@bp.errorhandler(NotEditable)
def _not_editable(error: NotEditable):
    return _refused(Refused(404, "Casus niet gevonden", str(error)))


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.account is None:
            if request.method == "GET":
                target = request.full_path if request.query_string else request.path
                return redirect(url_for("beheer.login", next=target))
            refused = Refused(401, "Niet ingelogd", "Log eerst in om casussen te bewerken. Er is niets opgeslagen.")
            if request.endpoint in RETURN_AFTER_LOGIN and not wants_json():
                return _back_after_login(refused)
            raise refused
        if request.method == "POST":
            _check_csrf()
        return view(*args, **kwargs)

    return wrapper


def _back_after_login(refused: Refused):
    """An expired session on save: audited like any refusal, nothing published, and 303 to the login with
    the form as the way back (`herstel=1`: the typed text comes back, webapp/beheer/resume.py)."""
    _audit_refusal(refused)
    page = resume.form_page().split("?")[0]
    response = redirect(url_for("beheer.login", next=page + "?herstel=1", melding="sessie_verlopen"), 303)
    resume.keep_typed(response, page)
    return response


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not g.account.is_admin:
            raise Refused(403, "Geen toegang", "Deze pagina is alleen voor beheerders.")
        return view(*args, **kwargs)

    return wrapper


def _safe_next(target: str | None) -> str | None:
    """Only paths inside /beheer: no open redirects (see webapp.security.safe_next)."""
    return safe_next(target, "/beheer")


def _render(template: str, code: int = 200, **context):
    context.setdefault("account", g.account)
    context.setdefault("csrf", g.session.csrf if g.session else "")
    context.setdefault("melding", MESSAGES.get(request.args.get("melding", "")))
    context.setdefault("saved", request.args.get("melding", "") in SAVED_MESSAGES)
    context.setdefault("four_eyes", _settings().four_eyes)  # then only drafts publish, by a second editor
    if g.account is not None:  # the editors see what of the content is not on the site, and why
        context.setdefault("content_problems", state().problems)
    return make_response(render_template(template, **context), code)


# ---------------------------------------------------------------------------
# Login and logout

@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    settings = _settings()
    next_url = _safe_next(request.values.get("next"))
    if g.account is not None and request.method == "GET":
        return redirect(next_url or url_for("beheer.index"))
    error, status, retry = None, 200, None
    name = ""
    if request.method == "POST":
        if not tokens_match(request.cookies.get(LOGIN_COOKIE), request.form.get("csrf_token")):
            raise Refused(403, "Formulier verlopen of ongeldig",
                          "Het inlogformulier is verlopen of niet van deze site afkomstig. Open de pagina opnieuw.",
                          event="csrf_geweigerd")
        name = (request.form.get("naam") or "")[:100]
        password = (request.form.get("wachtwoord") or "")[:MAX_PASSWORD]
        throttle = LoginThrottle(settings)
        verdict = throttle.check(name, _ip())
        accounts = AccountStore(settings)
        known = accounts.by_name(name)
        if not verdict.allowed:
            minutes = max(1, (verdict.retry_after + 59) // 60)
            audit(settings, "inloggen_geweigerd", account=known, ip=_ip(), detail={"reden": verdict.reason})
            error = (f"Te veel inlogpogingen. Probeer het over {minutes} minuten opnieuw." if verdict.reason == "ip"
                     else f"Inloggen met deze naam is tijdelijk geblokkeerd na te veel mislukte pogingen. "
                          f"Probeer het over {minutes} minuten opnieuw.")
            status, retry = 429, verdict.retry_after
        else:
            account = accounts.verify(name, password)
            if account is None:
                locked_now = throttle.record(name, _ip(), success=False)
                audit(settings, "inloggen_mislukt", account=known, ip=_ip())
                error = "Naam of wachtwoord klopt niet (of het account is uitgeschakeld)."
                status = 401
                if locked_now:
                    audit(settings, "tijdelijk_geblokkeerd", account=known, ip=_ip())
                    error += " Na te veel mislukte pogingen is inloggen met deze naam nu tijdelijk geblokkeerd."
            else:
                throttle.record(name, _ip(), success=True)
                sessions = SessionStore(settings)
                sessions.drop(request.cookies.get(SESSION_COOKIE))  # a new session at every login
                token, _ = sessions.create(account)
                audit(settings, "ingelogd", account=account, ip=_ip())
                response = redirect(next_url or url_for("beheer.index"), 303)
                _set_cookie(response, SESSION_COOKIE, token)
                response.delete_cookie(LOGIN_COOKIE, path="/beheer")
                return response
    login_token = secrets.token_urlsafe(32)
    response = _render("beheer/inloggen.html", status, login_token=login_token, error=error, name=name,
                       next_url=next_url or "", insecure=not request.is_secure and not _loopback(),
                       breadcrumb=[{"label": "Beheer: inloggen", "url": None}])
    if retry:
        response.headers["Retry-After"] = str(retry)
    _set_cookie(response, LOGIN_COOKIE, login_token)
    return response


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    SessionStore(_settings()).drop(request.cookies.get(SESSION_COOKIE))
    audit(_settings(), "uitgelogd", account=g.account, ip=_ip())
    response = redirect(url_for("beheer.login", melding="uitgelogd"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/beheer")
    return response


# ---------------------------------------------------------------------------
# The list of cases

def _account_names() -> dict[str, str]:
    return {a.id: a.name for a in AccountStore(_settings()).all()}


def _who(account_iri: str | None, names: dict[str, str]) -> str:
    if not account_iri:
        return ""
    account_id = account_iri.rsplit("/", 1)[-1]
    return names.get(account_id, account_id)


@bp.route("/")
@login_required
def index():
    """All cases, searched, filtered and sorted on GET parameters (toolbox/editing/case_list.py)."""
    names = _account_names()
    rows = case_rows(state().model, STATUS_ACTIVE)
    query, errors = parse_query(request.args, rows)
    shown = select(rows, query)
    for r in shown:
        r["when"] = _when(r["modified"])
        r["who"] = _who(r["attributed"], names)
    return _render("beheer/lijst.html", 400 if errors else 200, rows=shown, total=len(rows),
                   archived=sum(r["status"] != STATUS_ACTIVE for r in rows), query=query, errors=errors,
                   choices=choices(rows), statuses=STATUSES, sorts=SORTS,
                   breadcrumb=[{"label": "Beheer", "url": None}])


def _when(value: str | None) -> str:
    """2026-11-22T08:15:35+00:00 as '22-11-2026 08:15 (UTC)'; a bare date as '22-11-2026'."""
    if not value:
        return ""
    date, _, clock = value.partition("T")
    parts = date.split("-")
    day = "-".join(reversed(parts)) if len(parts) == 3 else date
    return f"{day} {clock[:5]} (UTC)" if clock else day


# ---------------------------------------------------------------------------
# Audit log (admins)

@bp.route("/logboek")
@admin_required
def audit_log():
    rows = read_audit(_settings(), limit=300)
    return _render("beheer/logboek.html", rows=rows, breadcrumb=[
        {"label": "Beheer", "url": url_for("beheer.index")}, {"label": "Logboek", "url": None}])

