"""/beheer/lezersmeldingen through the Flask test client: the queue, closing with a reason, and a report
turned into the case form (edit, or a new case for "Ik ken een casus") that is verwerkt on save.

The site runs on a private copy of content/ and a private instance folder, built once for the module.
"""

from __future__ import annotations

import itertools
import re
import shutil

import pytest

from tests.webapp.beheer.test_views import PASSWORD, case_form, csrf_of, version_of
from toolbox.accounts.registry import AccountStore, read_audit
from toolbox.build.pipeline import build
from toolbox.config import REPO_ROOT, Settings
from toolbox.publishing.publish import wait_for_publication
from toolbox.readers.reports import ReportStore
from webapp import create_app

_addresses = itertools.count(1)
CASE_TEXT = "Bij deze casus ontbreekt dat ook het waterschap meebetaalt aan de herinrichting."


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("lezersmeldingen")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance",
                        secret_key="test", sparql_endpoint=None, save_wait=120.0,
                        four_eyes=False)  # saves publish at once; four eyes: test_review.py
    build(settings, owl=False)
    AccountStore(settings).add("redacteur", "editor", PASSWORD)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    wait_for_publication()


def client_for(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.7.{next(_addresses)}.1"
    return client


@pytest.fixture
def editor(site):
    client = client_for(site)
    page = client.get("/beheer/inloggen")
    assert client.post("/beheer/inloggen", data={"csrf_token": csrf_of(page.text), "naam": "redacteur",
                                                 "wachtwoord": PASSWORD}).status_code == 303
    return client


def store(site) -> ReportStore:
    return ReportStore(site.config["TOOLBOX"].instance_dir)


def report_on(site, page: str, kind: str = "fout", text: str = CASE_TEXT, email: str = "") -> str:
    """A reader's report through the public form; returns its id."""
    reader = client_for(site)
    html = reader.get(page).text
    token = re.search(r'action="/melden".*?name="token" value="([^"]*)"', html, re.S).group(1)
    answer = reader.post("/melden", data={"pagina": page, "token": token, "soort": kind, "tekst": text,
                                          "email": email, "website": ""})
    assert answer.status_code == 303, answer.text[:500]
    return next(r.id for r in store(site).all() if r.page == page and r.text == text)


def test_the_queue_needs_a_login_and_is_linked_from_the_start_page(site, editor):
    anonymous = client_for(site)
    assert "/beheer/inloggen" in anonymous.get("/beheer/lezersmeldingen").headers["Location"]
    assert anonymous.post("/beheer/lezersmeldingen/20261207T101010-abcdef/sluiten",
                          data={"reden": "x"}).status_code in (401, 403)
    assert 'href="/beheer/lezersmeldingen"' in editor.get("/beheer/").text


def test_the_editor_sees_page_text_time_and_email(site, editor):
    report_id = report_on(site, "/doc/tool/ambitieweb", kind="aanvulling",
                          text="Er is inmiddels een digitale versie van dit ambitieweb.",
                          email="lezer@gemeente.example")
    queue = editor.get("/beheer/lezersmeldingen").text
    assert "Er is inmiddels een digitale versie" in queue and "lezer@gemeente.example" in queue
    detail = editor.get(f"/beheer/lezersmeldingen/{report_id}").text
    assert "/doc/tool/ambitieweb" in detail and 'href="mailto:lezer@gemeente.example"' in detail
    assert "Ik weet meer" in detail and "<time" in detail
    assert editor.get("/beheer/lezersmeldingen/20000101T000000-000000").status_code == 404


def test_closing_needs_a_reason_and_csrf(site, editor):
    report_id = report_on(site, "/doc/knelpunt/tactisch-gat", text="Dit knelpunt speelt ook bij beheer.")
    url = f"/beheer/lezersmeldingen/{report_id}"
    csrf = csrf_of(editor.get(url).text)
    empty = editor.post(url + "/sluiten", data={"csrf_token": csrf, "reden": "  "})
    assert empty.status_code == 422 and 'id="err-reden"' in empty.text and "waarom" in empty.text
    assert store(site).get(report_id).state == "nieuw"
    assert editor.post(url + "/sluiten", data={"csrf_token": "vals", "reden": "Klopt"}).status_code == 403
    assert store(site).get(report_id).state == "nieuw"
    closed = editor.post(url + "/sluiten", data={"csrf_token": csrf, "reden": "Staat al in de beschrijving."})
    assert closed.status_code == 303
    report = store(site).get(report_id)
    assert report.state == "gesloten" and report.steps[-1].reason == "Staat al in de beschrijving."
    assert report.steps[-1].account == "redacteur"
    assert any(r["gebeurtenis"] == "lezersmelding_gesloten" for r in read_audit(site.config["TOOLBOX"]))
    assert "Omzetten naar concept" not in editor.get(url).text  # a closed report is done


def test_a_report_on_a_case_opens_its_form_beside_the_text_and_is_verwerkt_on_save(site, editor):
    report_id = report_on(site, "/doc/casus/laakhavens")
    url = f"/beheer/lezersmeldingen/{report_id}"
    opened = editor.post(url + "/omzetten", data={"csrf_token": csrf_of(editor.get(url).text)})
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/beheer/casussen/laakhavens?lezersmelding={report_id}"
    assert store(site).get(report_id).state == "in behandeling"
    form = editor.get(opened.headers["Location"]).text
    assert CASE_TEXT in form and "Melding van een lezer" in form
    assert f'name="lezersmelding" value="{report_id}"' in form
    # An invalid save keeps the report beside the form, and does not count as done.
    refused = editor.post("/beheer/casussen/laakhavens", data={
        **case_form(title=""), "csrf_token": csrf_of(form), "versie": version_of(form), "actie": "opslaan",
        "lezersmelding": report_id})
    assert refused.status_code == 422 and CASE_TEXT in refused.text
    assert store(site).get(report_id).state == "in behandeling"
    saved = editor.post("/beheer/casussen/laakhavens", data={
        **case_form(title="Laakhavens, met het waterschap"), "csrf_token": csrf_of(form),
        "versie": version_of(form), "actie": "opslaan", "lezersmelding": report_id})
    assert saved.status_code == 303, saved.text[:1000]
    report = store(site).get(report_id)
    assert report.state == "verwerkt" and report.steps[-1].case == "laakhavens"
    changes = client_for(site).get("/wijzigingen?type=casus&format=json").get_json()["items"]
    assert changes[0]["title"] == "Laakhavens, met het waterschap" and changes[0]["kind"] == "gewijzigd"
    assert "T" in changes[0]["date"]  # the time of the save, from the audit log


def test_a_report_turned_into_a_draft_is_verwerkt_and_nothing_is_published(site, editor):
    report_id = report_on(site, "/doc/casus/laakhavens", text="Ook het hoogheemraadschap doet mee aan de kades.")
    url = f"/beheer/lezersmeldingen/{report_id}"
    opened = editor.post(url + "/omzetten", data={"csrf_token": csrf_of(editor.get(url).text)})
    form = editor.get(opened.headers["Location"]).text
    assert "Als concept bewaren en melding verwerken" in form
    case_file = site.config["TOOLBOX"].content_dir / "casussen" / "laakhavens.ttl"
    before = case_file.read_bytes()
    saved = editor.post("/beheer/concepten/casus?casus=laakhavens", data={
        **case_form(title="Laakhavens, met het hoogheemraadschap"), "csrf_token": csrf_of(form),
        "versie": version_of(form), "lezersmelding": report_id})
    assert saved.status_code == 303, saved.text[:1000]
    assert saved.headers["Location"].startswith("/beheer/concepten/casus/laakhavens")
    report = store(site).get(report_id)
    assert report.state == "verwerkt" and report.steps[-1].case == "laakhavens"
    assert case_file.read_bytes() == before  # a draft: the published case is unchanged
    assert "Laakhavens, met het hoogheemraadschap" in editor.get(saved.headers["Location"]).text


def test_i_know_a_case_opens_a_new_case_form_and_the_new_case_is_listed_as_new(site, editor):
    report_id = report_on(site, "/doc/tool/ambitieweb", kind="casus",
                          text="In onze gemeente gebruikten we het ambitieweb bij de herinrichting van het centrum.")
    url = f"/beheer/lezersmeldingen/{report_id}"
    opened = editor.post(url + "/omzetten", data={"csrf_token": csrf_of(editor.get(url).text)})
    assert opened.headers["Location"] == f"/beheer/casussen/nieuw?lezersmelding={report_id}"
    form = editor.get(opened.headers["Location"]).text
    assert "herinrichting van het centrum" in form
    saved = editor.post("/beheer/casussen/nieuw", data={
        **case_form(title="Centrum Lindeoord", slug="centrum-lindeoord"), "csrf_token": csrf_of(form),
        "versie": "nieuw", "actie": "opslaan", "lezersmelding": report_id})
    assert saved.status_code == 303
    assert store(site).get(report_id).state == "verwerkt"
    assert store(site).get(report_id).steps[-1].case == "centrum-lindeoord"
    feed = client_for(site).get("/wijzigingen/casussen.atom").text
    assert "Casus nieuw: Centrum Lindeoord" in feed and "/doc/casus/centrum-lindeoord" in feed


def test_a_report_on_a_page_that_is_no_case_cannot_be_converted(site, editor):
    report_id = report_on(site, "/doc/rol/duurzaamheidsmanager", text="Deze rol heet bij ons anders.")
    url = f"/beheer/lezersmeldingen/{report_id}"
    page = editor.get(url).text
    assert "geen casus" in page
    refused = editor.post(url + "/omzetten", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 422
    assert store(site).get(report_id).state == "nieuw"
