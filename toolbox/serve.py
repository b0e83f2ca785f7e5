"""`toolbox serve`: the site under waitress, a production WSGI server."""

from __future__ import annotations

import sys

from .config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 5000, threads: int | None = None) -> int:
    """Many threads on purpose: a SPARQL request waiting for a query worker sleeps in its thread, and
    the endpoint leaves PAGE_THREADS of them to the pages (see toolbox.endpoint)."""
    from waitress import serve as waitress_serve

    from webapp import create_app

    app = create_app(settings)
    print(f"Toolbox Openbare Ruimte draait op http://{host}:{port}/", file=sys.stderr)
    waitress_serve(app, host=host, port=port, threads=threads or settings.server_threads, ident="toolbox",
                   clear_untrusted_proxy_headers=True)
    return 0
