"""The editor journey end to end in headless Chromium against the real server (`toolbox serve`).

login → create a case (pickers, preview) → it is in search, the case list, the guide and SPARQL →
edit → history → restore → retire. Plus: the form without JavaScript, and axe on the beheer pages.
The server runs on a private copy of content/; the account is made with `toolbox user add` via stdin.

Run apart: `.venv/bin/pytest -q -m browser tests/webapp/beheer/test_browser.py`.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.webapp.browser_support import (
    CHROMIUM,
    assert_axe_clean,
    editor_site,
    fill_login,
    new_context,
)

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 20_000
PASSWORD = "browser-wachtwoord-2026"
TITLE = "Groene Loper Havenkwartier"
SLUG = "groene-loper-havenkwartier"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`toolbox serve` on a copy of the content, with its editor accounts."""
    with editor_site(tmp_path_factory.mktemp("beheer-server"), ("redactie",), PASSWORD, TOOLBOX_FOUR_EYES="0") as site:
        yield site


def _context(browser, base, **kwargs):
    return new_context(browser, base, TIMEOUT_MS, **kwargs)


def _login(page):
    page.goto("/beheer/")
    assert "/beheer/inloggen" in page.url
    fill_login(page, "redactie", PASSWORD)
    page.wait_for_url("**/beheer/")


def _pick(page, label: str, text: str, option: str):
    """Use a search-as-you-type picker: type, then choose the option from the list."""
    box = page.get_by_role("combobox", name=re.compile("^" + re.escape(label) + r"( \(verplicht\))?$"))
    box.fill(text)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    assert page.get_by_role("list", name=f"Gekozen: {label}").get_by_text(option).count() >= 1


def _axe_clean(axe, page, where: str):
    assert_axe_clean(axe, page, where)


def _sparql(base: str, query: str) -> dict:
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _sparql_labels(base: str, query: str, expected: list, within: float = 60) -> list:
    """The labels the endpoint answers, asked again until they are `expected` (its workers for a new
    version take over once they have loaded it) or `within` seconds have passed."""
    deadline = time.monotonic() + within
    while True:
        labels = [b["l"]["value"] for b in _sparql(base, query)["results"]["bindings"]]
        if labels == expected or time.monotonic() > deadline:
            return labels
        time.sleep(0.2)


def test_editor_journey(browser, server, axe):
    context = _context(browser, server["base"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page)
    _axe_clean(axe, page, "/beheer/")

    # Create, with the pickers, and look at the preview first.
    page.get_by_role("link", name="Nieuwe casus", exact=True).first.click()
    page.wait_for_url("**/beheer/casussen/nieuw")
    _axe_clean(axe, page, "/beheer/casussen/nieuw")
    page.get_by_label("Titel").fill(TITLE)
    _pick(page, "Gemeente", "leid", "Gemeente Leiden")
    page.get_by_label("Schaal").select_option(label="Wijk")
    page.get_by_role("group", name="Thema's").get_by_label("Woningbouw").check()
    page.get_by_label("Samenvatting").fill("Een loper van groen verbindt het Havenkwartier met de binnenstad.")
    page.get_by_label("Beginjaar").fill("2023")
    page.get_by_label("Eindjaar").fill("2027")
    _pick(page, "Gemelde knelpunten", "tactisch", "Tactisch gat")
    _pick(page, "Doorlopen stappen", "wijkplan", "Gebieds")
    page.get_by_role("group", name="Bronnen").get_by_label("Werkboek", exact=False).first.check()
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1, name=TITLE).is_visible()
    assert page.get_by_text("Er is nog niets opgeslagen").is_visible()
    assert not (server["root"] / "content" / "casussen" / f"{SLUG}.ttl").exists()
    started = time.monotonic()
    page.get_by_role("button", name="Opslaan").first.click()
    page.wait_for_url(f"**/beheer/casussen/{SLUG}?melding=aangemaakt")
    print(f"\nopslaan in de browser tot de volgende pagina: {time.monotonic() - started:.2f} s")
    assert page.get_by_text("De casus is aangemaakt").is_visible()
    text = (server["root"] / "content" / "casussen" / f"{SLUG}.ttl").read_text()
    assert "prov:wasAttributedTo <https://toolbox-openbare-ruimte.nl/id/account/acc-" in text

    # It is everywhere at once: search, case list, guide, SPARQL.
    page.goto("/zoeken?q=havenkwartier")
    assert page.get_by_role("link", name=TITLE).count() >= 1
    page.goto("/casussen")
    assert page.get_by_role("link", name=TITLE).count() == 1
    page.goto("/gids?stap=gebieds-wijkplan")
    assert page.get_by_role("link", name=TITLE).count() >= 1
    labels = _sparql_labels(server["base"], "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE { "
                            f"<https://toolbox-openbare-ruimte.nl/id/casus/{SLUG}> skos:prefLabel ?l }}", [TITLE])
    assert labels == [TITLE]

    # Edit.
    page.goto(f"/beheer/casussen/{SLUG}")
    page.get_by_label("Titel").fill(TITLE + " (herzien)")
    page.get_by_role("button", name="Opslaan").first.click()
    page.wait_for_url("**melding=bewerkt")
    page.goto(f"/doc/casus/{SLUG}")
    assert page.get_by_role("heading", level=1, name=TITLE + " (herzien)").is_visible()

    # History, diff and restore.
    page.goto(f"/beheer/casussen/{SLUG}")
    page.get_by_role("link", name="Geschiedenis").first.click()
    page.wait_for_url("**/geschiedenis")
    _axe_clean(axe, page, "geschiedenis")
    page.get_by_role("link", name="Deze versie bekijken of terugzetten").first.click()
    assert page.locator(".diff .removed").filter(has_text=f'"{TITLE}"@nl').count() == 1
    _axe_clean(axe, page, "versie")
    page.get_by_role("button", name="Deze versie terugzetten").click()
    page.wait_for_url("**melding=hersteld")
    page.goto(f"/doc/casus/{SLUG}")
    assert page.get_by_role("heading", level=1, name=TITLE, exact=True).is_visible()

    # Retire: off the site, not destroyed.
    page.goto(f"/beheer/casussen/{SLUG}")
    page.get_by_role("link", name="Casus archiveren…").click()
    page.wait_for_url("**/archiveren*")
    page.get_by_label(re.compile("Ja, haal")).check()
    page.get_by_role("button", name="Casus archiveren").click()
    page.wait_for_url("**melding=gearchiveerd")
    assert page.goto(f"/doc/casus/{SLUG}").status == 404
    page.goto("/casussen")
    assert page.get_by_role("link", name=TITLE).count() == 0
    assert (server["root"] / "content" / "casussen" / f"{SLUG}.ttl").exists()
    page.goto("/beheer/")
    assert page.get_by_role("row", name=re.compile(re.escape(TITLE))).get_by_text("Gearchiveerd").is_visible()
    assert not errors, errors
    context.close()


