"""Login throttling for content editors: a rate limit per client address and a temporary lockout per login name.

Kept in ``settings.instance_dir/throttle.json`` (failed attempts per login name and per client
address), with the same locking as the other instance files (toolbox.accounts).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .accounts import _InstanceFile, locked, normalise_name, read_json, setting, write_json


@dataclass
class ThrottleVerdict:
    allowed: bool
    retry_after: int = 0
    reason: str = ""  # "ip" or "account"


class LoginThrottle(_InstanceFile):
    FILE = "throttle.json"

    def _load(self, now: float) -> dict:
        data = read_json(self.path, {})
        window = setting(self.settings, "login_window_seconds")
        lockout = setting(self.settings, "login_lockout_seconds")
        names = {}
        for name, row in data.get("names", {}).items():
            failures = [t for t in row.get("failures", []) if now - t < window]
            locked_until = row.get("locked_until", 0)
            if failures or locked_until > now:
                names[name] = {"failures": failures, "locked_until": locked_until}
        ips = {}
        for ip, attempts in data.get("ips", {}).items():
            recent = [t for t in attempts if now - t < max(window, lockout)]
            if recent:
                ips[ip] = recent
        return {"names": names, "ips": ips}

    def check(self, name: str, ip: str) -> ThrottleVerdict:
        now = time.time()
        with locked(self.settings, "throttle"):
            data = self._load(now)
        window = setting(self.settings, "login_window_seconds")
        attempts = data["ips"].get(ip, [])
        if len(attempts) >= setting(self.settings, "login_max_per_ip"):
            return ThrottleVerdict(False, int(window - (now - min(attempts))) + 1, "ip")
        row = data["names"].get(normalise_name(name))
        if row and row["locked_until"] > now:
            return ThrottleVerdict(False, int(row["locked_until"] - now) + 1, "account")
        return ThrottleVerdict(True)

    def record(self, name: str, ip: str, success: bool) -> bool:
        """Remember an attempt; True when this failure started a lockout."""
        now = time.time()
        name = normalise_name(name)[:64]
        started_lockout = False
        with locked(self.settings, "throttle"):
            data = self._load(now)
            data["ips"].setdefault(ip, []).append(now)
            if success:
                data["names"].pop(name, None)
            else:
                row = data["names"].setdefault(name, {"failures": [], "locked_until": 0})
                row["failures"].append(now)
                if len(row["failures"]) >= setting(self.settings, "login_max_failures"):
                    row["locked_until"] = now + setting(self.settings, "login_lockout_seconds")
                    row["failures"] = []
                    started_lockout = True
            write_json(self.path, data)
        return started_lockout


