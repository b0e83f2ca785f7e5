"""Flask test client over the real content (built once per session)."""

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
