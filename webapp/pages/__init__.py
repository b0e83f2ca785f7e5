"""The pages for people: home, things, lists, the guide and search, each with its machine twin.

Parts: `views` (the `pages` blueprint: home, `/over`, `/doc/{type}/{slug}`, JSON-LD twins, checklist
exports), `lists`, `guide`, `search` (the `search` blueprint), and their helpers `situations`,
`related`, `plate`, `paging`. May import the site's support modules and `toolbox`, not the other
families. Importing this package adds every route to its blueprint.
"""

from webapp.pages import guide, lists, plan, search, views

BLUEPRINTS = (views.bp, search.bp)
__all__ = ["BLUEPRINTS", "guide", "lists", "plan"]
