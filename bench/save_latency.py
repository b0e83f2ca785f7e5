"""Save -> public page: how long after an editor presses save the public case page shows the change.

    .venv/bin/python -m bench.save_latency --saves 15       # 1x content, a private copy, a real server
    .venv/bin/python -m bench.save_latency --saves 10 --content /tmp/content-100x --build /tmp/build-100x \
        --warm-up 60                                        # 100x, build/ made before (see --build)

Copies content/ into a temporary folder, builds it (no OWL), starts `toolbox serve` on a free port,
logs in as an editor (bench/soak.py's session over http.client), saves the case once, waits for the
editor's warm-up of the content cache (as on a site that has run a while), saves once more and waits
for that (the first save after a start makes the site's live dataset), then edits it --saves times:
each figure runs from the start of the POST until GET /doc/casus/{slug} holds the new text.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.processes import free_port
from bench.soak import EDITOR, PASSWORD, SOAK_CASE, Editor
from toolbox.accounts.registry import AccountStore
from toolbox.config import REPO_ROOT, Settings


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read()


def _until_shown(port: int, n: int) -> None:
    """Until the public page shows version n (a new case's page is a 404 until its first publication)."""
    while True:
        try:
            if f"Versie {n}.".encode() in _get(port, f"/doc/casus/{SOAK_CASE}"):
                return
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
        time.sleep(0.02)


def measure(saves: int, warm_up: float = 20.0, content: Path | None = None, built: Path | None = None,
            log_copy: Path | None = None) -> list[float]:
    root = Path(tempfile.mkdtemp(prefix="toolbox-save-latency-"))
    proc = None
    try:
        if built is not None:  # a build of this content made earlier (at 100x SHACL alone takes minutes): both
            content_dir, build_dir = content, built  # are used in place, as `toolbox build` left them
        else:
            content_dir, build_dir = root / "content", root / "build"
            shutil.copytree(content or REPO_ROOT / "content", content_dir)
        settings = Settings(content_dir=content_dir, build_dir=build_dir, instance_dir=root / "instance",
                            four_eyes=False)  # a save publishes at once: that is what is timed
        AccountStore(settings).add(EDITOR, "editor", PASSWORD)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
        env.update(settings.to_env())
        if built is None:
            subprocess.run([sys.executable, "-m", "toolbox.cli", "build", "--no-owl"], env=env, check=True,
                           capture_output=True)
        port = free_port()
        with open(root / "serve.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "toolbox.cli", "serve", "--port", str(port)], env=env,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 300
        while True:
            try:
                _get(port, "/")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("toolbox serve kwam niet op") from None
                time.sleep(0.2)
        editor = Editor(port)
        assert editor.login() == 303
        exists = editor._request("GET", f"/beheer/casussen/{SOAK_CASE}")[0] == 200  # a content used before
        assert editor.save(0, new=not exists) == 303
        time.sleep(warm_up)
        assert editor.save(10_000, new=False) == 303
        _until_shown(port, 10_000)
        seconds = []
        for n in range(1, saves + 1):
            started = time.monotonic()
            assert editor.save(n, new=False) == 303
            _until_shown(port, n)
            seconds.append(round(time.monotonic() - started, 3))
            time.sleep(1)
        return seconds
    finally:
        if proc is not None:
            os.killpg(proc.pid, 15)
            proc.wait(30)
        if log_copy is not None and (root / "serve.log").exists():
            shutil.copy(root / "serve.log", log_copy)
        shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.save_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--content", type=Path, help="inhoudsmap (standaard content/; 100x: bench.generate)")
    parser.add_argument("--warm-up", type=float, default=20.0, help="seconden na de eerste opslag")
    parser.add_argument("--build", type=Path, help="build/ van --content, eerder gemaakt met `toolbox build`; "
                        "beide worden ter plekke gebruikt (de opslagen wijzigen die inhoud)")
    parser.add_argument("--log", type=Path, help="bewaar het log van de server hier")
    args = parser.parse_args(argv)
    seconds = measure(args.saves, args.warm_up, args.content, args.build, args.log)
    print(" ".join(f"{s:.2f}" for s in seconds))
    print(f"mediaan {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s "
          f"({len(seconds)} opslagen, belasting {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
