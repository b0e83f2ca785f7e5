"""Readers' forms on the public pages through the Flask test client: the report and "was dit nuttig?"
(token, Origin, honeypot, sizes, rate limit, Dutch errors at the field), and /wijzigingen with its feeds.

The site runs on the real content with a private instance folder, so nothing lands in instance/.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from toolbox.readers.reports import MAX_TEXT, ReportStore, UsefulCounts
from webapp import create_app

CASE = "/doc/casus/laakhavens"
TOOL = "/doc/tool/ambitieweb"
TEXT = "De einddatum van dit project klopt niet: het loopt door tot 2030."
LIMIT = 4
_addresses = itertools.count(1)


@pytest.fixture(scope="module")
def site(real_settings, tmp_path_factory):
    instance = tmp_path_factory.mktemp("lezers") / "instance"
    settings = replace(real_settings, instance_dir=instance, secret_key="lezers-test",
                       extra={"reports_per_window": LIMIT, "useful_per_window": LIMIT})
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


def client_for(app):
    """A client with its own address: the per-address limit of one test does not hit another."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.9.{next(_addresses)}.1"
    return client


def reports(app):
    return ReportStore(app.config["TOOLBOX"].instance_dir).all()


def form_of(html: str) -> dict:
    form = html[html.index('action="/melden"'):]
    return {"pagina": re.search(r'name="pagina" value="([^"]*)"', form).group(1),
            "token": re.search(r'name="token" value="([^"]*)"', form).group(1)}


def post_report(client, page=CASE, **changes):
    data = {**form_of(client.get(page).text), "soort": "fout", "tekst": TEXT, "email": "", "website": ""}
    data.update(changes)
    return client.post("/melden", data=data)


def test_every_thing_page_has_both_forms_and_stays_cached(site):
    client = client_for(site)
    for page in (CASE, TOOL, "/doc/knelpunt/tactisch-gat", "/doc/stap/opdrachtformulering",
                 "/doc/rol/duurzaamheidsmanager"):
        html = client.get(page).text
        assert "Klopt er iets niet? Meld het" in html and "Was dit nuttig?" in html, page
        assert form_of(html)["pagina"] == page
    first = client.get(CASE)
    again = client.get(CASE)
    assert again.headers.get("X-Toolbox-Cache") == "hit" and again.data == first.data
    assert "Set-Cookie" not in again.headers  # no session: the page stays cacheable for everyone


def test_no_report_form_off_the_thing_pages(site):
    client = client_for(site)
    for path in ("/", "/casussen", "/wijzigingen", "/doc/casus/bestaat-niet", "/beheer/inloggen"):
        assert 'action="/melden"' not in client.get(path).text, path


def test_a_report_is_kept_and_thanked_for_without_an_address(site):
    client = client_for(site)
    answer = post_report(client, email="redactie@gemeente.example.nl")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/melden/bedankt")
    assert "Bedankt" in client.get(answer.headers["Location"]).text
    report = reports(site)[0]
    assert (report.page, report.text, report.state) == (CASE, TEXT, "nieuw")
    assert report.email == "redactie@gemeente.example.nl"
    assert report.title  # the page title at the time, for the queue
    raw = (site.config["TOOLBOX"].instance_dir / "meldingen" / f"{report.id}.json").read_text()
    assert "10.9." not in raw


def test_a_filled_honeypot_looks_accepted_but_keeps_nothing(site):
    client = client_for(site)
    before = len(reports(site))
    answer = post_report(client, website="https://spam.example")
    assert answer.status_code == 303 and "/melden/bedankt" in answer.headers["Location"]
    assert len(reports(site)) == before


def test_a_bad_or_foreign_token_shows_the_form_again_with_the_text(site):
    client = client_for(site)
    before = len(reports(site))
    answer = post_report(client, token="123.abc")
    assert answer.status_code == 400
    assert "verlopen" in answer.text and TEXT in answer.text  # nothing typed is lost
    assert form_of(answer.text)["token"] != "123.abc"  # a fresh token to send it again
    tool_token = form_of(client.get(TOOL).text)["token"]
    assert post_report(client, token=tool_token).status_code == 400  # a token of another page
    assert len(reports(site)) == before


