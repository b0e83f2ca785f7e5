"""`toolbox serve`: the site under waitress, a production WSGI server."""

from __future__ import annotations

import sys

from .config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 5000, threads: int = 8) -> int:
    from waitress import serve as waitress_serve

    from webapp import create_app

    app = create_app(settings)
    print(f"Toolbox Openbare Ruimte draait op http://{host}:{port}/", file=sys.stderr)
    waitress_serve(app, host=host, port=port, threads=threads, ident="toolbox", clear_untrusted_proxy_headers=True)
    return 0
