"""Process-level settings shared by the web server, the SPARQL workers and the refresh child."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

# rdflib's SPARQL parser (pyparsing) keeps state in its grammar objects: two threads parsing at once break
# each other ("<lambda>() missing 1 required positional argument"), and pyshacl parses the queries of the
# shapes' SPARQL constraints on every run. Every use in a process holds this one lock: the endpoint's
# standard-SPARQL check, the editor's check of a case, and the full and standards validations.
RDFLIB_SPARQL = threading.Lock()

M_ARENA_MAX = -8  # glibc mallopt parameter
PR_SET_PDEATHSIG = 1  # Linux prctl option


def _libc():
    """glibc through ctypes, or None where it is absent (the callers then do nothing)."""
    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def _call_libc(function: str, *args) -> None:
    libc = _libc()
    if libc is None:
        return
    try:
        getattr(libc, function)(*args)
    except AttributeError:
        pass


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives threads their own malloc arenas (up to 8 per core); with many server threads
    the freed memory stays spread over them and the resident size keeps growing. Two arenas
    keep it close to what is in use. No-op where glibc is absent."""
    _call_libc("mallopt", M_ARENA_MAX, arenas)


def release_freed_memory() -> None:
    """Hand freed heap back to the system (glibc keeps it otherwise): the site calls this a while
    after it dropped a state, so a save does not leave the process larger. No-op without glibc."""
    _call_libc("malloc_trim", 0)


def die_with_parent(parent: int) -> None:
    """Stop when the parent stops, also when it is killed (a child of the site must not write on
    into build/ after it); and exit at once if the parent is gone already."""
    _call_libc("prctl", PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit("de site is gestopt")