def test_field_errors_are_dutch_at_the_field_and_keep_the_input(site):
    client = client_for(site)
    before = len(reports(site))
    answer = post_report(client, tekst="", email="geen-adres")
    assert answer.status_code == 422
    assert 'id="err-tekst"' in answer.text and 'id="err-email"' in answer.text
    assert 'aria-invalid="true"' in answer.text and "geen-adres" in answer.text
    too_long = post_report(client, tekst="x" * (MAX_TEXT + 1))
    assert too_long.status_code == 422 and "maximum" in too_long.text
    assert len(reports(site)) == before


def test_oversized_body_foreign_origin_and_unknown_page_are_refused(site):
    client = client_for(site)
    before = len(reports(site))
    assert post_report(client, tekst="x" * 20_000).status_code == 413
    data = {**form_of(client.get(CASE).text), "soort": "fout", "tekst": TEXT}
    assert client.post("/melden", data=data, headers={"Origin": "https://elders.example"}).status_code == 403
    assert client.post("/melden", data={**data, "pagina": "/doc/casus/bestaat-niet"}).status_code == 400
    assert client.post("/melden", data={**data, "pagina": "https://elders.example/x"}).status_code == 400
    assert client.post("/melden", json={"tekst": TEXT}).status_code == 415
    assert len(reports(site)) == before


def test_reports_are_rate_limited_per_address_with_retry_after(site):
    client = client_for(site)
    for _ in range(LIMIT):
        assert post_report(client).status_code == 303
    refused = post_report(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "Probeer het over" in refused.text and TEXT in refused.text
    assert post_report(client_for(site)).status_code == 303  # another address is not held back


def test_was_this_useful_counts_per_page_and_is_rate_limited(site):
    client = client_for(site)
    form = form_of(client.get(TOOL).text)
    counts = UsefulCounts(site.config["TOOLBOX"].instance_dir)
    assert client.post("/nuttig", data={**form, "antwoord": "ja"}).status_code == 303
    answer = client.post("/nuttig", data={**form, "antwoord": "nee"})
    assert answer.status_code == 303
    assert "Vertel de redactie" in client.get(answer.headers["Location"]).text
    assert counts.read()[TOOL] == {"ja": 1, "nee": 1}
    assert client.post("/nuttig", data={**form, "antwoord": "misschien"}).status_code == 400
    assert client.post("/nuttig", data={**form, "token": "1.x", "antwoord": "ja"}).status_code == 400
    refused = client.post("/nuttig", data={**form, "antwoord": "ja"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert counts.read()[TOOL] == {"ja": 1, "nee": 1}


A = "{http://www.w3.org/2005/Atom}"


def test_changes_page_per_type_with_twin_and_feeds(site):
    client = client_for(site)
    page = client.get("/wijzigingen")
    assert page.status_code == 200
    assert '<link rel="alternate" type="application/atom+xml"' in page.text
    assert 'href="/doc/' in page.text and "Wijzigingen" in page.text
    cases = client.get("/wijzigingen?type=casus&format=json")
    body = cases.get_json()
    assert cases.status_code == 200 and body["total"] > 0
    assert {i["type"] for i in body["items"]} == {"casus"}
    assert all(i["page"].startswith("https://") and i["kind"] in ("nieuw", "gewijzigd", "gearchiveerd")
               for i in body["items"])
    assert client.get("/wijzigingen?type=onzin").status_code == 400
    assert client.get("/wijzigingen?pagina=999").status_code == 404
    assert client.get("/wijzigingen?format=xml").status_code == 406
    for path, segment in (("/wijzigingen.atom", None), ("/wijzigingen/casussen.atom", "casus"),
                          ("/wijzigingen/tools.atom", "tool"), ("/wijzigingen/knelpunten.atom", "knelpunt")):
        feed = client.get(path)
        assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
        root = ET.fromstring(feed.data)
        assert root.tag == A + "feed" and root.find(A + "id").text.endswith(path)
        links = [e.find(A + "link").get("href") for e in root.findall(A + "entry")]
        assert links and all("/doc/" in link for link in links)
        if segment:
            assert all(f"/doc/{segment}/" in link for link in links)
    assert client.get("/wijzigingen/onzin.atom").status_code == 404


def test_footer_links_to_the_changes(site):
    assert 'href="/wijzigingen"' in client_for(site).get("/over").text


def test_json_twin_is_json(site):
    answer = client_for(site).get("/wijzigingen", headers={"Accept": "application/json"})
    assert answer.mimetype == "application/json" and json.loads(answer.data)["items"]
