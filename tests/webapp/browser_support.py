"""What the browser tests share: Chromium and axe settings, and the real server as a context manager."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from toolbox.config import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Prefer the project's own axe-core (node_modules); fall back to the copy bundled with axe-playwright-python.
AXE_JS = REPO_ROOT / "node_modules/axe-core/axe.min.js"
START_TIMEOUT = 180  # a first start validates, builds the graph and the search index


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toolbox_command() -> list[str]:
    script = Path(sys.executable).parent / "toolbox"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "toolbox.cli"]


@contextmanager
def server_process(env: dict, log_path: Path, ready_path: str = "/"):
    """`toolbox serve` (Granian) on a free loopback port until the block ends; yields (base URL, process)."""
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen([*toolbox_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"toolbox serve stopte met code {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(base + ready_path, timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"toolbox serve antwoordde niet binnen {START_TIMEOUT} s:\n"
                                f"{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@contextmanager
def running_server(env: dict, log_path: Path):
    """`toolbox serve` (Granian) on a free loopback port until the block ends; yields its base URL."""
    with server_process(env, log_path) as (base, _):
        yield base


@contextmanager
def real_site(root: Path):
    """The real content under `toolbox serve`, building into root/build (a private directory)."""
    (root / "build").mkdir()
    (root / "instance").mkdir()
    env = dict(os.environ, TOOLBOX_BUILD=str(root / "build"), TOOLBOX_INSTANCE=str(root / "instance"),
               TOOLBOX_CONTENT=str(REPO_ROOT / "content"), TOOLBOX_SPARQL_ENDPOINT="")
    with running_server(env, root / "server.log") as base:
        yield base


@contextmanager
def editor_site(root: Path, accounts: tuple[str, ...], password: str, **env_overrides: str):
    """`toolbox serve` on a private copy of content/, built first (without the OWL reasoner, which CI runs
    apart), with these editor accounts (made with `toolbox user add`); yields {"base", "root"}."""
    shutil.copytree(REPO_ROOT / "content", root / "content")
    env = {k: v for k, v in os.environ.items() if k != "TOOLBOX_FOUR_EYES"}  # the deployment default
    env.update(TOOLBOX_CONTENT=str(root / "content"), TOOLBOX_BUILD=str(root / "build"),
               TOOLBOX_INSTANCE=str(root / "instance"), TOOLBOX_SECRET_KEY="browser-test-sleutel",
               TOOLBOX_SPARQL_ENDPOINT="", TOOLBOX_SAVE_WAIT="120")
    env.update(env_overrides)
    subprocess.run([*toolbox_command(), "build", "--no-owl"], env=env, cwd=REPO_ROOT, check=True,
                   capture_output=True, timeout=300)
    for name in accounts:
        done = subprocess.run([*toolbox_command(), "user", "add", name, "--role", "editor"], input=password + "\n",
                              env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    with running_server(env, root / "server.log") as base:
        yield {"base": base, "root": root}


def fill_login(page, name: str, password: str) -> None:
    """On the login page of /beheer: name, password, submit."""
    page.get_by_label("Accountnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def log_in(page, name: str, password: str) -> None:
    """Log this page in as an editor of /beheer, and wait for the overview."""
    page.goto("/beheer/")
    fill_login(page, name, password)
    page.wait_for_url("**/beheer/")


def assert_axe_clean(axe, page, where: str, options: dict | None = None) -> None:
    """axe-core finds no violations on the page as it is now; the message names each rule and its nodes."""
    violations = (axe.run(page, options=options) if options else axe.run(page)).response["violations"]
    assert not violations, where + ": " + "; ".join(
        f"{v['id']}: {v['help']} ({', '.join(' '.join(map(str, n['target'])) for n in v['nodes'][:5])})"
        for v in violations)


@contextmanager
def chromium(sync_api):
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def load_axe(axe_sync):
    return axe_sync.Axe.from_file(AXE_JS) if AXE_JS.exists() else axe_sync.Axe()


def new_context(browser, base_url: str, timeout_ms: int, **kwargs):
    context = browser.new_context(base_url=base_url, locale="nl-NL", **kwargs)
    context.set_default_timeout(timeout_ms)
    return context
