"""`GET /health`: whether the site can serve, for a load balancer and for monitoring (JSON).

One function per check, each returning a dict with at least `status` ("ok", "gedegradeerd" or
"fout"); `CHECKS` lists them, so another check (an external store, say) is one function and one
line. The answer is 200 while the site serves (also when it serves the last good version of
content that is not valid now: "gedegradeerd"), 503 when it cannot. Never secrets: no settings,
paths outside content/, accounts or addresses.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify

from toolbox.graph.store import RemoteStore, StoreError
from toolbox.sparql.endpoint import endpoint_status

bp = Blueprint("health", __name__)

MAX_LISTED = 50  # problems listed in the answer; the count is always complete
ORDER = {"ok": 0, "gedegradeerd": 1, "fout": 2}


def check_content(app) -> dict:
    """Content files whose current version is not published (the site shows their last good version)."""
    problems = app.extensions["toolbox"].problems
    return {"status": "gedegradeerd" if problems else "ok", "aantal_problemen": len(problems),
            "problemen": [{"bestand": p.file, "regel": p.line, "melding": p.message} for p in problems[:MAX_LISTED]]}


def check_build(app) -> dict:
    """The content version the site serves and when it was built."""
    site = app.extensions["toolbox"]
    manifest = site.manifest
    return {"status": "ok", "versie": site.version, "gebouwd": manifest.get("built"),
            "triples": manifest.get("triples")}


def check_sparql(app) -> dict:
    """The SPARQL workers (started on the first query)."""
    return endpoint_status(app.config["TOOLBOX"])


def check_store(app) -> dict:
    """The external SPARQL store, when there is one: a trivial query within two seconds. Pages still come
    from the site's own copy when it is down, but researchers' queries fail: "gedegradeerd"."""
    settings = app.config["TOOLBOX"]
    if not settings.sparql_endpoint:
        return {"status": "ok", "soort": "ingebouwd"}
    started = time.monotonic()
    try:
        RemoteStore(settings, settings.sparql_endpoint, timeout=2).ask("ASK {}")
    except StoreError:
        return {"status": "gedegradeerd", "soort": "extern", "melding": "de externe SPARQL-store antwoordt niet"}
    return {"status": "ok", "soort": "extern", "seconden": round(time.monotonic() - started, 3)}


CHECKS: dict[str, Callable] = {"inhoud": check_content, "build": check_build, "sparql": check_sparql,
                               "store": check_store}


def health_report(app) -> tuple[dict, int]:
    """Every check (a check that raises counts as "fout"), the overall status and the HTTP status."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check(app)
        except Exception as exc:  # a check that cannot tell is a failing check, said in one line
            results[name] = {"status": "fout", "melding": f"{type(exc).__name__}: controle mislukte"}
    worst = max((r.get("status", "fout") for r in results.values()), key=lambda s: ORDER.get(s, 2), default="ok")
    serving = results.get("build", {}).get("status") == "ok"
    overall = worst if serving else "fout"
    return {"status": overall, "controles": results}, (200 if serving else 503)


@bp.route("/health")
def health():
    body, code = health_report(current_app._get_current_object())
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response
