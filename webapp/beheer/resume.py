"""Back in the form after an expired session, with the typed text, also without JavaScript.

A form posted without a valid session (webapp/beheer/views.py `login_required`) goes to the login with the
form page as the way back. Here its fields are kept on the server (toolbox/editing/pending.py) under a
random token in a cookie; when that form page opens with `herstel=1` after login, it takes them back once
and shows them, still based on the version the editor started from (a save is checked against it).
The cookie is httponly, SameSite=Strict and limited to /beheer; posts from other sites never get here
(the origin check comes first).
"""

from __future__ import annotations

from flask import after_this_request, current_app, request
from werkzeug.datastructures import MultiDict

from toolbox.editing.pending import MAX_AGE, PendingForms
from webapp.beheer.security import cookie_secure, safe_next

RESUME_COOKIE = "toolbox_herstel"
RETURN_FIELD = "terug"  # a form that posts elsewhere names its own page (the draft form, the case form's draft button)


def form_page() -> str:
    """The page to return to after login: the form's own page when it names one, else the posted path."""
    return safe_next(request.form.get(RETURN_FIELD), "/beheer") or request.path


def keep_typed(response, page: str) -> None:
    """Keep what was posted for `page` and give the browser the token (nothing kept: nothing set)."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    token = PendingForms(current_app.config["TOOLBOX"]).keep(fields, page.split("?")[0])
    if token:
        response.set_cookie(RESUME_COOKIE, token, max_age=MAX_AGE, httponly=True,
                            secure=cookie_secure(current_app.config["TOOLBOX"]), samesite="Strict", path="/beheer")


def typed_back() -> MultiDict | None:
    """On a form page opened with herstel=1: the fields kept for it, once; None otherwise."""
    if request.args.get("herstel") != "1" or RESUME_COOKIE not in request.cookies:
        return None
    fields = PendingForms(current_app.config["TOOLBOX"]).take(request.cookies.get(RESUME_COOKIE), request.path)
    if fields is None:  # kept for another page, too old, or never kept: the cookie runs out by itself
        return None

    @after_this_request
    def forget(response):
        response.delete_cookie(RESUME_COOKIE, path="/beheer")
        return response

    return MultiDict(fields)
