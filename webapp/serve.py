"""`toolbox serve`: the site under Granian, a production HTTP server with a Rust network layer.

The web side of the command: toolbox.cli reaches it with a lazy import (docs/architecture.md).

Granian parses HTTP and keeps the connections in Rust and only calls into Python for the WSGI
application, so a request costs the site's single Python process about half the CPU that a
pure-Python server (waitress, measured with `bench/`) costs. The application runs in one
Granian worker process with a pool of threads.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

from toolbox.config import Settings
from toolbox.process import limit_malloc_arenas

# Connections Granian holds at once (its `backpressure`). Not the number of Python threads: a held
# keep-alive connection keeps its place, so with 64 places the 65th client waited until it gave up
# (found by bench/soak.py with 200 clients). Requests beyond the threads wait in Granian for a thread.
MAX_CONNECTIONS = 1024


def site_app():
    """The WSGI application, built inside the Granian worker from the environment `serve` set."""
    limit_malloc_arenas()
    from webapp import create_app

    settings = Settings.from_env()
    app = create_app(settings)
    if not settings.sparql_endpoint:
        threading.Thread(target=_keep_content_cache, args=(settings,), name="toolbox-content-cache",
                         daemon=True).start()
    return app


def _keep_content_cache(settings: Settings) -> None:
    """Right after the start, each content file's version as published now goes into the content cache
    (in a child, at low priority): from then on a file damaged on disk keeps its last good version,
    also before any editor has saved (toolbox/publishing/gate.py)."""
    from toolbox.publishing.publish import Unpublishable, live_publisher
    from toolbox.publishing.refresh import RefreshFailed, keep_content_cache

    try:
        keep_content_cache(settings)
    except RefreshFailed as why:  # says why (the child's exit and last lines), e.g. stopped with the site
        logging.getLogger(__name__).warning("Inhoudscache na het starten niet bijgewerkt: %s", why)
        return
    except Exception:  # the editor's warm-up tries again; a save without it stays safe (it keeps the site)
        logging.getLogger(__name__).exception("Inhoudscache na het starten niet bijgewerkt")
        return
    try:  # the live dataset the first save is published into (otherwise that save makes it)
        live_publisher(settings)
    except Unpublishable as why:
        logging.getLogger(__name__).info("Publicatie ter plekke nog niet klaar: %s", why)
    except Exception:
        logging.getLogger(__name__).exception("Publicatie ter plekke niet voorbereid")


def preflight(settings: Settings) -> bool:
    """Build (when the content changed) before the server starts, in a child process (the server
    keeps none of its memory). Invalid content with a last good build in build/: a warning, and the
    site serves that build. Without one: one Dutch line of what to fix, and no start (under Granian
    a worker that cannot start would be started again and again)."""
    from toolbox.build.pipeline import last_good

    if settings.sparql_endpoint:
        return True
    done = subprocess.run([sys.executable, "-m", "toolbox.cli", "build"], env=dict(os.environ),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if done.returncode != 1:  # built, or something else the worker will report (and repair) itself
        return True
    problems = [line for line in done.stdout.splitlines() if line.strip()]
    first = problems[0].split("\t") if problems else ["", "", "", "zie `toolbox validate`"]
    where, message = first[0], first[-1]
    if last_good(settings, []) is None:
        print(f"De site start niet: de inhoud is niet geldig en er is nog geen goede build om te tonen; "
              f"herstel {where} ({message}) en start opnieuw ({len(problems)} probleem/problemen, "
              "zie `toolbox validate`).", file=sys.stderr, flush=True)
        return False
    print(f"Let op: de inhoud is niet geldig ({len(problems)} probleem/problemen); de site start met de laatste "
          "goede versie. Zie /beheer of /health, of draai `toolbox validate`.", file=sys.stderr, flush=True)
    for line in problems[:20]:
        print("  " + line.replace("\t", "  "), file=sys.stderr, flush=True)
    return True


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 5000) -> int:
    """Many threads on purpose: a SPARQL request waiting for a query worker sleeps in its thread, and
    the endpoint leaves PAGE_THREADS of them to the pages (see toolbox.endpoint)."""
    from granian import Granian
    from granian.constants import Interfaces

    # Granian warns when the threads outnumber the cores; here most of them sleep (see above).
    logging.getLogger("_granian").addFilter(lambda record: "Python threads" not in record.getMessage())
    os.environ.update(settings.to_env())  # the worker process reads the same settings
    if not preflight(settings):
        return 1
    print(f"Toolbox Openbare Ruimte draait op http://{host}:{port}/", file=sys.stderr)
    server = Granian(
        "webapp.serve:site_app", factory=True, interface=Interfaces.WSGI, address=host, port=port,
        workers=1, blocking_threads=settings.server_threads, websockets=False,
        backpressure=max(MAX_CONNECTIONS, settings.server_threads), respawn_failed_workers=True,
    )
    server.serve()
    return 0
