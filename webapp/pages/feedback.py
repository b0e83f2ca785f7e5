"""Readers' way in on every public thing page: "Klopt er iets niet? Meld het" and "Was dit nuttig?".

No account and no session: the forms carry a signed token of the page (toolbox.readers.guard) that
stays valid for months, so the cached pages keep working; a post from another site is refused by
its Origin. Every post counts against a per-address limit kept in memory (429 with Retry-After);
a filled honeypot field looks accepted but is thrown away. A refused report shows the form again
with the reader's text in it: nothing typed is lost.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from toolbox.readers.guard import FormSigner, RateLimit, signing_key
from toolbox.readers.reports import (
    KINDS,
    MAX_EMAIL,
    MAX_TEXT,
    PAGE_RE,
    ReportStore,
    UsefulCounts,
    check_report,
)
from webapp.errors import Refusal, error_response
from webapp.state import state

bp = Blueprint("melden", __name__)

MAX_REQUEST = 16 * 1024  # a report is at most a few kilobytes of text
HONEYPOT = "website"  # people never see this field; a filled one is a robot
REPORTS_PER_WINDOW, USEFUL_PER_WINDOW, WINDOW_SECONDS = 8, 30, 600
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _settings():
    return current_app.config["TOOLBOX"]


def _extension(name: str, make):
    extensions = current_app.extensions
    if name not in extensions:
        extensions[name] = make()
    return extensions[name]


def signer() -> FormSigner:
    s = _settings()
    return _extension("lezers_signer", lambda: FormSigner(signing_key(s.secret_key, s.instance_dir)))


def _limit(kind: str) -> RateLimit:
    extra = _settings().extra
    if kind == "melden":
        return _extension("lezers_limit_melden", lambda: RateLimit(
            int(extra.get("reports_per_window", REPORTS_PER_WINDOW)), WINDOW_SECONDS))
    return _extension("lezers_limit_nuttig", lambda: RateLimit(
        int(extra.get("useful_per_window", USEFUL_PER_WINDOW)), WINDOW_SECONDS))


def thing_of(page: str) -> str | None:
    """The thing a /doc/{type}/{slug} path is about, when it exists; else None."""
    if not PAGE_RE.match(page or ""):
        return None
    _, _, segment, slug = page.split("/", 3)
    m = state().model
    uri = f"{state().settings.base_uri}/id/{segment}/{slug}"
    return uri if m.exists(uri) and m.segment(uri) == segment else None


@bp.app_context_processor
def reader_forms():
    """The two forms go on the page of every existing thing (pages.entity), never on /beheer."""
    if request.endpoint != "pages.entity" or request.blueprint != "pages":
        return {}
    page = request.path
    if thing_of(page) is None:
        return {}
    return {"reader_forms": {"page": page, "token": signer().make(page), "kinds": KINDS,
                             "max_text": MAX_TEXT, "max_email": MAX_EMAIL}}


@bp.before_request
def _before():
    request.max_content_length = min(MAX_REQUEST, _settings().max_body)
    if request.method == "POST":
        if request.mimetype not in FORM_TYPES:
            raise Refusal(415, "Stuur het formulier als application/x-www-form-urlencoded of multipart/form-data. "
                          "Er is niets opgeslagen.", accepted=list(FORM_TYPES))
        origin = request.headers.get("Origin")
        if origin is not None and origin.rstrip("/") != request.host_url.rstrip("/"):
            raise Refusal(403, "Dit formulier kwam niet van deze site. Er is niets opgeslagen.")


@bp.after_request
def _after(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _form_page(page: str, values: dict, errors: dict | None = None, general: str = "", code: int = 200,
               retry_after: int | None = None):
    uri = thing_of(page)
    context = {"page": page, "title": state().model.label(uri) if uri else "", "values": values,
               "errors": errors or {}, "general": general, "token": signer().make(page) if uri else "",
               "kinds": KINDS, "max_text": MAX_TEXT, "max_email": MAX_EMAIL,
               "breadcrumb": [{"label": "Melding", "url": None}]}
    response = make_response(render_template("pages/melden.html", **context), code)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/melden", methods=["GET", "POST"])
def report():
    """GET: the form on its own (?pagina=/doc/...). POST: keep the report, or show the form with why not."""
    page = (request.values.get("pagina") or "")[:300]
    if request.method == "GET":
        if thing_of(page) is None:
            raise Refusal(404, "Over deze pagina kun je geen melding maken: ze bestaat niet.", field="pagina")
        return _form_page(page, {"soort": "fout"})
    form = request.form
    values = {"soort": form.get("soort", "fout"), "tekst": form.get("tekst", ""), "email": form.get("email", "")}
    wait = _limit("melden").hit(request.remote_addr or "-")
    if wait:
        minutes = max(1, (wait + 59) // 60)
        return _form_page(page, values, code=429, retry_after=wait, general=(
            f"Je hebt in korte tijd veel meldingen gestuurd. Probeer het over {minutes} "
            f"{'minuut' if minutes == 1 else 'minuten'} opnieuw; je tekst staat hieronder nog."))
    uri = thing_of(page)
    if uri is None:
        raise Refusal(400, "De melding hoort niet bij een bestaande pagina van de toolbox. Er is niets opgeslagen.",
                      field="pagina")
    why = signer().check(page, form.get("token"))
    if why:
        return _form_page(page, values, code=400, general=(
            "Het formulier was verlopen of kwam niet van deze pagina, dus er is nog niets verstuurd. "
            "Je tekst staat hieronder: controleer hem en verstuur opnieuw."))
    if form.get(HONEYPOT):
        return redirect(url_for("melden.thanks", pagina=page), 303)  # looks accepted; nothing is kept
    errors = check_report(values["soort"], values["tekst"], values["email"].strip())
    if errors:
        return _form_page(page, values, errors=errors, code=422)
    ReportStore(_settings().instance_dir).add(page, state().model.label(uri), values["soort"], values["tekst"],
                                              values["email"])
    return redirect(url_for("melden.thanks", pagina=page), 303)


@bp.route("/melden/bedankt")
def thanks():
    page = request.args.get("pagina", "")
    return render_template("pages/bedankt.html", kind="melding", page=page if thing_of(page) else None,
                           breadcrumb=[{"label": "Bedankt", "url": None}])


@bp.route("/nuttig", methods=["POST"])
def useful():
    page = (request.form.get("pagina") or "")[:300]
    answer = request.form.get("antwoord")
    wait = _limit("nuttig").hit(request.remote_addr or "-")
    if wait:
        response = error_response(429, "Je hebt in korte tijd erg vaak geantwoord. Probeer het over "
                                  f"{max(1, (wait + 59) // 60)} minuten opnieuw.", retry_after=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    if thing_of(page) is None or answer not in ("ja", "nee"):
        raise Refusal(400, "Kies ‘Ja’ of ‘Nee’ op een bestaande pagina. Er is niets geteld.", field="antwoord")
    if signer().check(page, request.form.get("token")):
        raise Refusal(400, "Het formulier was verlopen of kwam niet van deze pagina; er is niets geteld. "
                      "Open de pagina opnieuw en probeer het nog eens.", field="token")
    if not request.form.get(HONEYPOT):
        UsefulCounts(_settings().instance_dir).add(page, answer == "ja")
    return redirect(url_for("melden.useful_thanks", pagina=page, antwoord=answer), 303)


@bp.route("/nuttig/bedankt")
def useful_thanks():
    page = request.args.get("pagina", "")
    return render_template("pages/bedankt.html", kind="nuttig", answer=request.args.get("antwoord"),
                           page=page if thing_of(page) else None, breadcrumb=[{"label": "Bedankt", "url": None}])
