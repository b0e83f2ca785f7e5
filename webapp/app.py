"""App factory: one graph state per content version, blueprints per concern."""

from __future__ import annotations

import secrets

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from toolbox.config import Settings
from webapp.headers import security_headers
from webapp.state import SiteState


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
    app.config["SESSION_COOKIE_SECURE"] = settings.secure_cookies
    app.session_interface = SessionInterface()
    app.extensions["toolbox"] = state or SiteState.load(settings)

    from webapp import assets, beheer, compression, errors, filters, page_cache, pages, sparql

    compression.init_app(app)  # before the page cache: it compresses what the cache kept and tagged
    assets.init_app(app)
    errors.init_app(app)  # before the page cache: a refused request is never answered from it
    filters.register(app)
    page_cache.init_app(app)
    for family in (pages, sparql, beheer):  # importing a family adds its routes to its blueprints
        for blueprint in family.BLUEPRINTS:
            app.register_blueprint(blueprint)

    app.after_request(security_headers)
    app.wsgi_app = sparql.views.SparqlLane(app, app.wsgi_app)
    return app

