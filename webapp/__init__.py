"""Flask site over the knowledge graph (app factory; see create_app)."""

from webapp.app import create_app

__all__ = ["create_app"]
