"""Atomic file writes (shared by the build, the downloads, the editor and the accounts) and file hashes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write data to path so that a crash leaves the old file or the new one, never a mix.

    The temporary file lives next to the target (same file system), starts with a dot and
    ends in ``.tmp``, so neither the content loader (``*.ttl``) nor a directory listing
    picks it up. File and folder are synced before and after the rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # whatever the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def file_digest(data: bytes) -> bytes:
    """The hash a file counts with in the content version (toolbox.build.content_version)."""
    return hashlib.sha256(data).digest()
