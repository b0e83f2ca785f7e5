"""A form posted after its session expired, kept on the server until the editor is logged in again.

With JavaScript the browser keeps its own copy (webapp/static/js/bewaren.js). Without it, the posted
fields are all there is: they are kept here, under instance/pending/, named by the hash of a random
token that only the editor's browser holds (a cookie), for at most MAX_AGE seconds, and taken back
exactly once by the form page they were posted from. Nothing here is published or read by the build.

Unauthenticated requests write these files, so the store is bounded: at most MAX_FILES files and
MAX_BYTES per file; beyond that nothing is kept (the browser's own copy still works) and nothing fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from pathlib import Path

from toolbox.config import Settings
from toolbox.files import atomic_write

MAX_AGE = 2 * 3600
MAX_FILES = 200
MAX_BYTES = 512 * 1024


class PendingForms:
    def __init__(self, settings: Settings):
        self.folder = Path(settings.instance_dir) / "pending"

    def _path(self, token: str) -> Path:
        return self.folder / (hashlib.sha256(token.encode("utf-8")).hexdigest() + ".json")

    def _prune(self, now: float) -> list[Path]:
        """Drop kept forms older than MAX_AGE; the ones left."""
        left = []
        for path in self.folder.glob("*.json"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > MAX_AGE:
                    path.unlink(missing_ok=True)
                else:
                    left.append(path)
        return left

    def keep(self, fields: list[tuple[str, str]], path: str) -> str | None:
        """Keep the posted fields for the form page at `path`; the token for the browser, or None when
        the store is full or the form too large (then nothing is written)."""
        data = json.dumps({"path": path, "fields": fields}, ensure_ascii=False).encode("utf-8")
        if len(data) > MAX_BYTES:
            return None
        if len(self._prune(time.time())) >= MAX_FILES:
            return None
        token = secrets.token_urlsafe(32)
        try:
            atomic_write(self._path(token), data, mode=0o600)
        except OSError:
            return None
        return token

    def take(self, token: str | None, path: str) -> list[tuple[str, str]] | None:
        """The fields kept for the page at `path` under this token, once (the file is removed); None when
        there are none, they are too old, or they belong to another page."""
        if not token or len(token) > 100:
            return None
        file = self._path(token)
        try:
            if time.time() - file.stat().st_mtime > MAX_AGE:
                file.unlink(missing_ok=True)
                return None
            kept = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(kept, dict) or kept.get("path") != path:
            return None
        file.unlink(missing_ok=True)
        fields = kept.get("fields")
        if not isinstance(fields, list):
            return None
        return [(str(k), str(v)) for k, v in (f for f in fields if isinstance(f, list) and len(f) == 2)]
