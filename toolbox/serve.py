"""`toolbox serve`: the site under waitress, a production WSGI server."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

from .config import Settings

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


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 5000, threads: int | None = None) -> int:
    """Many threads on purpose: a SPARQL request waiting for a query worker sleeps in its thread, and
    the endpoint leaves PAGE_THREADS of them to the pages (see toolbox.endpoint)."""
    from waitress import serve as waitress_serve

    limit_malloc_arenas()

    from webapp import create_app

    app = create_app(settings)
    print(f"Toolbox Openbare Ruimte draait op http://{host}:{port}/", file=sys.stderr)
    waitress_serve(app, host=host, port=port, threads=threads or settings.server_threads, ident="toolbox",
                   clear_untrusted_proxy_headers=True)
    return 0
