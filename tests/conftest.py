"""Shared fixtures: settings over the minimal fixture or the real content, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolbox.config import REPO_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal"


@pytest.fixture(autouse=True)
def sparql_follows_at_once(monkeypatch):
    """In the site a new SPARQL version loads at most every FOLLOW_EVERY seconds while saves come in;
    tests that save twice would wait that long. The pause itself is tested in tests/toolbox/sparql."""
    from toolbox.sparql import endpoint

    monkeypatch.setattr(endpoint, "FOLLOW_EVERY", 0.0)


@pytest.fixture
def minimal_copy(tmp_path) -> Path:
    """A writable copy of the minimal valid content."""
    target = tmp_path / "content"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    """The real content, built into a private build directory."""
    build_dir = tmp_path_factory.mktemp("build")
    return Settings.from_env(content_dir=REPO_ROOT / "content", build_dir=build_dir, sparql_endpoint=None)


@pytest.fixture(scope="session")
def real_store(real_settings):
    from toolbox.build.built import open_store

    return open_store(real_settings)


@pytest.fixture(scope="session")
def minimal_settings(tmp_path_factory) -> Settings:
    build_dir = tmp_path_factory.mktemp("build-minimal")
    return Settings.from_env(content_dir=MINIMAL, build_dir=build_dir, sparql_endpoint=None)


@pytest.fixture(scope="session")
def minimal_store(minimal_settings):
    from toolbox.build.built import open_store

    return open_store(minimal_settings)
