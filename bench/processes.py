"""The benchmark's processes: free loopback ports, a server started and watched (cold start, memory of it and
its workers), the environment for `toolbox`, and timed commands."""


import http.client
import itertools
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from .client import HOST
from .workload import Request

BIN = Path(sys.executable).parent


# --------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess we started, with its cold start and peak memory."""

    def __init__(self, name: str, cmd: list[str], env: dict, port: int, ready: list[Request], log: Path):
        self.name, self.cmd, self.env, self.port, self.ready, self.log = name, cmd, env, port, ready, log
        self.proc: subprocess.Popen | None = None
        self.cold_start_s: float | None = None
        self.ready_url: str | None = None

    def start(self, timeout: float = 900.0) -> float:
        """Start the process; seconds until the first successful (2xx) response."""
        handle = self.log.open("wb")
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        handle.close()
        candidates = itertools.cycle(self.ready)
        req = next(candidates)
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopte tijdens het starten (code {self.proc.returncode}); "
                                   f"zie {self.log}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", req.path, headers=req.headers)
                status = conn.getresponse().status
                conn.close()
            except OSError:
                time.sleep(0.02)
                continue
            if 200 <= status < 300:
                self.cold_start_s = round(time.perf_counter() - started, 3)
                self.ready_url = req.label
                return self.cold_start_s
            req = next(candidates)  # answered, but not 2xx: try the next readiness URL
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} antwoordde niet binnen {timeout} s")

    def peak_rss(self, with_children: bool = False) -> int | None:
        """Peak resident memory (bytes): VmHWM from /proc, else psutil's current RSS, of the process
        and its direct children (Granian runs the site in a child process). With children, of all
        its descendants too (the SPARQL workers). The peaks are added up: an upper bound, since
        they need not coincide."""
        if self.proc is None:
            return None
        pids = [self.proc.pid] + _descendants(self.proc.pid, None if with_children else 1)
        total = 0
        for pid in pids:
            peak = _vm_hwm(pid)
            if peak is None:
                try:
                    import psutil

                    peak = psutil.Process(pid).memory_info().rss
                except Exception:  # psutil missing or process gone
                    peak = None
            if peak is None and pid == self.proc.pid:
                return None
            total += peak or 0
        return total

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(15)


def proc_memory(pid: int, key: str = "VmHWM") -> int | None:
    """A memory line of /proc/{pid}/status in bytes (VmHWM: peak resident, VmRSS: resident now)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _vm_hwm(pid: int) -> int | None:
    return proc_memory(pid, "VmHWM")


def _descendants(pid: int, depth: int | None = None) -> list[int]:
    """Child processes down to `depth` generations (all with None), from /proc/{pid}/task/*/children."""
    out, todo = [], [(pid, 0)]
    while todo:
        current, level = todo.pop()
        if depth is not None and level >= depth:
            continue
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                kids = [int(x) for x in children.read_text().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += [(kid, level + 1) for kid in kids]
    return out


def toolbox_env(content: Path, build: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update(TOOLBOX_CONTENT=str(content), TOOLBOX_BUILD=str(build), TOOLBOX_INSTANCE=str(build / "instance"),
               PYTHONUNBUFFERED="1")
    return env


def run_command(cmd: list[str], env: dict | None, log: Path) -> float:
    started = time.perf_counter()
    with log.open("wb") as handle:
        result = subprocess.run(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(cmd[:3])} … faalde (code {result.returncode}):\n{tail}")
    return round(time.perf_counter() - started, 2)


