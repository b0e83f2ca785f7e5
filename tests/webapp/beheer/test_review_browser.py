"""Drafts and review end to end in headless Chromium against the real server (`toolbox serve`).

One editor saves a new case as a concept, previews it and offers it for review; with four eyes on (the
default) they get no publish button; a second editor publishes it and it is on the site. A new gemeente
is proposed from the CBS list, approved by the second editor and then chosen in a case. axe runs on every
new screen. With TOOLBOX_SCREENSHOTS=docs/img the test also writes the screenshots of docs/editing.md.

Run apart: `.venv/bin/pytest -q -m browser tests/webapp/beheer/test_review_browser.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.webapp.browser_support import (
    CHROMIUM,
    assert_axe_clean,
    editor_site,
    log_in,
    new_context,
)

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 20_000
PASSWORD = "concept-wachtwoord-2026"
SHOTS = os.environ.get("TOOLBOX_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`toolbox serve` on a copy of the content, with its editor accounts."""
    with editor_site(tmp_path_factory.mktemp("review-server"), ("schrijver", "lezer"), PASSWORD) as site:
        yield site


def _editor(browser, server, name):
    context = new_context(browser, server["base"], TIMEOUT_MS, viewport={"width": 1280, "height": 760})
    page = context.new_page()
    log_in(page, name, PASSWORD)
    return context, page


def _axe_clean(axe, page, where: str):
    assert_axe_clean(axe, page, where)


def _shot(page, name: str):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=False)


def _pick(page, label: str, text: str, option: str):
    box = page.get_by_role("combobox", name=re.compile("^" + re.escape(label) + r"( \(verplicht\))?$"))
    box.fill(text)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _fill_case(page, title: str, gemeente_text: str, gemeente: str):
    page.goto("/beheer/casussen/nieuw")
    page.get_by_label("Titel").fill(title)
    _pick(page, "Gemeente", gemeente_text, gemeente)
    page.get_by_label("Schaal").select_option(label="Wijk")
    page.get_by_role("group", name="Thema's").get_by_label("Woningbouw").check()
    page.get_by_label("Samenvatting").fill("Bewoners en gemeente richten samen een binnenhof opnieuw in.")
    page.get_by_role("group", name="Bronnen").get_by_label("Werkboek", exact=False).first.check()
    page.get_by_role("button", name="Opslaan als concept").click()


def _publish_as_second_editor(browser, server, axe, kind: str, slug: str, shot: str | None = None):
    context, page = _editor(browser, server, "lezer")
    row = page.get_by_role("row", name=re.compile("ter beoordeling"))
    assert row.count() >= 1
    page.goto(f"/beheer/concepten/{kind}/{slug}")
    assert page.get_by_role("button", name="Terugsturen met opmerking").is_visible()
    _axe_clean(axe, page, f"concept {kind} voor de beoordelaar")
    if shot:
        _shot(page, shot)
    page.get_by_role("button", name="Publiceren").click()
    page.wait_for_load_state()
    return context, page


def test_draft_review_and_publish_by_a_second_editor(browser, server, axe):
    context, page = _editor(browser, server, "schrijver")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _fill_case(page, "Binnenhof Vlasakker", "leid", "Gemeente Leiden")
    page.wait_for_url("**/beheer/concepten/casus/binnenhof-vlasakker?concept_melding=concept")
    assert page.get_by_text("Het concept is bewaard").is_visible()
    assert not (server["root"] / "content/casussen/binnenhof-vlasakker.ttl").exists()
    assert page.goto("/doc/casus/binnenhof-vlasakker").status == 404
    page.goto("/beheer/concepten/casus/binnenhof-vlasakker")
    _axe_clean(axe, page, "concept van de auteur")
    page.get_by_role("link", name="Voorbeeld bekijken").click()
    assert page.get_by_role("heading", level=1, name="Binnenhof Vlasakker").is_visible()
    _axe_clean(axe, page, "voorbeeld van een concept")
    page.get_by_role("link", name="Terug naar het concept").click()
    page.get_by_role("button", name="Ter beoordeling aanbieden").click()
    page.wait_for_url("**concept_melding=ingediend")
    assert page.get_by_role("button", name="Publiceren").count() == 0  # four eyes: not for the author
    page.goto("/beheer/")
    assert page.get_by_role("row", name=re.compile("Binnenhof Vlasakker")).get_by_text("ter beoordeling").is_visible()
    _axe_clean(axe, page, "overzicht met concepten")
    page.goto("/beheer/#concepten")
    _shot(page, "concepten-overzicht.png")

    second, review = _publish_as_second_editor(browser, server, axe, "casus", "binnenhof-vlasakker",
                                               "concept-beoordelen.png")
    review.wait_for_url("**/beheer/casussen/binnenhof-vlasakker**")
    text = (server["root"] / "content/casussen/binnenhof-vlasakker.ttl").read_text()
    assert "prov:hadRole tor:approver" in text
    review.goto("/doc/casus/binnenhof-vlasakker")
    assert review.get_by_role("heading", level=1, name="Binnenhof Vlasakker").is_visible()
    assert not errors, errors
    second.close()
    context.close()


