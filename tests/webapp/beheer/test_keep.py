"""Issue 29, never lose typed text (server side): an expired session on save leads to the login and back
to the form; a conflict (409) is a field-by-field merge that saves through the normal path.

The browser side (the copy in localStorage, the warning before leaving, the merge in two browsers) is in
tests/webapp/beheer/test_keep_browser.py.
"""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest

from tests.webapp.beheer.test_views import (
    PASSWORD,
    case_files,
    case_form,
    client_for,
    csrf_of,
    login,
    post_new,
    settings_of,
    version_of,
)
from toolbox.accounts.registry import AccountStore, SessionStore, read_audit
from toolbox.build.pipeline import build
from toolbox.config import REPO_ROOT, Settings
from toolbox.publishing.publish import wait_for_publication
from webapp import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site on a private copy of content/, with an editor and an administrator."""
    root = tmp_path_factory.mktemp("bewaren")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance",
                        secret_key="test", sparql_endpoint=None, save_wait=120.0,
                        four_eyes=False)  # saves publish at once; four eyes: test_review.py
    build(settings, owl=False)
    accounts = AccountStore(settings)
    accounts.add("redacteur", "editor", PASSWORD)
    accounts.add("beheerder", "admin", PASSWORD)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    wait_for_publication()


def _saved(client, url: str, **changes):
    form = client.get(url).text
    return client.post(url, data={**case_form(**changes), "csrf_token": csrf_of(form), "versie": version_of(form)})


def test_an_expired_session_on_save_leads_to_login_and_back_to_the_form(site):
    client = client_for(site)
    assert login(client).status_code == 303
    form = client.get("/beheer/casussen/nieuw").text
    assert 'data-bewaren="casus/nieuw"' in form and 'data-bewaren-account="acc-' in form
    assert "js/bewaren" in form
    SessionStore(settings_of(site)).drop(client.get_cookie("toolbox_beheer", path="/beheer").value)
    before = case_files(site)

    response = client.post("/beheer/casussen/nieuw", data={**case_form(title="Verlopen Sessie Straat"),
                                                           "csrf_token": csrf_of(form), "versie": "nieuw"})
    assert response.status_code == 303 and case_files(site) == before
    location = response.headers["Location"]
    assert "Verlopen" not in location and "Klimaat" not in location  # never the text in a URL
    row = read_audit(settings_of(site))[0]
    assert (row["gebeurtenis"], row["status"], row["pad"]) == ("verzoek_geweigerd", 401, "/beheer/casussen/nieuw")

    page = client.get(location)
    assert page.status_code == 200 and "Je sessie was verlopen" in page.text
    assert 'name="next" value="/beheer/casussen/nieuw?herstel=1"' in page.text
    back = client.post("/beheer/inloggen", data={"csrf_token": csrf_of(page.text), "naam": "redacteur",
                                                 "wachtwoord": PASSWORD,
                                                 "next": "/beheer/casussen/nieuw?herstel=1"})
    assert back.status_code == 303 and back.headers["Location"] == "/beheer/casussen/nieuw?herstel=1"
    again = client.get(back.headers["Location"]).text
    assert "data-bewaren-herstel" in again  # with JavaScript, the form's script puts its own copy back
    assert csrf_of(again) != csrf_of(form)  # a new session, a new token: the old one is not restored
    # without JavaScript, the server kept what was posted and gives it back once, to this form only
    assert 'value="Verlopen Sessie Straat"' in again and "De tekst die je had ingevuld staat weer" in again
    assert 'name="csrf_token" value="' + csrf_of(form) not in again
    assert not list((settings_of(site).instance_dir / "pending").glob("*.json"))
    once = client.get(back.headers["Location"]).text
    assert "Verlopen Sessie Straat" not in once and "De tekst die je had ingevuld" not in once


def test_typed_text_kept_after_an_expired_session_is_for_its_own_page_and_browser(site):
    client, other = client_for(site), client_for(site)
    login(client)
    login(other)
    form = client.get("/beheer/casussen/nieuw").text
    SessionStore(settings_of(site)).drop(client.get_cookie("toolbox_beheer", path="/beheer").value)
    client.post("/beheer/casussen/nieuw", data={**case_form(title="Alleen Voor Mij Plein"),
                                                "csrf_token": csrf_of(form), "versie": "nieuw"})
    token = client.get_cookie("toolbox_herstel", path="/beheer").value
    other.set_cookie("toolbox_herstel", "geraden-" + token[:10], path="/beheer")
    assert "Alleen Voor Mij Plein" not in other.get("/beheer/casussen/nieuw?herstel=1").text  # a guess: nothing
    login(client)
    elsewhere = client.get("/beheer/casussen/herinrichting-groenewoud?herstel=1").text
    assert "Alleen Voor Mij Plein" not in elsewhere  # another form page never takes it
    assert "Alleen Voor Mij Plein" in client.get("/beheer/casussen/nieuw?herstel=1").text


def test_an_expired_session_does_not_weaken_the_origin_check(site):
    client = client_for(site)
    response = client.post("/beheer/casussen/nieuw", data=case_form(csrf_token="x", versie="nieuw"),
                           headers={"Origin": "https://elders.example"})
    assert response.status_code == 403
    assert read_audit(settings_of(site))[0]["gebeurtenis"] == "herkomst_geweigerd"


def test_a_saved_form_is_marked_so_the_browser_forgets_its_copy(site):
    client = client_for(site)
    login(client)
    saved = post_new(client, title="Bewaarde Kopie Plein", slug="bewaarde-kopie-plein")
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).text
    assert "data-bewaren-opgeslagen" in page
    assert "data-bewaren-opgeslagen" not in client.get("/beheer/casussen/bewaarde-kopie-plein").text
    refused = post_new(client, title="", slug="lege-titel-plein")
    assert refused.status_code == 422
    assert "data-bewaren-onopgeslagen" in refused.text and "data-bewaren-opgeslagen" not in refused.text


def _differences(html: str) -> list[str]:
    return re.findall(r'<fieldset class="verschil" id="verschil-([a-z_]+)"', html)


def test_a_conflict_is_merged_field_by_field_through_the_normal_save(site):
    mine, theirs = client_for(site), client_for(site)
    login(mine)
    login(theirs, "beheerder")
    assert post_new(mine, title="Samenvoeg Laan", slug="samenvoeg-laan").status_code == 303
    url = "/beheer/casussen/samenvoeg-laan"
    path = settings_of(site).content_dir / "casussen" / "samenvoeg-laan.ttl"
    form_mine = mine.get(url).text

    # They change the summary and the themes; I change the title and the start year.
    assert _saved(theirs, url, title="Samenvoeg Laan", abstract="Hun samenvatting van de laan, net iets anders.",
                  theme=["thema/woningbouw", "thema/mobiliteit"]).status_code == 303
    newest = path.read_bytes()
    conflict = mine.post(url, data={**case_form(title="Samenvoeg Laan (mijn titel)", start_year="2021"),
                                    "csrf_token": csrf_of(form_mine), "versie": version_of(form_mine)})
    assert conflict.status_code == 409 and path.read_bytes() == newest
    html = conflict.text
    assert _differences(html) == ["title", "start_year", "theme", "abstract"]  # only what differs, in form order
    assert "door <strong>beheerder</strong>" in html and "(UTC)" in html  # who saved in between, and when
    assert "alleen door de ander gewijzigd" in html and "alleen door jou gewijzigd" in html
    # Defaults: mine where I changed it, theirs where only they did.
    assert re.search(r'name="keuze-title" value="mijn" checked', html)
    assert re.search(r'name="keuze-abstract" value="hun" checked', html)
    assert "Mobiliteit" in html  # chosen things by their label
    assert 'value="Samenvoeg Laan (mijn titel)"' in html  # and the form still holds my text

    # Take their summary and themes, keep my title, and my start year after all: their (empty) one.
    merged = mine.post(url, data={**case_form(title="Samenvoeg Laan (mijn titel)", start_year="2021"),
                                  "csrf_token": csrf_of(html), "versie": version_of(html), "samenvoegen": "1",
                                  "keuze-title": "mijn", "keuze-abstract": "hun", "keuze-theme": "hun",
                                  "keuze-start_year": "mijn"})
    assert merged.status_code == 303, merged.text[:2000]
    text = path.read_text()
    assert "Samenvoeg Laan (mijn titel)" in text and "Hun samenvatting van de laan" in text
    assert "thema:mobiliteit" in text and 'tor:startYear "2021"' in text
    assert read_audit(settings_of(site))[0]["gebeurtenis"] == "casus_bewerkt"


def test_a_merge_takes_nothing_from_a_version_the_editor_did_not_see(site):
    mine, theirs = client_for(site), client_for(site)
    login(mine)
    login(theirs, "beheerder")
    assert post_new(mine, title="Derde Versie Hof", slug="derde-versie-hof").status_code == 303
    url = "/beheer/casussen/derde-versie-hof"
    path = settings_of(site).content_dir / "casussen" / "derde-versie-hof.ttl"
    form_mine = mine.get(url).text
    assert _saved(theirs, url, title="Derde Versie Hof", abstract="Tweede samenvatting van het hof.").status_code == 303
    conflict = mine.post(url, data={**case_form(title="Derde Versie Hof (mijn)"),
                                    "csrf_token": csrf_of(form_mine), "versie": version_of(form_mine)})
    assert conflict.status_code == 409
    # Yet another save before I merge: my choices are not applied to it; a new comparison follows.
    assert _saved(theirs, url, title="Derde Versie Hof", abstract="Derde samenvatting van het hof.").status_code == 303
    third = path.read_bytes()
    again = mine.post(url, data={**case_form(title="Derde Versie Hof (mijn)"), "csrf_token": csrf_of(conflict.text),
                                 "versie": version_of(conflict.text), "samenvoegen": "1", "keuze-abstract": "hun"})
    assert again.status_code == 409 and path.read_bytes() == third
    assert "Derde samenvatting van het hof." in unescape(again.text)


def test_a_merge_is_checked_like_any_save(site):
    mine, theirs = client_for(site), client_for(site)
    login(mine)
    login(theirs, "beheerder")
    assert post_new(mine, title="Poort Plein", slug="poort-plein").status_code == 303
    url = "/beheer/casussen/poort-plein"
    path = settings_of(site).content_dir / "casussen" / "poort-plein.ttl"
    form_mine = mine.get(url).text
    assert _saved(theirs, url, title="Poort Plein", start_year="2024", end_year="2026").status_code == 303
    conflict = mine.post(url, data={**case_form(title="Poort Plein", start_year="2022", end_year="2023"),
                                    "csrf_token": csrf_of(form_mine), "versie": version_of(form_mine)})
    assert conflict.status_code == 409
    newest = path.read_bytes()
    # Their start year with my end year: ends before it starts, so the gate refuses the merge.
    refused = mine.post(url, data={**case_form(title="Poort Plein", start_year="2022", end_year="2023"),
                                   "csrf_token": csrf_of(conflict.text), "versie": version_of(conflict.text),
                                   "samenvoegen": "1", "keuze-start_year": "hun", "keuze-end_year": "mijn"})
    assert refused.status_code == 422 and path.read_bytes() == newest
    assert "eindigen voordat hij begint" in refused.text
    assert 'value="2024"' in refused.text  # the form now shows the merged values, to correct
