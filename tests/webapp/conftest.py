"""Flask apps over the real content and over the minimal fixture (each built once per session)."""

from __future__ import annotations

import pytest

from webapp import create_app


@pytest.fixture(scope="session")
def app(real_settings):
    application = create_app(real_settings)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def minimal_app(minimal_settings, minimal_store):
    application = create_app(minimal_settings)
    application.config["TESTING"] = True
    return application
