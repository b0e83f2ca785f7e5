"""The conflict screen (409) as a field-by-field merge, and applying the editor's choices.

The comparison itself (which fields differ, which side each defaults to) is in
toolbox/editing/merge.py; this module adds who made the newest version and when, the labels of
chosen things, and reads the choices back from a submitted form. The merged values then take
the normal save path in cases.py (prepare, gate, version check), so a merge is checked like any save.
"""

from __future__ import annotations

from toolbox.editing.form import FIELD_BY_NAME, Conflict, EditError, Prepared
from toolbox.editing.history import text_diff
from toolbox.editing.merge import (
    CHOICE_PREFIX,
    THEIRS,
    apply_choices,
    base_text,
    choices_from_form,
    differences,
    other_version,
)
from webapp.beheer.views import _account_names, _when, editor

MERGE_FLAG = "samenvoegen"  # hidden form field: the choices (keuze-{veld}) of a merge apply


def merged_values(slug: str, submitted: dict, form_token: str, get) -> dict:
    """The submitted values with the fields chosen as `hun` from the newest version.

    Only when the form is still based on the newest version: if yet another save came in
    between, the save is a new conflict with a new comparison, and nothing is taken from a version
    the editor did not see."""
    if get(MERGE_FLAG) != "1":
        return submitted
    choices = choices_from_form(get)
    if THEIRS not in choices.values():
        return submitted
    theirs, _, token, _ = editor().load(slug)
    if token != form_token:
        return submitted
    return apply_choices(submitted, theirs, choices)


def conflict_context(slug: str | None, submitted: dict, prepared: Prepared, exc: Conflict,
                     labels: dict[str, str], base_token: str) -> dict:
    """What the conflict screen shows: the message, who saved the newest version and when, and for
    an existing case the fields that differ, with both sides in words."""
    context = {
        "message": exc,
        "diff": text_diff(exc.current_text or "", prepared.text or "", "nieuwste versie (opgeslagen)",
                          "jouw versie (niet opgeslagen)"),
        "slug": prepared.slug,
        "current": None,
        "differences": None,
        "who": "",
        "when": "",
        "choice_prefix": CHOICE_PREFIX,
        "flag": MERGE_FLAG,
    }
    if exc.current_text is None:
        return context
    ed = editor()
    try:
        theirs, _, _ = ed.parse(prepared.slug, exc.current_text)
    except EditError:
        return context
    context["current"] = theirs
    other = other_version(exc.current_text, ed.uri(prepared.slug))
    if other is not None:
        context["who"] = _account_names().get(other.account_id, other.account_id) if other.account_id else ""
        context["when"] = _when(other.modified)
    if slug is None:  # a new case whose address was taken meanwhile: another case, nothing to merge
        return context
    base = None
    with_base = base_text(ed.history_dir(slug), base_token)
    if with_base is not None:
        try:
            base, _, _ = ed.parse(slug, with_base)
        except EditError:
            base = None
    context["base_known"] = base is not None
    context["differences"] = [_shown(d, labels) for d in differences(submitted, theirs, base)]
    return context


def _shown(d, labels: dict[str, str]) -> dict:
    """Both sides of one difference as text or a list of labels, plus the raw values for the script."""
    kind = FIELD_BY_NAME[d.name].kind

    def words(value):
        if kind in ("many", "one"):
            items = value if isinstance(value, list) else ([value] if value else [])
            return sorted((labels.get(v, v) for v in items if v), key=str.lower)
        return value or ""

    changed = ""
    if d.changed_by_me is not None:
        changed = ("door jullie allebei gewijzigd" if d.changed_by_me and d.changed_by_them else
                   "alleen door de ander gewijzigd" if d.changed_by_them else "alleen door jou gewijzigd")
    return {"name": d.name, "label": d.label, "list": kind in ("many", "one"), "mine": words(d.mine),
            "theirs": words(d.theirs), "raw_mine": d.mine, "raw_theirs": d.theirs, "default": d.default,
            "changed": changed}
