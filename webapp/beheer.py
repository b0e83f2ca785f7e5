"""/beheer: content editors add and maintain cases through the site.

Accounts, sessions, throttling and the audit log are in toolbox.accounts; turning the form
into a validated case file, the history and the atomic write are in toolbox.editing. This
module is the web layer: login, CSRF, the forms, preview, conflicts, history and restore,
and swapping in a fresh site state after a save (no restart, no full build).
"""

from __future__ import annotations

import secrets
import threading
import time
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

from toolbox.accounts import (
    MAX_PASSWORD,
    AccountStore,
    LoginThrottle,
    SessionStore,
    audit,
    read_audit,
    tokens_match,
)
from toolbox.editing import (
    FIELDS,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    CaseEditor,
    Conflict,
    EditError,
    Invalid,
    NotEditable,
    Prepared,
    empty_values,
    size_errors,
    text_diff,
    values_from_form,
)
from toolbox.write_errors import WriteFailed

from .state import SiteState, state

bp = Blueprint("beheer", __name__, url_prefix="/beheer")

SESSION_COOKIE = "toolbox_beheer"
LOGIN_COOKIE = "toolbox_beheer_login"
MAX_REQUEST = 512 * 1024  # a case form is at most some tens of kilobytes
MESSAGES = {
    "aangemaakt": "De casus is aangemaakt en staat op de site.",
    "bewerkt": "De wijzigingen zijn opgeslagen en staan op de site.",
    "gearchiveerd": "De casus is gearchiveerd: hij staat niet meer in de lijsten en de zoekresultaten.",
    "gepubliceerd": "De casus is weer gepubliceerd.",
    "hersteld": "De eerdere versie is teruggezet en staat op de site.",
    "niet_ververst": "De casus is opgeslagen, maar de site kon niet worden ververst (schrijffout op de server). "
                     "Hij verschijnt op de site na een herstart; meld het aan de beheerder van de server.",
    "uitgelogd": "Je bent uitgelogd.",
}
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
}
CHECKBOX_LIMIT = 10  # up to this many options: a checkbox list; more: a select with a search picker

_editor_lock = threading.Lock()


class Refused(Exception):
    """A request refused with a Dutch explanation."""

    def __init__(self, status: int, title: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.title, self.message, self.retry_after = status, title, message, retry_after


def _settings():
    return current_app.config["TOOLBOX"]


def editor() -> CaseEditor:
    extensions = current_app.extensions
    if "beheer_editor" not in extensions:
        with _editor_lock:
            if "beheer_editor" not in extensions:
                created = CaseEditor(_settings())
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
    """Secure cookies everywhere except plain HTTP on the loopback address (local use and tests)."""
    return request.is_secure or not _loopback()


def _set_cookie(response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, secure=_cookie_secure(), samesite="Strict", path="/beheer")


# ---------------------------------------------------------------------------
# Every request under /beheer

@bp.before_request
def _before():
    request.max_content_length = MAX_REQUEST
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
            raise Refused(403, "Formulier geweigerd", "Dit formulier kwam niet van deze site. Er is niets opgeslagen.")
        return
    referer = request.headers.get("Referer")
    if referer and not (referer == own or referer.startswith(own + "/")):
        raise Refused(403, "Formulier geweigerd", "Dit formulier kwam niet van deze site. Er is niets opgeslagen.")


def _check_csrf() -> None:
    given = request.form.get("csrf_token")
    if g.session is None or not tokens_match(g.session.csrf, given):
        audit(_settings(), "csrf_geweigerd", account=g.account, ip=_ip(), detail={"pad": request.path[:200]})
        raise Refused(403, "Formulier verlopen of ongeldig",
                      "Het formulier is verlopen of niet van deze site afkomstig (beveiligingscode klopt niet). "
                      "Er is niets opgeslagen. Open de pagina opnieuw en probeer het nog eens.")


@bp.after_request
def _after(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
    return response


@bp.errorhandler(Refused)
def _refused(error: Refused):
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
    return _refused(Refused(413, "Formulier te groot",
                            f"Het formulier is groter dan {MAX_REQUEST // 1024} kB en is geweigerd. "
                            "Maak de teksten korter; er is niets opgeslagen."))


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
            raise Refused(401, "Niet ingelogd", "Log eerst in om casussen te bewerken. Er is niets opgeslagen.")
        if request.method == "POST":
            _check_csrf()
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not g.account.is_admin:
            raise Refused(403, "Geen toegang", "Deze pagina is alleen voor beheerders.")
        return view(*args, **kwargs)

    return wrapper


def _safe_next(target: str | None) -> str | None:
    """Only paths inside /beheer: no open redirects."""
    if not target or not target.startswith("/beheer") or "//" in target or "\\" in target:
        return None
    return target


def _render(template: str, code: int = 200, **context):
    context.setdefault("account", g.account)
    context.setdefault("csrf", g.session.csrf if g.session else "")
    context.setdefault("melding", MESSAGES.get(request.args.get("melding", "")))
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
                          "Het inlogformulier is verlopen of niet van deze site afkomstig. Open de pagina opnieuw.")
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
                token, _ = SessionStore(settings).create(account)
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
    m = state().model
    names = _account_names()
    rows = []
    for uri in m.instances("Case", include_archived=True):
        slug = m.slug(uri)
        rows.append({
            "slug": slug,
            "label": m.label(uri),
            "status": m.text(uri, "tor:status") or STATUS_ACTIVE,
            "modified": _when(m.text(uri, "dcterms:modified")),
            "who": _who(m.one(uri, "prov:wasAttributedTo"), names),
            "municipalities": [m.label(x) for x in m.objects(uri, "tor:municipality")],
        })
    rows.sort(key=lambda r: (r["status"] != STATUS_ACTIVE, r["label"].lower()))
    return _render("beheer/lijst.html", rows=rows, breadcrumb=[{"label": "Beheer", "url": None}])


def _when(value: str | None) -> str:
    """2026-11-22T08:15:35+00:00 as '22-11-2026 08:15 (UTC)'; a bare date as '22-11-2026'."""
    if not value:
        return ""
    date, _, clock = value.partition("T")
    parts = date.split("-")
    day = "-".join(reversed(parts)) if len(parts) == 3 else date
    return f"{day} {clock[:5]} (UTC)" if clock else day


# ---------------------------------------------------------------------------
# The case form: new and edit, preview, save

def _options(segments: tuple[str, ...]) -> list[dict]:
    m = state().model
    options = []
    for segment in segments:
        group = {"tool": "Tools", "hulpmiddel": "Andere hulpmiddelen"}.get(segment, "")
        for uri in m.instances(OPTION_CLASSES[segment], include_archived=True):
            label = m.label(uri)
            if segment == "stap":
                level = m.one(uri, "tor:level")
                group = m.label(level) if level else ""
            notation = m.text(uri, "skos:notation")
            if segment in ("cluster", "ontwikkelteam") and notation and notation not in label:
                label = f"{notation}: {label}"
            options.append({"value": f"{segment}/{m.slug(uri)}", "label": label, "group": group})
    return options


def _field_views(values: dict, errors: dict, is_new: bool) -> dict[str, dict]:
    views = {}
    for f in FIELDS:
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
          general: list[str] | None = None, code: int = 200, conflict: dict | None = None):
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
        return _form(slug, values, token, status)
    submitted = values_from_form(request.form.get, request.form.getlist)
    form_token = (request.form.get("versie") or "")[:64]
    action = request.form.get("actie", "opslaan")
    if slug is not None:
        submitted["slug"] = slug
    if action == "bewerken":  # back from the preview, with everything as it was typed
        return _form(slug, submitted, form_token, status)
    too_big = size_errors(submitted)
    if too_big:
        return _form(slug, submitted, form_token, status, errors=too_big, code=400,
                     general=["Een of meer velden zijn te lang. Er is niets opgeslagen."])
    prepared = ed.prepare(submitted, slug, g.account.id, status=status, extras=extras)
    if not prepared.ok:
        return _form(slug, submitted, form_token, status, errors=prepared.errors, general=prepared.general, code=422)
    if action == "voorbeeld":
        return _preview(prepared, submitted, form_token, slug)
    return _save(prepared, form_token, "aangemaakt" if slug is None else "bewerkt",
                 on_conflict=lambda exc: _conflict_form(slug, submitted, prepared, exc, status),
                 on_write_failed=lambda exc: _form(slug, submitted, form_token, status, general=[str(exc)],
                                                   code=exc.status))


