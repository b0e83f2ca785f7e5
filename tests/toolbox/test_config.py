"""Settings: what `toolbox serve` hands to its worker process comes back unchanged."""

from __future__ import annotations

import os
from pathlib import Path

from toolbox.config import Settings


def test_settings_survive_the_environment(monkeypatch):
    settings = Settings(base_uri="https://example.org/tb", content_dir=Path("/tmp/inhoud"),
                        build_dir=Path("/tmp/bouw"), instance_dir=Path("/tmp/instantie"),
                        sparql_endpoint="http://localhost:7878/query", query_timeout=2.5, result_limit=77,
                        max_query_length=999, query_workers=3, query_threads=5, query_queue_wait=1.5,
                        server_threads=12, secret_key="geheim", four_eyes=False)
    for name in list(os.environ):
        if name.startswith("TOOLBOX_"):
            monkeypatch.delenv(name)
    for name, value in settings.to_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == settings


def test_no_endpoint_and_no_key_stay_unset(monkeypatch):
    settings = Settings(sparql_endpoint=None, secret_key=None)
    for name, value in settings.to_env().items():
        monkeypatch.setenv(name, value)
    again = Settings.from_env()
    assert again.sparql_endpoint is None and again.secret_key is None
