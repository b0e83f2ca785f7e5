"""Every page type at 320, 375 and 1280 px in headless Chromium against the real server: no page wider
than the screen, no text running out of its box, no target under WCAG 2.2's minimum (2.5.8), and
axe-core (WCAG 2.1 and 2.2, A and AA) without violations.

The measuring script is in layout_checks.py. Run apart:
`.venv/bin/pytest -q -m browser tests/webapp/pages/test_layout.py`.
"""

from __future__ import annotations

import pytest

from tests.webapp.browser_support import CHROMIUM, chromium, load_axe, new_context, real_site
from tests.webapp.pages.layout_checks import AXE_OPTIONS, LAYOUT_JS

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 20_000
WIDTHS = (320, 375, 1280)
# One page per type, and where a type has them, the pages with the longest names and links.
PAGES = {
    "home": "/",
    "over": "/over",
    "gids": "/gids",
    "gids-niveau": "/gids?niveau=uitvoering",
    "gids-stap": "/gids?stap=opdrachtformulering",
    "gids-knelpunt": "/gids?knelpunt=tactisch-gat",
    "gids-situatie": "/gids?situatie=we willen riolering vervangen en tegelijk vergroenen",
    "tools": "/tools",
    "tools-gefilterd": "/tools?categorie=afwegen-op-criteria&niveau=uitvoering",
    "tools-niets": "/tools?categorie=afwegen-op-criteria&categorie=gesprekstool-transitieopgaven&niveau=strategisch",
    "waaier": "/samenwerkingswaaier",
    "knelpunten": "/knelpunten",
    "casussen": "/casussen",
    "casussen-gefilterd": "/casussen?thema=klimaatadaptatie",
    "zoeken": "/zoeken?q=ambitieweb",
    "zoeken-zin": "/zoeken?q=we willen riolering vervangen en tegelijk vergroenen",
    "niveau": "/doc/niveau/uitvoering",
    "stap": "/doc/stap/opdrachtformulering",
    "stap-lang": "/doc/stap/voorbereiding-aanbesteding",
    "tool": "/doc/tool/veiligheidseffectrapportage",
    "tool-links": "/doc/tool/omgevingswijzer",
    "tool-samen-slim": "/doc/tool/samen-slim",
    "toolcategorie": "/doc/toolcategorie/gesprekstool-transitieopgaven",
    "hulpmiddel": "/doc/hulpmiddel/inspiratiedocument-datagedreven-integraal-werken",
    "checklist": "/doc/checklist/opdrachtbrief",
    "checklist-print": "/doc/checklist/opdrachtbrief?weergave=print&v=1&v=3",
    "rol": "/doc/rol/duurzaamheidsmanager",
    "competentie": "/doc/competentie/verbindend-schakelen-met-inhoud",
    "randvoorwaarde": "/doc/randvoorwaarde/organiseren-en-besluiten",
    "organisatietype": "/doc/organisatietype/maatschappelijke-organisatie",
    "notitie": "/doc/notitie/goed-samenwerken-is-randvoorwaarde",
    "knelpunt": "/doc/knelpunt/sturingsinstrumenten-onvoldoende-voorbereid",
    "dimensie": "/doc/dimensie/a",
    "projecttype": "/doc/projecttype/ontwikkeling-gestuurd",
    "casus": "/doc/casus/verbreed-programmeren-openbare-ruimte-amersfoort",
    "thema": "/doc/thema/vervanging-ondergrondse-infrastructuur",
    "gemeente": "/doc/gemeente/zoetermeer",
    "cluster": "/doc/cluster/c",
    "ontwikkelteam": "/doc/ontwikkelteam/ot1",
    "ontologie": "/def/tor",
    "sparql": "/sparql",
    "downloads": "/data/",
    "beheer-inloggen": "/beheer/inloggen",
    "wijzigingen": "/wijzigingen",
    "melden": "/melden?pagina=/doc/casus/laakhavens",
    "404": "/bestaat-niet",
}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real site under Granian (`toolbox serve`), building into a private directory."""
    with real_site(tmp_path_factory.mktemp("layout-server")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as instance:
        yield instance


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, live_server):
    width = request.param
    mobile = width < 1000
    context = new_context(browser, live_server, TIMEOUT_MS, viewport={"width": width, "height": 800},
                          is_mobile=mobile, has_touch=mobile)
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()


@pytest.fixture(scope="module")
def axe():
    return load_axe(axe_sync)


def _problems(found: dict) -> list[str]:
    out = []
    if found["scroll"] > found["width"] + 1:
        out.append(f"pagina {found['scroll']}px breed op een scherm van {found['width']}px")
    out += [f"tekst afgesneden: {c}" for c in found["cut"]]
    out += [f"doel te klein: {s}" for s in found["small"]]
    return out


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_layout_holds(page, axe, path):
    page.errors.clear()
    response = page.goto(path)
    assert response is not None and response.status == (404 if path == "/bestaat-niet" else 200)
    problems = _problems(page.evaluate(LAYOUT_JS))
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    problems += [f"axe {v['id']}: {v['help']} — " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
                 for v in violations]
    errors = [e for e in page.errors if "404" not in e or path != "/bestaat-niet"]
    problems += [f"console: {e}" for e in errors]
    assert not problems, f"{path} op {page.viewport_size['width']}px:\n" + "\n".join(problems[:25])


def test_every_stylesheet_rule_reaches_the_browser(page):
    """The stylesheet build writes CSS the browser parses whole: a rule it drops would drop the rest."""
    from webapp import stylesheet

    page.goto("/")
    parsed = page.evaluate("document.styleSheets[0].cssRules.length")
    assert parsed == len(stylesheet.parse(stylesheet.build()))
