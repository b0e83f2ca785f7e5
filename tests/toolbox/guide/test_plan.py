""""Mijn aanpak": a plan read from its link, checked against the graph, exported as Markdown and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from werkzeug.datastructures import MultiDict

from toolbox.graph.model import GraphModel
from toolbox.guide.plan import MAX_NOTE, Plan, PlanError, plan_csv, plan_markdown, read_plan

ID = "https://toolbox-openbare-ruimte.nl/id/"


@pytest.fixture(scope="module")
def m(real_store, real_settings) -> GraphModel:
    return GraphModel.from_store(real_store, real_settings.base_uri)


def test_a_plan_is_read_from_its_link_in_process_order(m):
    args = MultiDict([("stap", "voorbereiding-aanbesteding"), ("stap", "richting-do"), ("tool", "ambitieweb"),
                      ("rol", "assetmanager"), ("knelpunt", "tactisch-gat"), ("v", "richting-do:2"),
                      ("notitie", "Overleg met de netbeheerder in mei"), ("titel", "Herinrichting Kerkstraat")])
    plan = read_plan(m, args)
    assert plan.steps == [f"{ID}stap/richting-do", f"{ID}stap/voorbereiding-aanbesteding"]
    assert plan.tools == [f"{ID}tool/ambitieweb"] and plan.roles == [f"{ID}rol/assetmanager"]
    assert plan.ticked == {"richting-do:2"} and plan.title == "Herinrichting Kerkstraat"
    again = read_plan(m, MultiDict(plan.params(m)))  # the link carries the whole plan
    assert again == plan


@pytest.mark.parametrize("args, says, status", [
    ([("stap", "bestaat-niet")], "Onbekende stap", 404),
    ([("tool", "x")], "Onbekende tool", 404),
    ([("notitie", "x" * (MAX_NOTE + 1))], "te lang", 400),
    ([("rol", f"r{n}") for n in range(41)], "Te veel waarden", 400),
])
def test_a_wrong_link_is_refused_with_a_dutch_message(m, args, says, status):
    with pytest.raises(PlanError, match=says) as refused:
        read_plan(m, MultiDict(args))
    assert refused.value.status == status


def test_ticks_that_are_not_questions_of_the_plan_are_left_out(m):
    plan = read_plan(m, MultiDict([("stap", "opdrachtformulering"), ("v", "richting-do:2"), ("v", "x"),
                                   ("v", "geen-checklist:1")]))
    assert plan.ticked == set()


def test_markdown_and_csv_carry_steps_ticks_tools_and_notes(m):
    plan = read_plan(m, MultiDict([("stap", "richting-do"), ("v", "richting-do:1"), ("tool", "ambitieweb"),
                                   ("knelpunt", "tactisch-gat"), ("notitie", "=SOM(A1)")]))
    markdown = plan_markdown(m, plan, "https://voorbeeld.nl/aanpak?stap=richting-do")
    assert markdown.startswith("# Mijn aanpak") and "### Richting DO" in markdown
    assert markdown.count("- [x]") == 1 and "- [ ]" in markdown
    assert "- Ambitieweb" in markdown and "Wat helpt:" in markdown and "=SOM(A1)" in markdown
    rows = list(csv.reader(io.StringIO(plan_csv(m, plan))))
    assert rows[0] == ["soort", "stap", "naam", "afgevinkt"]
    assert sum(r[3] == "ja" for r in rows) == 1 and ["tool", "", "Ambitieweb", ""] in rows
    assert ["notitie", "", "'=SOM(A1)", ""] in rows  # not run as a formula by a spreadsheet


def test_an_empty_plan_is_empty():
    assert Plan().empty and not Plan(note="x").empty