def _conflict_form(slug, submitted, prepared: Prepared, exc: Conflict, status: str):
    conflict = {
        "message": exc,
        "diff": text_diff(exc.current_text or "", prepared.text or "", "nieuwste versie (opgeslagen)",
                          "jouw versie (niet opgeslagen)"),
        "slug": prepared.slug,
        "current_title": None,
    }
    if exc.current_text is not None:
        try:
            current_values, _, _ = editor().parse(prepared.slug, exc.current_text)
            conflict["current"] = current_values
        except EditError:
            conflict["current"] = None
    # The form keeps the editor's input, now based on the newest version: saving again is a
    # conscious choice to overwrite it.
    return _form(slug, submitted, exc.current_token, status, code=409, conflict=conflict)


def _save(prepared: Prepared, form_token: str, action: str, on_conflict, on_write_failed=None):
    settings = _settings()
    app = current_app._get_current_object()

    def swap(result):
        started = time.monotonic()
        try:
            app.extensions["toolbox"] = SiteState.from_content(settings, result.content_graph,
                                                               previous=app.extensions["toolbox"])
        except Exception:  # the file is written; fall back to the slow but complete path
            app.logger.exception("Snelle verversing na opslaan mislukt; volledige herbouw")
            try:
                app.extensions["toolbox"] = SiteState.load(settings)
            except Exception:  # e.g. build/ on a full disk: keep serving the previous state
                app.logger.exception("Herbouw na opslaan mislukt; de site toont de vorige versie tot een herstart")
                result.refreshed = False
        app.logger.info("Casus %s opgeslagen; site ververst in %.2f s", result.slug, time.monotonic() - started)

    try:
        result = editor().save(prepared, form_token, g.account.id, action, on_saved=swap)
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
    melding = action if result.refreshed else "niet_ververst"
    return redirect(url_for("beheer.edit_case", slug=result.slug, melding=melding), 303)


def _preview(prepared: Prepared, submitted: dict, token: str, slug: str | None):
    """The public case page as it will look, from the merged graph with inferences; nothing is written."""
    from toolbox.build import build_store
    from toolbox.model import GraphModel
    from toolbox.store import EmbeddedStore

    settings = _settings()
    raw, _ = build_store(settings, prepared.data_graph)
    model = GraphModel.from_store(EmbeddedStore(settings, raw), settings.base_uri)
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


# ---------------------------------------------------------------------------
# Audit log (admins)

@bp.route("/logboek")
@admin_required
def audit_log():
    rows = read_audit(_settings(), limit=300)
    return _render("beheer/logboek.html", rows=rows, breadcrumb=[
        {"label": "Beheer", "url": url_for("beheer.index")}, {"label": "Logboek", "url": None}])

