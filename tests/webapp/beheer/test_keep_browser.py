"""Issue 29, never lose typed text, in headless Chromium against the real server (`toolbox serve`).

The form is kept in the browser while you type and offered back after a reload; a save with an expired
session leads to the login and back to the form with the text; leaving a changed form asks first; a
conflict between two editors (two browser contexts, two accounts) is merged field by field. axe checks
the new screens. Run apart: `.venv/bin/pytest -q -m browser tests/webapp/beheer/test_keep_browser.py`.
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from tests.webapp.browser_support import (
    CHROMIUM,
    assert_axe_clean,
    editor_site,
    fill_login,
    new_context,
)
from toolbox.config import REPO_ROOT

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 45_000  # a first save on a fresh server also fills its caches
PASSWORD = "bewaren-wachtwoord-2026"
EDITORS = ("redactie-noord", "redactie-zuid")
CASE = "dordwijkzone-stadspark-xxl"
# The screenshots in docs/editing.md: written there only when asked (TOOLBOX_DOC_SCREENSHOTS=1).
DOC_IMAGES = REPO_ROOT / "docs" / "img"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`toolbox serve` on a copy of the content, with its editor accounts."""
    with editor_site(tmp_path_factory.mktemp("bewaren-server"), EDITORS, PASSWORD,
                     TOOLBOX_FOUR_EYES="0", TOOLBOX_SAVE_WAIT="5") as site:
        yield site


def _context(browser, base, **kwargs):
    return new_context(browser, base, TIMEOUT_MS, **kwargs)


def _login(page, name=EDITORS[0]):
    fill_login(page, name, PASSWORD)


def _open(page, path: str, name=EDITORS[0]):
    page.goto(path)
    if "/beheer/inloggen" in page.url:
        _login(page, name)
        page.wait_for_url("**" + path)


def _axe_clean(axe, page, where: str):
    assert_axe_clean(axe, page, where)


def _kept(page) -> dict:
    """The copies of forms this browser keeps, by key."""
    return page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter(k => k.startsWith('toolbox-bewaren:')).map(k => [k, JSON.parse(localStorage.getItem(k))]))""")


def _wait_kept(page, text: str) -> None:
    """Until a kept copy holds `text` (the copy is written shortly after the last keystroke)."""
    deadline = time.monotonic() + 10
    while not any(text in json.dumps(c, ensure_ascii=False) for c in _kept(page).values()):
        assert time.monotonic() < deadline, f"geen bewaarde kopie met {text!r}: {_kept(page)}"
        time.sleep(0.1)


def _pick(page, label: str, text: str, option: str):
    box = page.get_by_role("combobox", name=re.compile("^" + re.escape(label) + r"( \(verplicht\))?$"))
    box.fill(text)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _expire_sessions(root) -> None:
    """Every session in the server's store made older than the idle limit: a real expiry, server side."""
    path = root / "instance" / "sessions.json"
    rows = json.loads(path.read_text())
    for row in rows.values():
        row["seen"] = row["created"] = time.time() - 13 * 3600
    path.write_text(json.dumps(rows))


