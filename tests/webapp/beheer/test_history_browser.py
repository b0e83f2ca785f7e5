"""The history screen in a real browser, as an editor: changes in words, who and when, axe clean.

`toolbox serve` on a copy of the content; an editor changes a hand-written case through the form,
then reads its history. With TOOLBOX_SCREENSHOTS=1 it also renews docs/img/geschiedenis.png.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.webapp.browser_support import (
    assert_axe_clean,
    chromium,
    editor_site,
    load_axe,
    log_in,
    new_context,
)
from toolbox.config import REPO_ROOT

sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 20_000
PASSWORD = "geschiedenis-wachtwoord-2026"
SLUG = "laakhavens"
SCREENSHOT = REPO_ROOT / "docs" / "img" / "geschiedenis.png"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`toolbox serve` on a copy of the content, with its editor accounts."""
    with editor_site(tmp_path_factory.mktemp("history-server"), ("redactie",), PASSWORD, TOOLBOX_FOUR_EYES="0") as site:
        yield site["base"]


def _axe_clean(axe, page, where: str):
    assert_axe_clean(axe, page, where)


def test_editor_reads_the_history_in_words(server):
    axe = load_axe(axe_sync)
    with chromium(sync_api) as browser:
        context = new_context(browser, server, TIMEOUT_MS, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log_in(page, "redactie", PASSWORD)

        page.goto(f"/beheer/casussen/{SLUG}")
        summary = page.get_by_label("Samenvatting")
        old_text = summary.input_value()
        first_word = old_text.split()[0]
        summary.fill(old_text.replace(first_word, first_word + " (bijgewerkt)", 1))
        page.get_by_label("Titel").fill(page.get_by_label("Titel").input_value() + " in Den Haag")
        page.set_default_timeout(120_000)  # the save waits until the site shows it (a refresh: slow on a busy machine)
        page.get_by_role("button", name="Opslaan").first.click()
        page.wait_for_load_state()
        page.set_default_timeout(TIMEOUT_MS)
        assert "melding=bewerkt" in page.url, page.locator("main").inner_text()[:1500]

        page.goto(f"/beheer/casussen/{SLUG}/geschiedenis")
        current = page.get_by_role("heading", level=2).first
        assert re.fullmatch(r"Huidige versie van \d{1,2} \w+ 20\d\d om \d\d:\d\d, door redactie",
                            current.inner_text().strip())
        assert page.get_by_role("heading", level=2, name=re.compile("door iemand buiten de site")).count() == 1
        assert page.get_by_text("Samenvatting gewijzigd").is_visible()
        assert page.get_by_text("Titel gewijzigd:").is_visible()
        assert page.locator(".change-words ins").first.inner_text().strip() == "(bijgewerkt)"
        assert "modified" not in page.content()
        _axe_clean(axe, page, "geschiedenis")
        page.get_by_text("Oude en nieuwe tekst naast elkaar").first.click()
        _axe_clean(axe, page, "geschiedenis, uitgeklapt")
        if os.environ.get("TOOLBOX_SCREENSHOTS"):  # only when asked: a test run leaves the repository alone
            page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1280, "height": 720})

        page.get_by_role("link", name="Deze versie bekijken of terugzetten").first.click()
        assert page.get_by_role("heading", level=2, name="Wat er sindsdien veranderde").is_visible()
        assert page.get_by_text("Samenvatting gewijzigd").is_visible()
        _axe_clean(axe, page, "versie")
        context.close()
