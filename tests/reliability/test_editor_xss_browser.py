"""Item 3 in headless Chromium: a case saved with an XSS payload in every free-text field; on every
page that shows it no script runs, no dialog opens, the CSP reports nothing, and the payload is
visible as text."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import MINIMAL
from tests.webapp.browser_support import CHROMIUM, chromium, new_context
from toolbox.accounts.registry import AccountStore
from toolbox.config import Settings

from .support import FIGURES, real_server, server_env
from .test_editor_security import PASSWORD, SLUG, XSS, Client, case_data, csrf_of, xss_pages

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} ontbreekt: browsertests overgeslagen", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability-xss")
    shutil.copytree(MINIMAL, root / "content")
    AccountStore(Settings(instance_dir=root / "instance")).add("redacteur", "editor", PASSWORD)
    env = server_env(root / "content", root / "build", root / "instance", TOOLBOX_SECRET_KEY="xss")
    with real_server(env, root / "server.log") as (base, _):
        client = Client(base, "127.0.0.50")
        assert client.login()[0] == 303
        _, _, page = client.get("/beheer/casussen/nieuw")
        status, _, body = client.post("/beheer/casussen/nieuw", case_data(
            **XSS, csrf_token=csrf_of(page), versie="nieuw", actie="opslaan"))
        assert status == 303, body[:1000]
        yield base


def test_no_payload_runs_in_chromium_on_any_page(site):
    base = site
    with chromium(sync_api) as browser:
        context = new_context(browser, base, 20_000)
        page = context.new_page()
        dialogs, csp = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("/beheer/inloggen")
        page.fill("input[name=naam]", "redacteur")
        page.fill("input[name=wachtwoord]", PASSWORD)
        page.click("form.beheer-form button[type=submit]")
        page.wait_for_url(re.compile(r"/beheer/(\?.*)?$"))
        checked = 0
        for path in [*xss_pages(), f"/beheer/casussen/{SLUG}?melding=bewerkt", f"/doc/casus/{SLUG}?format=jsonld"]:
            page.goto(path)
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)  # onerror/onload handlers of injected elements would have fired
            assert page.evaluate("window.__xss === undefined"), path
            assert page.locator("script:not([src])").count() == 0 or path.endswith("jsonld"), path
            checked += 1
        page.goto(f"/doc/casus/{SLUG}")
        assert XSS["title"] in page.locator("h1").inner_text()  # shown as text
        assert "window.__xss=3" in page.inner_text("body")
        context.close()
    FIGURES.count("editor-xss-browser", "pagina's zonder script of dialoog", checked)
    FIGURES.note("editor-xss-browser", "dialogen", len(dialogs))
    FIGURES.note("editor-xss-browser", "CSP-meldingen", len(csp))
    assert dialogs == [], dialogs
    assert csp == [], csp
