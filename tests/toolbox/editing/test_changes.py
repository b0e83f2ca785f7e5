"""Field changes in words (toolbox/editing/changes.py): what the history and conflict screens show."""

from __future__ import annotations

from toolbox.editing.changes import field_changes, word_diff
from toolbox.editing.form import empty_values, values_to_graph
from toolbox.editing.reports import add_reports, top_order

ID = "https://toolbox-openbare-ruimte.nl/id/"


def graph(modified="2026-01-02T03:04:05Z", account="acc-1", status="actief", **changes):
    values = empty_values()
    values.update({"title": "Proeftuin", "abstract": "Een wijk die de kade vergroent.", "scale": "schaal/wijk",
                   "theme": ["thema/woningbouw"], "municipality": ["gemeente/leiden"],
                   "knelpunt": ["knelpunt/a", "knelpunt/b", "knelpunt/c"],
                   "top_knelpunt": ["knelpunt/a", "knelpunt/b"]})
    values.update(changes)
    g, errors = values_to_graph(values, "proef", status, modified, account)
    assert not errors
    add_reports(g, next(iter(g.subjects())), "proef", None, account, modified, order=top_order(values))
    return g


def summaries(old, new, **kw) -> list[str]:
    return [c.summary for c in field_changes(old, new, **kw)]


def test_only_provenance_differs_so_nothing_changed():
    assert field_changes(graph(), graph(modified="2026-05-05T00:00:00Z", account="acc-2")) == []


def test_a_text_change_in_words_with_old_and_new_text():
    [change] = field_changes(graph(), graph(abstract="Een wijk die de straat vergroent."))
    assert (change.field, change.label, change.kind, change.summary) == (
        "abstract", "Samenvatting", "changed", "Samenvatting gewijzigd")
    assert change.old == "Een wijk die de kade vergroent." and change.new == "Een wijk die de straat vergroent."


def test_filled_in_and_emptied_fields():
    assert summaries(graph(), graph(lessons="Vroeg beginnen.")) == ["Lessen ingevuld"]
    assert summaries(graph(lessons="Vroeg beginnen."), graph()) == ["Lessen leeggemaakt"]


def test_values_of_a_list_added_and_removed_with_the_names_of_the_things():
    names = {ID + "thema/mobiliteit": "Mobiliteit", ID + "thema/woningbouw": "Woningbouw"}
    changes = field_changes(graph(), graph(theme=["thema/mobiliteit"]), label=names.get)
    assert [(c.summary, c.old, c.new) for c in changes] == [
        ("Thema verwijderd", "Woningbouw", ""), ("Thema toegevoegd", "", "Mobiliteit")]


def test_top_three_order_is_a_change_of_its_own():
    [change] = field_changes(graph(), graph(top_knelpunt=["knelpunt/b", "knelpunt/a"]))
    assert change.summary == "Top-3-volgorde gewijzigd"
    assert (change.old, change.new) == ("1. a, 2. b", "1. b, 2. a")


def test_a_new_top_three_knelpunt_is_told_once():
    assert summaries(graph(), graph(top_knelpunt=["knelpunt/a", "knelpunt/b", "knelpunt/c"])) == [
        "Top-3-knelpunt toegevoegd"]
    assert summaries(graph(), graph(knelpunt=["knelpunt/a", "knelpunt/b", "knelpunt/c", "knelpunt/d"])) == [
        "Knelpunt toegevoegd"]


def test_status_and_short_fields():
    assert summaries(graph(), graph(status="gearchiveerd")) == ["Status gewijzigd"]
    [change] = field_changes(graph(), graph(title="Proeftuin Oost"))
    assert (change.summary, change.old, change.new) == ("Titel gewijzigd", "Proeftuin", "Proeftuin Oost")


def test_an_unreadable_version_has_no_changes_to_tell():
    assert field_changes(None, graph()) == [] and field_changes(graph(), None) == []


def test_word_diff_marks_only_the_changed_words():
    assert word_diff("de kade vergroent", "de straat vergroent") == [
        ("same", "de "), ("removed", "kade"), ("added", "straat"), ("same", " vergroent")]


def test_word_diff_with_context_keeps_a_few_words_around_each_change():
    old = " ".join(f"w{i}" for i in range(60))
    new = old.replace("w30 ", "nieuw w30 ")
    assert word_diff(old, new, context=3) == [
        ("same", "… w27 w28 w29 "), ("added", "nieuw "), ("same", "w30 w31 w32 …")]
    assert word_diff("a b c", "a x c", context=3) == word_diff("a b c", "a x c")  # short: all of it