def test_a_new_gemeente_is_proposed_approved_and_used_in_a_case(browser, server, axe):
    context, page = _editor(browser, server, "schrijver")
    page.goto("/beheer/gemeenten/nieuw")
    _axe_clean(axe, page, "nieuwe gemeente")
    page.get_by_label("Gemeente (met CBS-code)").select_option("GM0772")
    _shot(page, "gemeente-voorstellen.png")
    page.get_by_role("button", name="Als concept voorstellen").click()
    page.wait_for_url("**/beheer/concepten/gemeente/eindhoven**")
    assert page.get_by_text("GM0772", exact=True).is_visible()
    _axe_clean(axe, page, "concept gemeente")
    page.get_by_role("button", name="Ter beoordeling aanbieden").click()
    page.wait_for_url("**concept_melding=ingediend")

    second, review = _publish_as_second_editor(browser, server, axe, "gemeente", "eindhoven")
    review.wait_for_url("**/beheer/**concept_melding=**")
    assert (server["root"] / "content/gemeenten/eindhoven.ttl").exists()
    second.close()

    _fill_case(page, "Stadshof Strijp", "eindh", "Gemeente Eindhoven")
    page.wait_for_url("**/beheer/concepten/casus/stadshof-strijp**")
    page.get_by_role("button", name="Ter beoordeling aanbieden").click()
    page.wait_for_url("**concept_melding=ingediend")
    second, review = _publish_as_second_editor(browser, server, axe, "casus", "stadshof-strijp")
    review.wait_for_url("**/beheer/casussen/stadshof-strijp**")
    review.goto("/doc/casus/stadshof-strijp")
    assert review.get_by_role("link", name=re.compile("Eindhoven")).count() >= 1
    second.close()
    context.close()


def test_a_new_tool_is_proposed_approved_and_chosen_in_a_case(browser, server, axe):
    context, page = _editor(browser, server, "schrijver")
    page.goto("/beheer/casussen/herinrichting-groenewoud")
    assert page.get_by_role("button", name="Opslaan", exact=True).count() == 0  # four eyes: drafts only
    assert page.get_by_role("button", name="Opslaan als concept").is_visible()
    _axe_clean(axe, page, "casusformulier met vier ogen")
    page.goto("/beheer/")
    page.get_by_role("link", name="Nieuwe tool voorstellen").click()
    page.get_by_label("Naam").fill("Werkenkaart Ondergrond")
    page.get_by_label("Tegeltekst").fill("Zet de geplande werken van alle partijen in de ondergrond op één kaart.")
    page.get_by_label("In het kort").fill("Een kaart die laat zien waar en wanneer werken samenvallen.")
    page.get_by_role("group", name=re.compile("^Geschikt voor niveau")).get_by_label("Tactisch").check()
    page.get_by_label("Herkomst (link)").fill("https://www.example.org/werkenkaart")
    page.get_by_role("button", name="Opslaan als concept").click()
    page.wait_for_url("**/beheer/concepten/tool/werkenkaart-ondergrond**")
    assert page.get_by_text("Kies minstens één categorie.").first.is_visible()  # kept, with its problem
    _axe_clean(axe, page, "voorstel met een probleem")
    page.get_by_role("group", name=re.compile("^Categorie")).get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Concept bewaren").click()
    page.wait_for_url("**/beheer/concepten/tool/werkenkaart-ondergrond**")
    _shot(page, "tool-voorstellen.png")
    page.get_by_role("link", name="Voorbeeld bekijken").click()
    assert page.get_by_role("heading", level=1, name="Werkenkaart Ondergrond").is_visible()
    _axe_clean(axe, page, "voorbeeld van een voorgestelde tool")
    page.get_by_role("link", name="Terug naar het concept").click()
    page.get_by_role("button", name="Ter beoordeling aanbieden").click()
    page.wait_for_url("**concept_melding=ingediend")
    second, review = _publish_as_second_editor(browser, server, axe, "tool", "werkenkaart-ondergrond")
    review.wait_for_url("**/beheer/**concept_melding=**")
    assert (server["root"] / "content/tools/werkenkaart-ondergrond.ttl").exists()
    review.goto("/doc/tool/werkenkaart-ondergrond")
    assert review.get_by_role("heading", level=1, name="Werkenkaart Ondergrond").is_visible()
    second.close()
    page.goto("/beheer/casussen/nieuw")
    _pick(page, "Gebruikte tools en hulpmiddelen", "werkenk", "Werkenkaart Ondergrond")
    context.close()
