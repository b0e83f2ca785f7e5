"""What keeps the anonymous reader forms honest without a session: a signed token and a rate limit.

The token is an HMAC of the page path and the time it was made, so a form in a cached page stays
valid for a long time (TOKEN_DAYS) and a form made elsewhere does not validate. The rate limit lives
in memory only: the address is never written to disk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from toolbox.files import atomic_write

TOKEN_DAYS = 90  # longer than a content version normally lives in the page cache


def signing_key(secret: str | None, instance_dir: Path) -> bytes:
    """The site's secret, or a random key kept once in the instance folder (the same after a restart)."""
    if secret:
        return hashlib.sha256(b"lezers:" + secret.encode("utf-8")).digest()
    path = Path(instance_dir) / "meldingen" / ".sleutel"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    atomic_write(path, key, mode=0o600)
    return key


class FormSigner:
    def __init__(self, key: bytes, days: int = TOKEN_DAYS):
        self.key, self.max_age = key, days * 86400

    def _mac(self, page: str, stamp: str) -> str:
        return hmac.new(self.key, f"{page}|{stamp}".encode(), hashlib.sha256).hexdigest()[:32]

    def make(self, page: str, now: float | None = None) -> str:
        stamp = str(int(time.time() if now is None else now))
        return f"{stamp}.{self._mac(page, stamp)}"

    def check(self, page: str, token: str | None, now: float | None = None) -> str | None:
        """None when the token is good for this page; else why not ('ongeldig' or 'verlopen')."""
        stamp, _, mac = (token or "").partition(".")
        if not stamp.isdigit() or len(stamp) > 12 or not hmac.compare_digest(mac, self._mac(page, stamp)):
            return "ongeldig"
        age = (time.time() if now is None else now) - int(stamp)
        if age > self.max_age or age < -300:
            return "verlopen"
        return None


class RateLimit:
    """At most `limit` hits per `window` seconds per key (an address), kept in memory only."""

    def __init__(self, limit: int, window: float, max_keys: int = 50_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> int:
        """Count one hit; 0 when allowed, else the seconds until the next one is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._forget_old(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, int(hits[0] + self.window - now + 0.999))
            hits.append(now)
            return 0

    def _forget_old(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:  # a flood of addresses: start over rather than grow
            self._hits.clear()
