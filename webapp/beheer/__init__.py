"""The editors' side under `/beheer`: login, the case form, history and the refresh after a save.

Parts: `views` (the `beheer` blueprint: origin and CSRF checks, sessions, login, overview, audit log),
`cases` (new, edit, preview, save, retire, republish), `archive` (confirm before archiving),
`choices` (what the picker shows per option), `history` (versions, diffs, restore),
`review` (drafts, review and four eyes, new gemeenten),
`refresher` (one refresh of the site at a time), `security` (safe `next=` targets, Secure cookies),
`reader_reports` (the queue of readers' reports: close with a reason, or turn into a case edit).
May import the site's support modules and `toolbox`, not the other families.
"""

from webapp.beheer import archive, cases, history, reader_reports, review, views

BLUEPRINTS = (views.bp,)
__all__ = ["BLUEPRINTS", "archive", "cases", "history", "reader_reports", "review"]
