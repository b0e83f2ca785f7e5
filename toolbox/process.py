"""Process-level settings shared by the web server and the SPARQL worker processes."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_ARENA_MAX = -8  # glibc mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives threads their own malloc arenas (up to 8 per core); with many server threads
    the freed memory stays spread over them and the resident size keeps growing. Two arenas
    keep it close to what is in use. No-op where glibc is absent."""
    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(name).mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        pass


def release_freed_memory() -> None:
    """Hand freed heap back to the system (glibc keeps it otherwise): the site calls this a while
    after it dropped a state, so a save does not leave the process larger. No-op without glibc."""
    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        pass
