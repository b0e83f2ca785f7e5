"""The editors' side under `/beheer`: login, the case form, history and the refresh after a save.

Parts: `views` (the `beheer` blueprint: origin and CSRF checks, sessions, login, overview, audit log),
`cases` (new, edit, preview, save, retire with a confirmation first, republish),
`choices` (what the picker shows per option), `history` (versions, diffs, restore),
`review` (drafts, review and four eyes, new gemeenten), `additions` (propose a new knelpunt, theme or tool),
`four_eyes` (with four eyes, archive and restore become drafts), `resume` (typed text back after an expired
session, also without JavaScript),
`refresher` (one refresh of the site at a time), `security` (safe `next=` targets, Secure cookies),
`reader_reports` (the queue of readers' reports: close with a reason, or turn into a case edit).
May import the site's support modules and `toolbox`, not the other families.
"""

from webapp.beheer import additions, cases, four_eyes, history, reader_reports, resume, review, views

BLUEPRINTS = (views.bp,)
__all__ = ["BLUEPRINTS", "additions", "cases", "four_eyes", "history", "reader_reports", "resume",
           "review"]
