"""App factory: one graph, one search index, blueprints per concern."""

from __future__ import annotations

from flask import Flask

from toolbox.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["TOOLBOX"] = settings
    return app
