"""The case form's picker, the /beheer/ list and the archive confirmation in headless Chromium (issue 29).

Against the real server (`toolbox serve`) on a private copy of content/, with one editor account.
Run apart: `.venv/bin/pytest -q -p no:cacheprovider tests/webapp/beheer/test_picker_browser.py`.
"""

from __future__ import annotations

import re

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
PASSWORD = "kiezer-wachtwoord-2026"
CASE = "laakhavens"
MKBA = "Maatschappelijke kosten-batenanalyse"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`toolbox serve` on a copy of the content, with its editor accounts."""
    with editor_site(tmp_path_factory.mktemp("picker-server"), ("kiezer",), PASSWORD, TOOLBOX_FOUR_EYES="0") as site:
        yield site


@pytest.fixture()
def page(browser, server):
    context = new_context(browser, server["base"], TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "kiezer", PASSWORD)
    yield page
    assert not errors, errors
    context.close()


def _axe_clean(axe, page, where: str):
    assert_axe_clean(axe, page, where)


def _box(page, label: str):
    return page.get_by_role("combobox", name=re.compile("^" + re.escape(label) + r"( \(verplicht\))?$"))


def _chosen(page, label: str):
    return page.get_by_role("list", name=f"Gekozen: {label}")


def test_an_alternative_name_finds_the_tool_and_enter_takes_it(page, axe):
    page.goto(f"/beheer/casussen/{CASE}")
    box = _box(page, "Gebruikte tools en hulpmiddelen")
    box.fill("mkba")
    option = page.get_by_role("listbox", name="Gebruikte tools en hulpmiddelen").get_by_role(
        "option", name=re.compile(re.escape(MKBA)))
    assert option.count() == 1
    assert "welvaart" in option.inner_text()  # the tool's short description is shown with it
    assert option.get_attribute("aria-selected") == "true"  # the first match is highlighted
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    _axe_clean(axe, page, "formulier met open kiezer")
    box.press("Enter")
    assert _chosen(page, "Gebruikte tools en hulpmiddelen").get_by_text(MKBA).count() == 1
    assert box.input_value() == "" and box.get_attribute("aria-expanded") == "false"


def test_search_words_find_a_step_but_are_not_shown(page):
    page.goto(f"/beheer/casussen/{CASE}")
    _box(page, "Doorlopen stappen").fill("kostenraming")  # a skos:hiddenLabel of the step Richting DO
    options = page.get_by_role("listbox", name="Doorlopen stappen").get_by_role("option")
    assert options.count() == 1
    assert options.first.locator(".picker-label").inner_text() == "Richting DO"
    assert "kostenraming" not in options.first.inner_text()


def test_enter_with_several_matches_takes_the_first_and_arrows_move(page):
    page.goto(f"/beheer/casussen/{CASE}")
    label = "Gemelde knelpunten"
    before = _chosen(page, label).locator("li").count()
    box = _box(page, label)
    box.fill("beheer")
    options = page.get_by_role("listbox", name=label).get_by_role("option")
    assert options.count() > 2
    first = options.nth(0).locator(".picker-label").inner_text()
    second = options.nth(1).locator(".picker-label").inner_text()
    assert options.nth(0).locator(".desc").inner_text().strip()  # knelpunten carry a description
    box.press("Enter")
    assert _chosen(page, label).get_by_text(first, exact=True).count() == 1
    box.fill("beheer")
    assert options.nth(0).locator(".picker-label").inner_text() == second
    box.press("ArrowDown")
    third = options.nth(1).locator(".picker-label").inner_text()
    assert options.nth(1).get_attribute("aria-selected") == "true"
    box.press("Enter")
    assert _chosen(page, label).get_by_text(third, exact=True).count() == 1
    assert _chosen(page, label).locator("li").count() == before + 2


def test_typed_text_that_was_not_chosen_is_kept_and_named(page, axe):
    page.goto(f"/beheer/casussen/{CASE}")
    url = page.url
    box = _box(page, "Gebruikte tools en hulpmiddelen")
    box.fill("kostenbaten")  # matches nothing, and is not chosen
    box.press("Tab")
    notice = page.locator("#f-used_tool-melding")
    notice.wait_for(state="visible")
    assert "‘kostenbaten’ is niet toegevoegd" in notice.inner_text()
    assert box.input_value() == "kostenbaten"  # still there
    assert "f-used_tool-melding" in box.get_attribute("aria-describedby")
    _axe_clean(axe, page, "formulier met melding bij de kiezer")
    # Saving does not drop it silently either: the form stays, focus goes back to the field.
    page.get_by_role("button", name="Opslaan", exact=True).click()
    assert page.url == url
    assert page.evaluate("document.activeElement.id") == "f-used_tool"
    assert notice.is_visible() and box.input_value() == "kostenbaten"
    # Escape (list closed) clears the text and the notice.
    box.press("Escape")
    if box.input_value():
        box.press("Escape")
    assert box.input_value() == "" and not notice.is_visible()


def test_the_open_list_does_not_cover_the_next_field(page):
    page.goto(f"/beheer/casussen/{CASE}")
    box = _box(page, "Gemelde knelpunten")
    box.evaluate("e => e.scrollIntoView({block: 'end'})")  # at the bottom, just above the sticky buttons
    box.fill("e")
    listbox = page.get_by_role("listbox", name="Gemelde knelpunten")
    assert listbox.is_visible()
    # Nothing lies on top of the open list, not even the sticky row of buttons: it scrolled into view.
    assert page.evaluate("""() => {
        const r = document.getElementById('f-knelpunt-lijst').getBoundingClientRect();
        const probes = [r.top + 5, (r.top + r.bottom) / 2, r.bottom - 5];
        return r.bottom <= innerHeight && probes.every(y => {
            const hit = document.elementFromPoint(r.left + 20, y);
            return hit && hit.closest('#f-knelpunt-lijst') !== null;
        });
    }""")
    below = _box(page, "Top-3-knelpunten")
    list_bottom = listbox.bounding_box()["y"] + listbox.bounding_box()["height"]
    next_label = page.locator("label[for='f-top_knelpunt']").bounding_box()
    assert list_bottom <= next_label["y"] + 1
    assert below.is_visible()


def test_every_field_has_a_hint_linked_to_it(page):
    page.goto(f"/beheer/casussen/{CASE}")
    from toolbox.editing.form import FIELDS
    for f in FIELDS:
        if f.name == "slug":
            continue
        control = page.locator(f"#f-{f.name}")
        described = control.get_attribute("aria-describedby") or ""
        assert f"hint-{f.name}" in described.split(), f.name
        assert page.locator(f"#hint-{f.name}").inner_text().strip(), f.name
    cluster_hint = page.locator("#hint-cluster").inner_text()
    assert all(f"{letter}:" in cluster_hint for letter in "ABCD")


def test_the_list_searches_filters_and_sorts(page, axe):
    page.goto("/beheer/")
    page.get_by_label("Zoek op titel of gemeente").fill("dordrecht")
    page.get_by_role("button", name="Toon casussen").click()
    page.wait_for_url("**q=dordrecht*")
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    assert all("Dordrecht" in rows.nth(i).inner_text() for i in range(rows.count()))
    page.get_by_label("Cluster", exact=True).select_option("a")
    page.get_by_label("Sorteren", exact=True).select_option("gewijzigd")
    page.get_by_role("button", name="Toon casussen").click()
    page.wait_for_url("**sorteer=gewijzigd*")
    assert "van de" in page.get_by_role("status").first.inner_text()
    _axe_clean(axe, page, "lijst gefilterd")


def test_archiving_asks_first_and_changes_nothing_without_the_tick(page, axe, server):
    slug = "sprenkelaar"
    path = server["root"] / "content" / "casussen" / f"{slug}.ttl"
    before = path.read_text()
    page.goto(f"/beheer/casussen/{slug}")
    page.get_by_role("link", name="Casus archiveren…").click()
    page.wait_for_url("**/archiveren*")
    _axe_clean(axe, page, "archiveren bevestigen")
    page.get_by_role("button", name="Casus archiveren").click()  # not ticked
    page.get_by_role("alert").wait_for()
    assert "Vink aan" in page.get_by_role("alert").inner_text()
    assert path.read_text() == before
    _axe_clean(axe, page, "archiveren zonder vinkje")
    page.get_by_label(re.compile("Ja, haal")).check()
    page.get_by_role("button", name="Casus archiveren").click()
    page.wait_for_url("**melding=gearchiveerd")
    assert 'tor:status "gearchiveerd"' in path.read_text()


def _ranking(page, label: str) -> list[str]:
    return [item.get_attribute("data-waarde") for item in _chosen(page, label).get_by_role("listitem").all()]


def test_the_top_three_is_reordered_with_arrow_keys_and_buttons_and_saved_in_that_order(page, axe):
    page.goto("/beheer/casussen/herinrichting-groenewoud")
    label = "Top-3-knelpunten"
    first, second, third = "knelpunt/tactisch-gat", "knelpunt/koppeling-fysiek-sociaal-ontbreekt", \
        "knelpunt/geen-budget-voor-koppelkansen"
    assert _ranking(page, label) == [first, second, third]
    chosen = _chosen(page, label)
    chosen.locator(f'li[data-waarde="{third}"]').focus()
    page.keyboard.press("ArrowUp")
    assert _ranking(page, label) == [first, third, second]
    assert page.evaluate("document.activeElement.getAttribute('data-waarde')") == third  # focus follows
    assert "plaats 2 van 3" in page.locator(".picker [role=status]").filter(has_text="plaats").first.inner_text()
    chosen.locator(f'li[data-waarde="{first}"]').get_by_role("button", name=re.compile("^Zet lager")).click()
    assert _ranking(page, label) == [third, first, second]
    assert chosen.locator(f'li[data-waarde="{third}"]').get_by_role(
        "button", name=re.compile("^Zet hoger")).is_disabled()
    sent = page.evaluate("Array.from(document.querySelector('select[name=top_knelpunt]').selectedOptions)"
                         ".map(o => o.value)")
    assert sent == [third, first, second]  # what the form sends, in the new order
    _axe_clean(axe, page, "formulier met de top-3 in een nieuwe volgorde")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url("**/beheer/casussen/herinrichting-groenewoud?melding=*")
    assert _ranking(page, label) == [third, first, second]
