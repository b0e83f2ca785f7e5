"""Login throttling for content editors: a rate limit per client address and a temporary lockout per login name.

Kept in ``settings.instance_dir/throttle.json`` (failed attempts per login name and per client
address), with the same locking as the other instance files (toolbox.accounts). The rules
themselves (and why an attacker cannot use them to lock a real editor out) are in toolbox.throttle.
"""

from __future__ import annotations

import time

from toolbox.accounts.registry import _InstanceFile, locked, normalise_name, read_json, setting, write_json
from toolbox.accounts.throttle import ThrottleRules, ThrottleVerdict

__all__ = ["LoginThrottle", "ThrottleVerdict"]


class LoginThrottle(_InstanceFile):
    """throttle.json under the instance lock; the rules are in toolbox.throttle."""

    FILE = "throttle.json"

    def _rules(self) -> ThrottleRules:
        get = lambda key: setting(self.settings, key)  # noqa: E731
        return ThrottleRules(get("login_max_failures"), get("login_lockout_seconds"), get("login_window_seconds"),
                             get("login_max_per_ip"))

    def check(self, name: str, ip: str) -> ThrottleVerdict:
        now = time.time()
        rules = self._rules()
        with locked(self.settings, "throttle"):
            data = rules.clean(read_json(self.path, {}), now)
        return rules.check(data, normalise_name(name)[:64], ip, now)

    def record(self, name: str, ip: str, success: bool) -> bool:
        """Remember an attempt; True when this failure started a lockout."""
        now = time.time()
        rules = self._rules()
        with locked(self.settings, "throttle"):
            data = rules.clean(read_json(self.path, {}), now)
            started_lockout = rules.record(data, normalise_name(name)[:64], ip, success, now)
            write_json(self.path, data)
        return started_lockout
