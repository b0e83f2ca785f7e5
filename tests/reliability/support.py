"""What the reliability suite shares: the real server (`toolbox serve`, Granian) on loopback, raw
HTTP for bytes that `requests` will not send, and the figures the suite records for docs/reliability.md.

The figures of a run go to the JSON file named by TOOLBOX_RELIABILITY_RESULTS (only when it is
set); `python -m tests.reliability.report` runs the suite with it set and renders the tables.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from tests.webapp.browser_support import server_process
from tests.webapp.sparql.test_server import _children

RESULTS_ENV = "TOOLBOX_RELIABILITY_RESULTS"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "werkzeug.exceptions", "jinja2.exceptions")


class Figures:
    """Counts per category and outcome, kept for the whole session and written once at its end."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.notes: dict[str, dict] = defaultdict(dict)

    def count(self, category: str, outcome: str, n: int = 1) -> None:
        with self._lock:
            self.counts[category][outcome] += n

    def note(self, category: str, key: str, value) -> None:
        with self._lock:
            self.notes[category][key] = value

    def write(self, path: Path) -> None:
        """Merge into the file: categories of this run replace those of an earlier run, others stay."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        data.setdefault("categories", {})  # the fault tests may have written their sections first
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        for category in sorted(set(self.counts) | set(self.notes)):
            data["categories"][category] = {"date": stamp, "outcomes": dict(sorted(self.counts[category].items())),
                                            "total": sum(self.counts[category].values()),
                                            **({"notes": self.notes[category]} if self.notes[category] else {})}
        data["date"] = stamp
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


FIGURES = Figures()


def server_env(content_dir: Path, build_dir: Path, instance_dir: Path, **overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update({"TOOLBOX_CONTENT": str(content_dir), "TOOLBOX_BUILD": str(build_dir),
                "TOOLBOX_INSTANCE": str(instance_dir), "PYTHONUNBUFFERED": "1",
                "TOOLBOX_FOUR_EYES": "0"})  # these tests save and publish at once (four eyes: tests/webapp/beheer)
    env.update(overrides)
    return env


def real_server(env: dict, log_path: Path):
    """`toolbox serve` on a free loopback port until the block ends; yields (base URL, process)."""
    return server_process(env, log_path, ready_path="/over")


def raw_request(base: str, method: str, target: bytes, headers: dict[str, str] | None = None,
                body: bytes = b"", timeout: float = 30, source: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request with the request target sent byte for byte (invalid UTF-8, %zz, NUL …)."""
    host, port = base.removeprefix("http://").split(":")
    lines = [method.encode() + b" " + target + b" HTTP/1.1", f"Host: {host}:{port}".encode(), b"Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}".encode("latin-1"))
    if body:
        lines.append(f"Content-Length: {len(body)}".encode())
    data = b"\r\n".join(lines) + b"\r\n\r\n" + body
    # source: another loopback address (127.0.0.x) plays another client for the per-address limits.
    with socket.create_connection((host, int(port)), timeout=timeout,
                                  source_address=(source, 0) if source else None) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, rest = answer.partition(b"\r\n\r\n")
    if not head:
        return 0, {}, b""
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        parsed[key] = parsed[key] + "\n" + value.strip() if key == "set-cookie" and key in parsed else value.strip()
    return int(status_line.split()[1]), parsed, _dechunk(rest) if parsed.get("transfer-encoding") == "chunked" else rest


def _dechunk(data: bytes) -> bytes:
    out, pos = [], 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break
        size = int(data[pos:end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(data[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return b"".join(out)


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (the server and its SPARQL workers)."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def results_path() -> Path | None:
    value = os.environ.get(RESULTS_ENV)
    return Path(value) if value else None
