"""A real `toolbox serve` (Granian) on a private copy of the minimal fixture, and editors that drive /beheer
over loopback HTTP, the way a browser does (login, CSRF token, version token, POST).

The server runs in its own process group, so `kill()` is a SIGKILL of the whole tree (Granian's main
process, the site worker and the SPARQL workers), like a power cut or the OOM killer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from tests.conftest import MINIMAL
from tests.webapp.sparql.test_server import free_port
from toolbox.accounts.registry import AccountStore
from toolbox.config import REPO_ROOT, Settings

from .support import results_path

PASSWORD = "betrouwbaar-wachtwoord-2026"
START_TIMEOUT = 180


def case_values(title: str, abstract: str) -> dict:
    """A valid case over the minimal fixture (every required field)."""
    return {
        "title": title,
        "municipality": ["gemeente/toetsstad"],
        "scale": "schaal/wijk",
        "theme": ["thema/klimaatadaptatie"],
        "abstract": abstract,
        "source": ["bron/toets"],
        "used_tool": ["tool/ambitieweb"],
        "start_year": "2021",
    }


class Site:
    """Content, build and instance folders of one test site, and its server process."""

    def __init__(self, root: Path, editors: int = 1, content: Path = MINIMAL, env: dict | None = None):
        self.root = Path(root)
        self.content = self.root / "content"
        if not self.content.exists():
            shutil.copytree(content, self.content)
        (self.content / "casussen").mkdir(exist_ok=True)
        self.build = self.root / "build"
        self.instance = self.root / "instance"
        self.settings = Settings(content_dir=self.content, build_dir=self.build, instance_dir=self.instance,
                                 sparql_endpoint=None, secret_key="betrouwbaarheid",
                                 save_wait=120.0,  # the tests read the pages a save changed
                                 four_eyes=False)  # an editor's save publishes at once
        self.env_extra = env or {}
        self.process: subprocess.Popen | None = None
        self.base = ""
        self.log = self.root / "serve.log"
        accounts = AccountStore(self.settings)
        self.editor_names = [f"redacteur-{chr(ord('a') + i)}" if i < 26 else f"redacteur-{i}" for i in range(editors)]
        known = {a.name for a in accounts.all()}
        for name in self.editor_names:
            if name not in known:
                accounts.add(name, "editor", PASSWORD)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
        env.update(self.settings.to_env())
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.env_extra)
        return env

    def start(self, timeout: float = START_TIMEOUT) -> float:
        """Start `toolbox serve`; seconds until the home page answers 200."""
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "toolbox.cli", "serve", "--port", str(port)], cwd=REPO_ROOT, env=self.env(),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server stopped (code {self.process.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(self.base + "/", timeout=5).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            if time.monotonic() - started > timeout:
                self.kill()
                raise RuntimeError(f"server did not answer within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the whole process tree at once."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(30)
        self._wait_group_gone(self.process.pid)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(20)
        self._wait_group_gone(self.process.pid)
        self.process = None

    @staticmethod
    def _wait_group_gone(pgid: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def case_file(self, slug: str) -> Path:
        return self.content / "casussen" / f"{slug}.ttl"

    def history_files(self, slug: str) -> list[Path]:
        return sorted((self.instance / "history" / slug).glob("*.ttl"))

    def validate(self, owl: bool = True) -> subprocess.CompletedProcess:
        """`toolbox validate` as a separate process, as an operator runs it after a crash."""
        return subprocess.run([sys.executable, "-m", "toolbox.cli", "validate"] + ([] if owl else ["--no-owl"]),
                              cwd=REPO_ROOT, env=self.env(), capture_output=True, text=True, timeout=300)


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


class Editor:
    """One editor's browser: a cookie jar, logged in to /beheer."""

    def __init__(self, site: Site, name: str):
        self.site, self.name = site, name
        self.http = requests.Session()

    def login(self) -> None:
        page = self.http.get(self.site.base + "/beheer/inloggen", timeout=30)
        response = self.http.post(self.site.base + "/beheer/inloggen", allow_redirects=False, timeout=30,
                                  data={"csrf_token": _field(page.text, "csrf_token"), "naam": self.name,
                                        "wachtwoord": PASSWORD})
        assert response.status_code == 303, response.text[:500]

    def open_form(self, slug: str | None) -> tuple[str, str]:
        """(csrf token, version token) of the form, as a browser gets them."""
        path = "/beheer/casussen/nieuw" if slug is None else f"/beheer/casussen/{slug}"
        page = self.http.get(self.site.base + path, timeout=60)
        assert page.status_code == 200, page.text[:500]
        return _field(page.text, "csrf_token"), _field(page.text, "versie")

    def post(self, slug: str | None, values: dict, csrf: str, version: str, timeout: float = 120):
        path = "/beheer/casussen/nieuw" if slug is None else f"/beheer/casussen/{slug}"
        data = dict(values, csrf_token=csrf, versie=version, actie="opslaan")
        return self.http.post(self.site.base + path, data=data, allow_redirects=False, timeout=timeout)

    def save(self, slug: str | None, values: dict, timeout: float = 120):
        csrf, version = self.open_form(slug)
        return self.post(slug, values, csrf, version, timeout=timeout)


def record_figures(section: str, figures: dict) -> None:
    """Add this test's figures to the JSON named by TOOLBOX_RELIABILITY_RESULTS (docs/reliability.md
    is written from that file); without the variable nothing is written."""
    path = results_path()
    if path is None:
        return
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data[section] = figures
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
