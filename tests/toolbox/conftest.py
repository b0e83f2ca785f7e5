"""Fixtures shared by the tests of the save path (publish, refresh)."""

from __future__ import annotations

import pytest

from toolbox.build.pipeline import build
from toolbox.config import Settings


@pytest.fixture
def built(minimal_copy, tmp_path) -> Settings:
    """The minimal content in a writable copy, built (without OWL) into a private build folder."""
    settings = Settings.from_env(content_dir=minimal_copy, build_dir=tmp_path / "build", sparql_endpoint=None)
    build(settings, owl=False)
    return settings
