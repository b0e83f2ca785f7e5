"""`toolbox serve` on content that is not valid (issue 24): it starts on the last good build with a
warning instead of crash-looping; with no good build at all it says in one Dutch line what to fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request

import pytest

from tests.conftest import MINIMAL
from tests.webapp.browser_support import free_port, server_process, toolbox_command
from toolbox.build.pipeline import build
from toolbox.config import REPO_ROOT, Settings

pytestmark = pytest.mark.server


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update({"TOOLBOX_CONTENT": str(tmp_path / "content"), "TOOLBOX_BUILD": str(tmp_path / "build"),
                "TOOLBOX_INSTANCE": str(tmp_path / "instance"), "TOOLBOX_QUERY_WORKERS": "1",
                "TOOLBOX_SERVER_THREADS": "8", "PYTHONUNBUFFERED": "1"})
    return env


def _break(content) -> int:
    path = content / "casus.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if "tor:status" in line)
    lines[broken] = lines[broken].replace(" ;", " ;;; ]", 1)
    path.write_text("".join(lines), encoding="utf-8")
    return broken + 1


def test_invalid_content_starts_on_the_last_good_build_with_a_warning(tmp_path):
    shutil.copytree(MINIMAL, tmp_path / "content")
    build(Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build"), owl=False)
    line = _break(tmp_path / "content")
    log = tmp_path / "serve.log"
    with server_process(_env(tmp_path), log, ready_path="/health") as (base, _):
        with urllib.request.urlopen(base + "/health", timeout=10) as response:
            assert response.status == 200
            health = json.loads(response.read())
        assert health["status"] == "gedegradeerd"
        problems = health["controles"]["inhoud"]["problemen"]
        assert [(p["bestand"], p["regel"]) for p in problems] == [("content/casus.ttl", line)]
        with urllib.request.urlopen(base + "/doc/casus/toetswijk", timeout=10) as response:
            assert response.status == 200 and b"Toetswijk" in response.read()
    text = log.read_text(encoding="utf-8")
    assert "de site start met de laatste goede versie" in text and f"content/casus.ttl:{line}" in text
    assert "Traceback" not in text and "crash loop" not in text.lower()


def test_invalid_content_without_any_good_build_says_in_one_line_what_to_fix(tmp_path):
    shutil.copytree(MINIMAL, tmp_path / "content")
    line = _break(tmp_path / "content")
    done = subprocess.run([*toolbox_command(), "serve", "--host", "127.0.0.1", "--port", str(free_port())],
                          cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    out = (done.stdout + done.stderr).strip().splitlines()
    assert len(out) == 1, out
    assert out[0].startswith("De site start niet: de inhoud is niet geldig")
    assert f"content/casus.ttl:{line}" in out[0] and "Turtle-syntaxis" in out[0]


def test_the_content_cache_holds_every_published_file_soon_after_the_start(tmp_path):
    """So that a file damaged on disk keeps its last good version even before any editor has saved."""
    import time

    from toolbox.publishing.content_cache import ContentCache

    shutil.copytree(MINIMAL, tmp_path / "content")
    settings = Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build")
    build(settings, owl=False)
    assert not ContentCache.path(settings).exists()
    with server_process(_env(tmp_path), tmp_path / "serve.log", ready_path="/health"):
        deadline = time.monotonic() + 120
        while not ContentCache.path(settings).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        kept = ContentCache.kept(Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build"))
        assert len(kept._files) == len(list((tmp_path / "content").rglob("*.ttl")))
        assert all(entry.problem is None and entry.nt for entry in kept._files.values())
