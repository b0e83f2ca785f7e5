"""The pages for people: home, things, lists, the guide and search, each with its machine twin.

Parts: `views` (the `pages` blueprint: home, `/over`, `/doc/{type}/{slug}`, JSON-LD twins, checklist
exports), `lists`, `guide`, `search` (the `search` blueprint), `feedback` (the `melden` blueprint:
readers' reports and "was dit nuttig?" on every thing page), `changes` (the `wijzigingen` blueprint:
recent changes and their Atom feeds), and their helpers `situations`, `related`, `plate`, `paging`.
May import the site's support modules and `toolbox`, not the other families. Importing this package
adds every route to its blueprint.
"""

from webapp.pages import changes, feedback, guide, lists, plan, search, views

BLUEPRINTS = (views.bp, search.bp, feedback.bp, changes.bp)
__all__ = ["BLUEPRINTS", "changes", "feedback", "guide", "lists", "plan"]
