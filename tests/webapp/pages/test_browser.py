"""User journeys and accessibility in headless Chromium against the real production server.

Starts `toolbox serve` (Granian) on a free loopback port with a private build directory, then drives
Debian's Chromium through Playwright. Every page type is checked with axe-core: zero violations allowed.

Run apart: `.venv/bin/pytest -q -m browser tests/webapp/pages/test_browser.py`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.webapp.browser_support import CHROMIUM, chromium, load_axe, new_context, real_site

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real site under Granian (`toolbox serve`), building into a private directory."""
    with real_site(tmp_path_factory.mktemp("live-server")) as base:
        yield base


@pytest.fixture(scope="module")  # not longer: one Playwright at a time per thread (test_layout starts its own)
def browser():
    with chromium(sync_api) as instance:
        yield instance


def _context(browser, base_url, **kwargs):
    return new_context(browser, base_url, TIMEOUT_MS, **kwargs)


@pytest.fixture
def page(browser, live_server):
    context = _context(browser, live_server)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def axe():
    return load_axe(axe_sync)


def _count(page) -> int:
    """The number in the result status line of the library and the case list."""
    return int(page.locator("main [role=status] strong").inner_text())


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


# ---------------------------------------------------------------------------
# Journeys

def test_search_to_tool(page):
    page.goto("/")
    page.get_by_role("search", name="Zoeken in de toolbox").get_by_role("searchbox").fill("ambitieweb")
    page.get_by_role("search", name="Zoeken in de toolbox").get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"/zoeken\?q=ambitieweb"))
    page.locator("ol.results").get_by_role("link", name="Ambitieweb", exact=True).click()
    page.wait_for_url(re.compile(r"/doc/tool/ambitieweb$"))
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Ambitieweb")


def test_guide_to_checklist_tick_print_and_export(page, live_server):
    page.goto("/gids")
    page.get_by_role("link", name="Uitvoeringsniveau", exact=True).click()
    page.wait_for_url(re.compile(r"niveau=uitvoering"))
    page.get_by_role("link", name="Opdrachtformulering", exact=True).click()
    page.wait_for_url(re.compile(r"stap=opdrachtformulering"))
    sync_api.expect(page.get_by_role("heading", level=2, name=re.compile("Opdrachtformulering"))).to_be_visible()
    page.locator(".card", has=page.get_by_role("heading", name="Checklist om door te lopen")) \
        .get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/doc/checklist/"))
    checklist_url = page.url

    boxes = page.locator("#checklist input[type=checkbox]")
    total = boxes.count()
    assert total >= 2
    progress = page.locator("#voortgang")
    sync_api.expect(progress).to_contain_text(f"0 van {total}")
    boxes.nth(0).check()
    boxes.nth(2 if total > 2 else 1).check()
    sync_api.expect(progress).to_contain_text(f"2 van {total}")

    page.reload()
    sync_api.expect(progress).to_contain_text(f"2 van {total}")
    assert boxes.nth(0).is_checked()
    assert boxes.nth(2 if total > 2 else 1).is_checked()
    ticked = sorted(boxes.nth(i).get_attribute("value") for i in range(total) if boxes.nth(i).is_checked())
    assert len(ticked) == 2

    page.get_by_role("button", name="Printweergave").click()
    page.wait_for_url(re.compile(r"weergave=print"))
    query = _query(page.url)
    assert query.get("weergave") == ["print"]
    assert sorted(query.get("v", [])) == ticked
    sync_api.expect(page.locator(".notice")).to_contain_text("Printweergave")
    sync_api.expect(progress).to_contain_text(f"2 van {total}")

    page.goto(checklist_url)
    sync_api.expect(progress).to_contain_text(f"2 van {total}")
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporteer als Markdown").click()
    download = info.value
    assert download.suggested_filename.endswith(".md")
    markdown = Path(download.path()).read_text(encoding="utf-8")
    assert markdown.count("- [x]") == 2, markdown
    assert markdown.count("- [ ]") == total - 2
    # The same export straight from the URL the form builds.
    response = page.request.get(f"{checklist_url}?format=md&" + "&".join(f"v={v}" for v in ticked))
    assert response.ok
    assert response.text().count("- [x]") == 2


def _filter_library(page):
    page.goto("/tools")
    total = _count(page)
    radios = page.locator("input[type=radio][name=categorie]:not([value=''])")
    assert radios.count() > 1
    chosen = None
    for i in range(radios.count()):
        label = radios.nth(i).locator("xpath=..")
        n = int(re.search(r"\((\d+)\)", label.inner_text()).group(1))
        if 0 < n < total:
            chosen = (radios.nth(i), label.inner_text().rsplit("(", 1)[0].strip(), n)
            break
    assert chosen, "geen categorie die de lijst verkleint"
    radio, name, expected = chosen
    radio.check()
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"categorie=[a-z]"))
    assert _count(page) == expected != total
    cards = page.locator("#tools > li.card")
    assert cards.count() == expected
    for i in range(expected):
        assert name in cards.nth(i).locator(".meta").inner_text(), cards.nth(i).inner_text()
    assert page.locator("input[type=radio][name=categorie]:checked").get_attribute("value")