def test_errors_are_shown_at_the_fields_and_are_accessible(browser, server, axe):
    context = _context(browser, server["base"])
    page = context.new_page()
    _login(page)
    page.goto("/beheer/casussen/nieuw")
    page.get_by_label("Titel").fill('<script>alert("x")</script>')
    page.get_by_label("Beginjaar").fill("2030")
    page.get_by_label("Eindjaar").fill("2020")
    page.get_by_role("button", name="Opslaan").first.click()
    summary = page.get_by_role("alert").filter(has_text="Niet opgeslagen")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "foutmeldingen"
    municipality = page.get_by_role("combobox", name=re.compile(r"^Gemeente \(verplicht\)$"))
    assert municipality.get_attribute("aria-invalid") == "true"
    assert "Een casus heeft een gemeente nodig." in page.locator("#err-municipality").inner_text()
    assert "eindigen voordat hij begint" in page.locator("#err-end_year").inner_text()
    assert page.get_by_label("Titel").input_value() == '<script>alert("x")</script>'  # kept, as text
    _axe_clean(axe, page, "formulier met fouten")
    context.close()


def test_the_form_works_without_javascript(browser, server):
    context = _context(browser, server["base"], java_script_enabled=False)
    page = context.new_page()
    _login(page)
    page.goto("/beheer/casussen/nieuw")
    page.get_by_label("Titel").fill("Zonder Script Straat")
    page.get_by_label("Gemeente (verplicht)").select_option(["gemeente/leiden"])
    page.get_by_label("Schaal").select_option("schaal/buurt")
    page.get_by_role("group", name="Thema's").get_by_label("Mobiliteit").check()
    page.get_by_label("Samenvatting").fill("Een straat die zonder JavaScript is ingevoerd, gewoon met lijsten.")
    page.get_by_label("Gemelde knelpunten").select_option(["knelpunt/tactisch-gat"])
    page.get_by_role("group", name="Bronnen").get_by_label("Werkboek", exact=False).first.check()
    page.get_by_role("button", name="Opslaan").first.click()
    page.wait_for_url("**/beheer/casussen/zonder-script-straat?melding=aangemaakt")
    page.goto("/doc/casus/zonder-script-straat")
    assert page.get_by_role("link", name="Tactisch gat", exact=False).count() >= 1
    context.close()
