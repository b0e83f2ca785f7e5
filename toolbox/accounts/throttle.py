"""Login throttling: a rate limit per client address and a temporary lockout per login name that an
attacker cannot use to keep a real editor out.

* Per address: at most `login_max_per_ip` attempts per window (429 with Retry-After).
* Per name: `login_max_failures` failures (from any address) lock the name for
  `login_lockout_seconds`, so a password cannot be guessed from many addresses either.
* But an address from which this name logged in successfully before (the last KNOWN_PER_NAME,
  kept as hashes) is not held by a lockout that failures from *other* addresses caused: an
  attacker elsewhere cannot lock the editor out, not even by renewing the lockout forever. Its own
  failures still count: that address is locked after `login_max_failures` of them itself.
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
            locked_until = row.get("locked_until", 0)
            known = row.get("known", [])[-KNOWN_PER_NAME:]
            if failures or locked_until > now or known:
                names[name] = {"failures": failures, "locked_until": locked_until, "known": known}
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
        if row and row["locked_until"] > now:
            key = address_key(ip)
            own = [f for f in row["failures"] if f[1] == key]
            if key not in row["known"] or len(own) >= self.max_failures:
                return ThrottleVerdict(False, int(row["locked_until"] - now) + 1, "account")
        return ThrottleVerdict(True)

    def record(self, data: dict, name: str, ip: str, success: bool, now: float) -> bool:
        """Remember an attempt in data; True when this failure started a lockout."""
        data["ips"].setdefault(ip, []).append(now)
        key = address_key(ip)
        row = data["names"].setdefault(name, {"failures": [], "locked_until": 0, "known": []})
        if success:
            row["failures"], row["locked_until"] = [], 0
            row["known"] = [k for k in row["known"] if k != key][-(KNOWN_PER_NAME - 1):] + [key]
            return False
        row["failures"].append([now, key])
        if len(row["failures"]) >= self.max_failures and row["locked_until"] <= now:
            row["locked_until"] = now + self.lockout
            # Keep the failures: they tell which address caused the lockout (a known one locks itself).
            return True
        return False