def test_library_filter(page):
    _filter_library(page)


def test_library_filter_without_javascript(browser, live_server):
    context = _context(browser, live_server, java_script_enabled=False)
    try:
        _filter_library(context.new_page())
    finally:
        context.close()


def test_case_filters(page):
    page.goto("/casussen")
    total = _count(page)
    theme = page.locator("input[type=radio][name=thema]:not([value=''])").first
    theme_name = theme.locator("xpath=..").inner_text().rsplit("(", 1)[0].strip()
    theme.check()
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"thema=[a-z]"))
    by_theme = _count(page)
    assert 0 < by_theme < total
    results = page.locator("#casussen > li")
    assert results.count() == by_theme
    for i in range(by_theme):
        assert theme_name in results.nth(i).locator(".meta").inner_text()

    select = page.get_by_label("Knelpunt", exact=True)
    options = select.locator("option:not([value=''])")
    choice = None
    for i in range(options.count()):
        n = int(re.search(r"\((\d+)\)\s*$", options.nth(i).inner_text()).group(1))
        if 0 < n < by_theme:
            choice = (options.nth(i).get_attribute("value"), n)
            break
    assert choice, "geen knelpunt dat de lijst verkleint"
    select.select_option(choice[0])
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(rf"knelpunt={re.escape(choice[0])}"))
    assert _count(page) == choice[1] < by_theme
    assert results.count() == choice[1]
    assert _query(page.url)["thema"]  # the theme filter stays on


def test_situation_finds_step(page):
    page.goto("/gids")
    page.get_by_label("Wat ben je aan het doen?").fill("ik schrijf een opdrachtbrief voor een rioolvervanging")
    page.get_by_role("button", name="Zoek mijn stap").click()
    page.wait_for_url(re.compile(r"situatie="))
    sync_api.expect(page.locator("#waarschijnlijk-hier")).to_have_text("Je staat waarschijnlijk hier")
    sync_api.expect(page.locator(".placements li").first).to_contain_text("Opdrachtformulering")
    sync_api.expect(page.locator("#jouw-stap")).to_contain_text("Opdrachtformulering")
    page.get_by_role("link", name="Kies zelf je niveau en stap").click()
    sync_api.expect(page.locator("#kies-niveau")).to_be_visible()  # back at the picker


def test_situation_block_in_search_for_a_sentence(page):
    page.goto("/zoeken")
    page.locator("#q").fill("we willen riolering vervangen en tegelijk vergroenen")
    page.locator("#q").press("Enter")
    sync_api.expect(page.locator("#waarschijnlijk-hier")).to_be_visible()
    first = page.locator(".placements li").first
    sync_api.expect(first).to_contain_text("Je noemt")
    assert page.locator("input[type=search]").count() == 1