def test_typed_text_is_offered_back_after_a_reload_and_only_to_the_same_account(browser, server, axe):
    context = _context(browser, server["base"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _open(page, "/beheer/casussen/nieuw")
    page.get_by_label("Titel").press_sequentially("Bewaarde Tekst Kade")
    page.get_by_label("Samenvatting").fill("Een kade waarvan de tekst een herlaadbeurt overleeft.")
    _pick(page, "Gemeente", "leid", "Gemeente Leiden")
    page.get_by_label("Schaal").select_option(label="Wijk")
    _wait_kept(page, "een herlaadbeurt overleeft")
    _wait_kept(page, "gemeente/leiden")

    page.reload()
    offer = page.get_by_role("status").filter(has_text="Er is niet-opgeslagen tekst van")
    assert offer.is_visible()
    assert page.get_by_label("Titel").input_value() == ""  # nothing changes before the editor chooses
    _axe_clean(axe, page, "aanbod om terug te zetten")
    offer.get_by_role("button", name="Terugzetten").click()
    assert page.get_by_label("Titel").input_value() == "Bewaarde Tekst Kade"
    assert page.get_by_label("Samenvatting").input_value().startswith("Een kade waarvan")
    assert page.get_by_label("Schaal").input_value() == "schaal/wijk"
    assert page.get_by_role("list", name="Gekozen: Gemeente").get_by_text("Gemeente Leiden").is_visible()
    assert page.get_by_role("status").filter(has_text="staat weer in het formulier").is_visible()

    # Leaving a changed form asks first.
    dialogs, answer = [], {"accept": False}

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)
    page.get_by_label("Titel").press_sequentially(" Oost")
    page.get_by_role("link", name="Alle casussen").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url.endswith("/beheer/casussen/nieuw")

    # Another editor on the same machine does not get this text; the first one still does.
    answer["accept"] = True
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/beheer/inloggen**")
    _login(page, EDITORS[1])
    page.goto("/beheer/casussen/nieuw")
    assert page.get_by_text("Er is niet-opgeslagen tekst").count() == 0
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/beheer/inloggen**")
    _login(page, EDITORS[0])
    page.goto("/beheer/casussen/nieuw")
    offer = page.get_by_role("status").filter(has_text="Er is niet-opgeslagen tekst van")
    offer.get_by_role("button", name="Weggooien").click()
    assert page.get_by_text("De bewaarde tekst is weggegooid").is_visible()
    assert not any(k.endswith(":casus/nieuw") and "Kade" in json.dumps(v) for k, v in _kept(page).items())
    page.reload()
    assert page.get_by_text("Er is niet-opgeslagen tekst").count() == 0
    assert not errors, errors
    context.close()


def test_text_is_back_after_a_save_with_an_expired_session(browser, server, axe):
    context = _context(browser, server["base"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: errors.append("onverwachte vraag: " + d.type) or d.accept())
    path = f"/beheer/casussen/{CASE}"
    file = server["root"] / "content" / "casussen" / f"{CASE}.ttl"
    before = file.read_bytes()
    _open(page, path)
    summary = page.get_by_label("Samenvatting")
    typed = summary.input_value() + "\n\nNa het verlopen van de sessie toegevoegd: deze alinea mag niet verdwijnen."
    summary.fill(typed)
    page.get_by_label("Titel").fill("Dordwijkzone: Stadspark XXL (bijgewerkt)")

    _expire_sessions(server["root"])
    page.get_by_role("button", name="Opslaan").first.click()
    page.wait_for_url("**/beheer/inloggen?**")
    assert "verdwijnen" not in page.url  # never the text in a URL
    assert page.get_by_text("Je sessie was verlopen").is_visible()
    assert file.read_bytes() == before
    _axe_clean(axe, page, "inloggen na een verlopen sessie")

    _login(page)
    page.wait_for_url(f"**{path}")  # back at the form (the restore flag is taken off the address)
    assert page.get_by_label("Samenvatting").input_value() == typed
    assert page.get_by_label("Titel").input_value() == "Dordwijkzone: Stadspark XXL (bijgewerkt)"
    assert page.get_by_role("status").filter(has_text="staat weer in het formulier").is_visible()
    _axe_clean(axe, page, "formulier met teruggezette tekst")

    page.get_by_role("button", name="Opslaan").first.click()
    page.wait_for_url("**melding=*")
    assert "deze alinea mag niet verdwijnen" in file.read_text()
    assert _kept(page) == {}  # saved: the browser's copy is gone
    page.reload()
    assert page.get_by_text("Er is niet-opgeslagen tekst").count() == 0
    assert not errors, errors
    context.close()


def _images(tmp_path):
    return DOC_IMAGES if os.environ.get("TOOLBOX_DOC_SCREENSHOTS") == "1" else tmp_path


def test_a_conflict_is_merged_field_by_field_by_two_editors(browser, server, axe, tmp_path):
    slug = "herinrichting-groenewoud"
    path = f"/beheer/casussen/{slug}"
    file = server["root"] / "content" / "casussen" / f"{slug}.ttl"
    north, south = _context(browser, server["base"]), _context(browser, server["base"])
    mine, theirs = north.new_page(), south.new_page()
    errors: list[str] = []
    mine.on("pageerror", lambda exc: errors.append(str(exc)))
    _open(mine, path, EDITORS[0])
    _open(theirs, path, EDITORS[1])
    title = mine.get_by_label("Titel").input_value()

    # They save first: a new summary and another theme.
    theirs.get_by_label("Samenvatting").fill("Hun samenvatting: de buurt koos samen met de gemeente voor meer groen.")
    theirs.get_by_role("group", name="Thema's").get_by_label("Mobiliteit").check()
    theirs.get_by_role("button", name="Opslaan").first.click()
    theirs.wait_for_url("**melding=**")

    # I change the title and the summary as well, and save: a conflict.
    mine.get_by_label("Titel").fill(title + " (mijn titel)")
    mine.get_by_label("Samenvatting").fill("Mijn samenvatting, die ik toch niet houd.")
    mine.get_by_role("button", name="Opslaan").first.click()
    alert = mine.get_by_role("alert").filter(has_text="Intussen gewijzigd")
    assert alert.is_visible()
    assert EDITORS[1] in alert.inner_text() and "(UTC)" in alert.inner_text()  # who, and when
    merge = mine.get_by_role("region", name="Samenvoegen: kies per veld")
    groups = merge.get_by_role("group")
    assert [g.split(" (")[0] for g in groups.evaluate_all("els => els.map(e => e.querySelector('legend').innerText)")] \
        == ["Titel", "Thema's", "Samenvatting"]  # only the fields that differ
    _axe_clean(axe, mine, "samenvoegen na een conflict")

    mine.set_viewport_size({"width": 1280, "height": 900})
    box = merge.bounding_box()
    assert box["width"] > 1000  # the comparison uses the width of the page
    merge.screenshot(path=str(_images(tmp_path) / "beheer-samenvoegen.png"))

    def choice(field: str, side: str):
        group = merge.get_by_role("group", name=re.compile("^" + field))
        return group.get_by_role("radio", name=re.compile("^" + side))

    choice("Samenvatting", "Hun versie").check()
    assert mine.get_by_label("Samenvatting", exact=False).last.input_value().startswith("Hun samenvatting")
    assert choice("Thema.s", "Hun versie").is_checked() and choice("Titel", "Mijn versie").is_checked()

    mine.set_viewport_size({"width": 375, "height": 800})
    assert mine.evaluate("document.documentElement.scrollWidth") <= 375  # readable on a phone, no sideways scroll
    merge.get_by_role("button", name="Samengevoegde versie opslaan").click()
    mine.wait_for_url("**melding=*")
    text = file.read_text()
    assert "(mijn titel)" in text and "Hun samenvatting" in text and "thema:mobiliteit" in text
    assert "Mijn samenvatting" not in text
    assert not errors, errors
    north.close()
    south.close()


def test_text_survives_a_tab_that_closes_without_asking_and_the_offer_fits_a_phone(browser, server, tmp_path):
    """A tab that is killed (no beforeunload: as in a crash) still leaves the copy behind."""
    context = _context(browser, server["base"], viewport={"width": 375, "height": 700})
    page = context.new_page()
    _open(page, "/beheer/casussen/nieuw")
    page.get_by_label("Titel").fill("Schermafbeelding Steeg")
    _wait_kept(page, "Schermafbeelding Steeg")
    page.close()  # run_before_unload=False: nothing is asked and nothing runs, as when the browser crashes
    page = context.new_page()
    page.goto("/beheer/casussen/nieuw")
    offer = page.get_by_role("status").filter(has_text="Er is niet-opgeslagen tekst van")
    assert offer.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    offer.screenshot(path=str(_images(tmp_path) / "beheer-bewaren.png"))
    offer.get_by_role("button", name="Terugzetten").click()
    assert page.get_by_label("Titel").input_value() == "Schermafbeelding Steeg"
    context.close()


def test_a_form_refused_for_an_old_session_keeps_its_copy(browser, server):
    """Logged in anew in another tab: the first tab's form has the old CSRF token and is refused (403),
    but the text it held is offered again when the form is opened."""
    context = _context(browser, server["base"])
    first = context.new_page()
    _open(first, "/beheer/casussen/nieuw")
    first.get_by_label("Titel").fill("Tweede Tabblad Gracht")
    second = context.new_page()
    second.goto("/beheer/")
    second.get_by_role("button", name="Uitloggen").click()
    second.wait_for_url("**/beheer/inloggen**")
    _login(second)
    second.wait_for_url("**/beheer/")
    with first.expect_navigation() as navigation:
        first.get_by_role("button", name="Opslaan").first.click()
    assert navigation.value.status == 403
    first.goto("/beheer/casussen/nieuw")
    offer = first.get_by_role("status").filter(has_text="Er is niet-opgeslagen tekst van")
    offer.get_by_role("button", name="Terugzetten").click()
    assert first.get_by_label("Titel").input_value() == "Tweede Tabblad Gracht"
    context.close()
