"""Login throttling: a rate limit per client address and a temporary lockout of the guessing address
per login name, which an attacker cannot turn against a real editor.

* Per address: at most `login_max_per_ip` attempts per window (429 with Retry-After), whatever names.
* Per name and address: `login_max_failures` failures for a name from one address lock that name
  for that address for `login_lockout_seconds`. The lockout applies to the guessing address only:
  an editor who knows the password gets in from any other address, a new one included (home, a
  phone network), however often an attacker renews the lockout elsewhere (issue 24: five wrong
  passwords every 15 minutes kept the editor out of every address the site had not seen).
  Guessing from many addresses is bounded by both limits per address, and by argon2 and the
  password policy (toolbox.accounts.registry).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

KNOWN_PER_NAME = 10


@dataclass
class ThrottleVerdict:
    allowed: bool
    retry_after: int = 0
    reason: str = ""  # "ip" or "account"


def address_key(ip: str) -> str:
    return hashlib.sha256(("toolbox-login:" + ip).encode()).hexdigest()[:16]


class ThrottleRules:
    """The decisions on the throttle data, apart from where it is stored (see accounts.LoginThrottle)."""

    def __init__(self, max_failures: int, lockout: float, window: float, max_per_ip: int):
        self.max_failures, self.lockout, self.window, self.max_per_ip = max_failures, lockout, window, max_per_ip

    def clean(self, data: dict, now: float) -> dict:
        names = {}
        for name, row in data.get("names", {}).items():
            failures = [f if isinstance(f, list) else [f, ""] for f in row.get("failures", [])]
            failures = [f for f in failures if now - f[0] < self.window]
            locks = {k: until for k, until in row.get("locks", {}).items() if until > now}
            known = row.get("known", [])[-KNOWN_PER_NAME:]
            if failures or locks or known:
                names[name] = {"failures": failures, "locks": locks, "known": known}
        ips = {}
        for ip, attempts in data.get("ips", {}).items():
            recent = [t for t in attempts if now - t < max(self.window, self.lockout)]
            if recent:
                ips[ip] = recent
        return {"names": names, "ips": ips}

    def check(self, data: dict, name: str, ip: str, now: float) -> ThrottleVerdict:
        attempts = data["ips"].get(ip, [])
        if len(attempts) >= self.max_per_ip:
            return ThrottleVerdict(False, int(self.window - (now - min(attempts))) + 1, "ip")
        row = data["names"].get(name)
        until = row["locks"].get(address_key(ip), 0) if row else 0
        if until > now:
            return ThrottleVerdict(False, int(until - now) + 1, "account")
        return ThrottleVerdict(True)

    def record(self, data: dict, name: str, ip: str, success: bool, now: float) -> bool:
        """Remember an attempt in data; True when this failure started a lockout (of this address)."""
        data["ips"].setdefault(ip, []).append(now)
        key = address_key(ip)
        row = data["names"].setdefault(name, {"failures": [], "locks": {}, "known": []})
        if success:
            row["failures"] = [f for f in row["failures"] if f[1] != key]
            row["locks"].pop(key, None)
            row["known"] = [k for k in row["known"] if k != key][-(KNOWN_PER_NAME - 1):] + [key]
            return False
        row["failures"].append([now, key])
        own = [f for f in row["failures"] if f[1] == key]
        if len(own) >= self.max_failures and row["locks"].get(key, 0) <= now:
            row["locks"][key] = now + self.lockout
            return True
        return False