@pytest.mark.parametrize("width", [1280, 375])
def test_plate_labels_and_facets_stay_inside_their_boxes(browser, live_server, width):
    context = _context(browser, live_server, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto("/")
        if width >= 1000:  # the plate (on small screens a list stands in for it)
            overflow = page.evaluate("""() => [...document.querySelectorAll('svg.plate a')].flatMap(a => {
                const r = a.querySelector('rect'), t = a.querySelector('text');
                if (!r || !t) return [];
                const rb = r.getBoundingClientRect(), tb = t.getBoundingClientRect();
                return (tb.left < rb.left - 1 || tb.right > rb.right + 1) ? [a.textContent] : [];
            })""")
            assert overflow == [], f"tekst buiten het vak op de procesplaat: {overflow}"
        page.goto("/zoeken?q=we willen riolering vervangen en tegelijk vergroenen")
        outside = page.evaluate("""() => {
            const col = document.querySelector('.facets').getBoundingClientRect();
            return [...document.querySelectorAll('.facets a')].filter(a => {
                const b = a.getBoundingClientRect(); return b.right > col.right + 1 || b.left < col.left - 1;
            }).map(a => a.textContent);
        }""")
        assert outside == [], f"facetnamen buiten hun kolom: {outside}"
        scroll = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert scroll <= width + 1
        page.goto("/gids?situatie=we willen riolering vervangen en tegelijk vergroenen")
        scroll = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert scroll <= width + 1
    finally:
        context.close()


def test_mobile_home_has_no_horizontal_scroll(browser, live_server):
    context = _context(browser, live_server, viewport={"width": 375, "height": 740}, is_mobile=True,
                       has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        for path in ("/", "/tools", "/doc/checklist/opdrachtbrief", "/zoeken?q=participatie"):
            page.goto(path)
            width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            assert width <= 375 + 1, f"{path}: scrollWidth {width}px op een scherm van 375px"
    finally:
        context.close()


# ---------------------------------------------------------------------------
# Accessibility: axe-core on every page type, zero violations

AXE_PAGES = {
    "home": "/",
    "niveau": "/doc/niveau/tactisch",
    "stap": "/doc/stap/opdrachtformulering",
    "tool": "/doc/tool/ambitieweb",
    "bibliotheek": "/tools",
    "bibliotheek-gefilterd": "/tools?categorie=afwegen-op-criteria&niveau=uitvoering",
    "checklist": "/doc/checklist/opdrachtbrief",
    "checklist-print": "/doc/checklist/opdrachtbrief?weergave=print&v=1&v=3",
    "waaier": "/samenwerkingswaaier",
    "rol": "/doc/rol/projectleider",
    "knelpunten": "/knelpunten",
    "knelpunt": "/doc/knelpunt/tactisch-gat",
    "casussen": "/casussen",
    "casussen-gefilterd": "/casussen?thema=klimaatadaptatie",
    "casus": "/doc/casus/laakhavens",
    "thema": "/doc/thema/klimaatadaptatie",
    "gids": "/gids",
    "gids-niveau": "/gids?niveau=uitvoering",
    "gids-stap": "/gids?stap=opdrachtformulering",
    "gids-knelpunt": "/gids?knelpunt=tactisch-gat",
    "gids-situatie": "/gids?situatie=opdrachtbrief rioolvervanging",
    "gids-situatie-zin": "/gids?situatie=we willen riolering vervangen en tegelijk vergroenen",
    "gids-situatie-onbekend": "/gids?situatie=qqqq zzzz",
    "gids-situatie-leeg": "/gids?situatie=",
    "gids-vraag": "/gids?situatie=aannemer zoeken voor de herinrichting",
    "gids-vraag-beantwoord": "/gids?situatie=aannemer zoeken&keuze=stap:voorbereiding-aanbesteding",
    "gids-knelpunten-en-rollen": "/gids?situatie=de nutsbedrijven op tijd aan boord voor de aanbesteding",
    "gids-stap-zonder-tools": "/gids?stap=visievorming",
    "gids-situatie-zonder-tools": "/gids?situatie=de aannemer is bezig en de straat ligt open",
    "aanpak-leeg": "/aanpak",
    "aanpak": "/aanpak?stap=richting-do&stap=voorbereiding-aanbesteding&tool=ambitieweb&rol=assetmanager"
              "&knelpunt=tactisch-gat&v=richting-do:1&notitie=Overleg met de netbeheerder",
    "zoeken-zin": "/zoeken?q=we willen riolering vervangen en tegelijk vergroenen",
    "zoeken-leeg": "/zoeken",
    "zoeken-resultaten": "/zoeken?q=participatie",
    "zoeken-geen-resultaten": "/zoeken?q=qqxyzzyqq",
    "zoeken-pagina-2": "/zoeken?q=gemeente&pagina=2",
    "casussen-per-stap": "/casussen?stap=opdrachtformulering",
    "knelpunten-per-stap": "/knelpunten?stap=opdrachtformulering",
    "knelpunten-per-dimensie": "/knelpunten?dimensie=a",
    "404": "/bestaat-niet",
    "over": "/over",
    "over-standaarden": "/over/standaarden",
    "sparql-limieten": "/sparql/limieten",
}


def _report(path: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe-overtreding(en) op {path}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(en)]")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())[:200]
            lines.append(f"    {target}  —  {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("path", list(AXE_PAGES.values()), ids=list(AXE_PAGES))
def test_axe_no_violations(page, axe, path):
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if path == "/bestaat-niet" else 200)
    violations = axe.run(page).response["violations"]
    assert not violations, _report(path, violations)


def test_axe_checklist_after_ticking_and_mobile_home(browser, live_server, axe):
    context = _context(browser, live_server, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto("/")
        violations = axe.run(page).response["violations"]
        assert not violations, _report("/ (375px)", violations)
        page.goto("/doc/checklist/opdrachtbrief")
        page.locator("#checklist input[type=checkbox]").first.check()
        sync_api.expect(page.locator("#voortgang")).to_contain_text("1 van")
        violations = axe.run(page).response["violations"]
        assert not violations, _report("/doc/checklist/opdrachtbrief (afgevinkt)", violations)
    finally:
        context.close()


def test_plan_ticks_update_its_link_and_the_guide_remembers_it(page):
    page.goto("/aanpak?stap=richting-do&tool=ambitieweb")
    box = page.locator('input[name="v"]').first
    box.check()
    page.wait_for_url(re.compile(r"v=richting-do%3A1"))
    sync_api.expect(page.locator("#plan-link")).to_have_value(re.compile(r"v=richting-do%3A1"))
    sync_api.expect(page.locator("#export-md")).to_have_attribute("href", re.compile(r"v=richting-do%3A1.*format=md"))
    page.locator("#notitie").fill("Overleg in mei")
    page.wait_for_url(re.compile(r"notitie=Overleg"))
    page.goto("/gids")
    resume = page.get_by_role("link", name="Verder met mijn aanpak")
    sync_api.expect(resume).to_be_visible()
    resume.click()
    page.wait_for_url(re.compile(r"/aanpak\?.*v=richting-do%3A1"))
    assert page.locator('input[name="v"]').first.is_checked()
    sync_api.expect(page.locator("#notitie")).to_have_value("Overleg in mei")
