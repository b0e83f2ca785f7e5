"""The reliability suite: marked `reliability` (and `server`), figures written at the end of the session."""

from __future__ import annotations

import pytest

from .support import FIGURES, results_path


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.reliability)
            item.add_marker(pytest.mark.server)


def pytest_sessionfinish(session, exitstatus):
    path = results_path()
    if path is not None and (FIGURES.counts or FIGURES.notes):
        FIGURES.write(path)
