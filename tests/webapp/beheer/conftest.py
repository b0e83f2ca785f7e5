"""Fixtures shared by the browser tests of /beheer: one Chromium and one axe-core per test module."""

from __future__ import annotations

import pytest

from tests.webapp.browser_support import chromium, load_axe


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with chromium(sync_api) as instance:
        yield instance


@pytest.fixture(scope="module")
def axe():
    return load_axe(pytest.importorskip("axe_playwright_python.sync_playwright"))
