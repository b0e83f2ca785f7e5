"""A reader's report from a case page to the editor's queue, in headless Chromium against the real server.

The reader (on a 375 px phone, without JavaScript) reports an error under a case page and answers
"was dit nuttig?"; the editor finds it in /beheer, turns it into the case form with the reader's text
beside it and saves (the report is then verwerkt), and closes another one with a reason. axe finds no
violations on any of these screens, and the page fits the phone with the form open.
Run apart: `.venv/bin/pytest -q -m browser tests/webapp/beheer/test_reader_browser.py`.
"""

from __future__ import annotations

import os

import pytest

from tests.webapp.browser_support import (
    CHROMIUM,
    assert_axe_clean,
    editor_site,
    log_in,
    new_context,
)
from tests.webapp.pages.layout_checks import AXE_OPTIONS, LAYOUT_JS
from toolbox.config import REPO_ROOT
from toolbox.readers.reports import ReportStore

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 20_000
PASSWORD = "lezers-wachtwoord-2026"
CASE = "/doc/casus/laakhavens"
TEXT = "Het waterschap betaalt ook mee aan de kademuren; dat staat nergens in deze casus."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`toolbox serve` on a copy of the content, with its editor accounts."""
    with editor_site(tmp_path_factory.mktemp("lezers-server"), ("redactie",), PASSWORD, TOOLBOX_FOUR_EYES="0") as site:
        yield site


def _axe_clean(axe, page, where: str):
    assert_axe_clean(axe, page, where, AXE_OPTIONS)


def _fits(page, where: str):
    found = page.evaluate(LAYOUT_JS)
    problems = []
    if found["scroll"] > found["width"] + 1:
        problems.append(f"pagina {found['scroll']}px breed op {found['width']}px")
    problems += [f"afgesneden: {c}" for c in found["cut"]] + [f"doel te klein: {s}" for s in found["small"]]
    assert not problems, where + ": " + "; ".join(problems[:10])


def _shot(page, name: str):
    """With TOOLBOX_DOC_SCREENSHOTS=1: the screenshots of docs/editing.md, into docs/img/."""
    if os.environ.get("TOOLBOX_DOC_SCREENSHOTS"):
        page.screenshot(path=str(REPO_ROOT / "docs" / "img" / name), type="png")


def _report(page, text: str, email: str = ""):
    page.goto(CASE)
    page.get_by_text("Klopt er iets niet? Meld het").click()
    page.get_by_label("Wat klopt er niet, of wat weet je?").fill(text)
    if email:
        page.get_by_label("Je e-mailadres (niet verplicht)").fill(email)
    page.get_by_role("button", name="Melding versturen").click()


def test_reader_reports_and_editor_turns_it_into_an_edit(browser, server, axe):
    base = server["base"]
    # On a phone: the page fits with the form open, and axe finds nothing (axe needs JavaScript to run).
    checked = new_context(browser, base, TIMEOUT_MS, viewport={"width": 375, "height": 800}, is_mobile=True,
                          has_touch=True)
    page = checked.new_page()
    page.goto(CASE)
    page.get_by_text("Klopt er iets niet? Meld het").click()
    _fits(page, "casuspagina met open meldformulier op 375 px")
    _axe_clean(axe, page, "casuspagina met open meldformulier")
    page.locator(".lezers").scroll_into_view_if_needed()
    _shot(page, "melden-telefoon.png")
    page.get_by_role("button", name="Melding versturen").click()  # empty: refused at the field
    page.wait_for_url("**/melden")
    _fits(page, "meldformulier met fouten op 375 px")
    _axe_clean(axe, page, "meldformulier met fouten")
    checked.close()

    # The reader: a phone without JavaScript, no account.
    phone = new_context(browser, base, TIMEOUT_MS, viewport={"width": 375, "height": 800}, is_mobile=True,
                        has_touch=True, java_script_enabled=False)
    page = phone.new_page()
    page.goto(CASE)
    page.get_by_text("Klopt er iets niet? Meld het").click()
    page.get_by_role("button", name="Melding versturen").click()  # empty: refused at the field
    assert page.get_by_text("Schrijf wat er niet klopt of wat je weet.").count() >= 1
    assert page.get_by_label("Wat klopt er niet, of wat weet je?").get_attribute("aria-invalid") == "true"
    page.get_by_label("Wat klopt er niet, of wat weet je?").fill(TEXT)
    page.get_by_role("button", name="Melding versturen").click()
    page.wait_for_url("**/melden/bedankt**")
    assert page.get_by_role("heading", name="Bedankt!").count() == 1
    page.get_by_role("link", name="Terug naar de pagina").click()
    page.get_by_role("button", name="Ja", exact=True).click()
    page.wait_for_url("**/nuttig/bedankt**")
    assert page.get_by_text("Je antwoord is geteld").count() == 1
    _report(page, "Deze casus is inmiddels afgerond, de kades zijn klaar.")
    page.wait_for_url("**/melden/bedankt**")
    phone.close()
    reports = ReportStore(server["root"] / "instance").all()
    assert {r.text for r in reports} == {TEXT, "Deze casus is inmiddels afgerond, de kades zijn klaar."}

    # The editor: finds it in the queue, turns it into the case form, saves.
    desk = new_context(browser, base, TIMEOUT_MS, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "redactie", PASSWORD)
    page.get_by_role("link", name="Meldingen van lezers").click()
    assert page.get_by_text("Het waterschap betaalt ook mee").count() == 1
    _axe_clean(axe, page, "wachtrij")
    _shot(page, "lezersmeldingen.png")
    page.locator("tr", has_text="Het waterschap betaalt").get_by_role("link").first.click()
    _axe_clean(axe, page, "melding")
    page.get_by_role("button", name="Omzetten naar concept").click()
    page.wait_for_url("**/beheer/casussen/laakhavens?lezersmelding=*")
    assert page.get_by_role("complementary", name="Melding van een lezer").get_by_text(TEXT).count() == 1
    _axe_clean(axe, page, "casusformulier met melding")
    _shot(page, "lezersmelding-omgezet.png")
    summary = page.locator("#f-abstract")
    summary.fill(summary.input_value() + "\n\nHet waterschap betaalt mee aan de vernieuwing van de kademuren.")
    page.get_by_role("button", name="Als concept bewaren en melding verwerken").click()
    page.wait_for_url("**/beheer/concepten/casus/laakhavens**", timeout=150_000)
    assert "Het waterschap betaalt mee aan de vernieuwing" in page.locator("#f-abstract").input_value()
    done = next(r for r in ReportStore(server["root"] / "instance").all() if r.text == TEXT)
    assert done.state == "verwerkt" and done.steps[-1].case == "laakhavens"

    # The other report: closed with a reason (required).
    page.goto("/beheer/lezersmeldingen")
    page.locator("tr", has_text="inmiddels afgerond").get_by_role("link").first.click()
    page.get_by_role("button", name="Melding sluiten").click()
    assert page.get_by_text("Schrijf waarom je de melding sluit.").count() >= 1
    _axe_clean(axe, page, "sluiten zonder reden")
    page.get_by_label("Reden (verplicht)").fill("De casus loopt nog tot 2030 volgens de gemeente.")
    page.get_by_role("button", name="Melding sluiten").click()
    page.wait_for_url("**/beheer/lezersmeldingen?**")
    assert page.get_by_text("Geen open meldingen.").count() == 1

    # A draft is not public yet: the recent changes do not show it.
    page.goto("/wijzigingen?type=casus")
    assert page.get_by_text("Het waterschap betaalt mee").count() == 0
    _axe_clean(axe, page, "/wijzigingen")
    desk.close()
