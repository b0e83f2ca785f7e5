"""The pages for researchers: the SPARQL endpoint over HTTP, downloads and Linked Data.

Parts: `views` (the `sparql` blueprint and `SparqlLane`, which answers programs before Flask),
`page` (the SPARQL page for people), `data` (`/data/` and `/.well-known/void`), `linked_data` (the
`linked_data` blueprint: `/id/...`, `/def/tor` and the RDF twins). May import the site's support
modules and `toolbox`, not the other families.
"""

from webapp.sparql import data, linked_data, views

BLUEPRINTS = (views.bp, linked_data.bp)
__all__ = ["BLUEPRINTS", "data"]
