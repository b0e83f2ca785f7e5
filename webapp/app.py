"""App factory: one graph state per content version, blueprints per concern."""

from __future__ import annotations

import secrets

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface

from toolbox.config import Settings

from .headers import security_headers
from .state import SiteState


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, with the signing serializer built once per key instead of on every
    request (a tenth of what a cached page costs, measured with bench/)."""

    def __init__(self):
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if key not in self._serializers:
            self._serializers = {key: super().get_signing_serializer(app)}
        return self._serializers[key]


def create_app(settings: Settings | None = None, state: SiteState | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["TOOLBOX"] = settings
    app.config["SECRET_KEY"] = settings.secret_key or secrets.token_hex(32)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    app.session_interface = SessionInterface()
    app.extensions["toolbox"] = state or SiteState.load(settings)

    from . import (  # noqa: F401 - see below
        beheer,
        beheer_cases,
        beheer_history,
        data_views,
        filters,
        guide_views,
        linked_data,
        list_views,
        page_cache,
        pages,
        search_views,
        sparql_views,
    )

    # beheer_cases, beheer_history, data_views, guide_views and list_views add their routes to the
    # blueprints of beheer, sparql_views and pages (endpoint names stay beheer.*, sparql.*, pages.*);
    # importing them here, before those blueprints register, is what adds the routes.
    filters.register(app)
    page_cache.init_app(app)
    for module in (pages, search_views, sparql_views, linked_data, beheer):
        app.register_blueprint(module.bp)

    @app.errorhandler(404)
    def not_found(error):
        if _wants_json():
            return {"error": "niet gevonden", "status": 404}, 404
        return render_template("error.html", status=404, title="Pagina niet gevonden"), 404

    @app.errorhandler(500)
    def server_error(error):
        if _wants_json():
            return {"error": "interne fout", "status": 500}, 500
        return render_template("error.html", status=500, title="Er ging iets mis"), 500

    app.after_request(security_headers)
    app.wsgi_app = sparql_views.SparqlLane(app, app.wsgi_app)
    return app


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/ld+json"])
    return request.args.get("format") == "json" or best in ("application/json", "application/ld+json")
