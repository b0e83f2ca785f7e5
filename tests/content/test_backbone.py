"""Pins the backbone of the real content: levels, step order, checklists, categories, roles."""

from __future__ import annotations

from collections import Counter

import pytest

from toolbox.graph.model import GraphModel

ID = "https://toolbox-openbare-ruimte.nl/id/"


@pytest.fixture(scope="module")
def m(real_store, real_settings) -> GraphModel:
    return GraphModel.from_store(real_store, real_settings.base_uri)


def slugs(m, uris):
    return [u.rsplit("/", 1)[1] for u in uris]


def test_three_levels_in_order(m):
    assert slugs(m, m.instances("Level")) == ["strategisch", "tactisch", "uitvoering"]


def test_step_order_per_level(m):
    def top_steps(level):
        return [s for s in m.subjects("tor:level", ID + "niveau/" + level) if not m.objects(s, "tor:broaderStep")]

    assert slugs(m, top_steps("strategisch")) == ["visievorming", "stadsbreed-programmeren"]
    assert slugs(m, top_steps("tactisch")) == [
        "vitale-systemen", "gebieds-wijkplan", "participatie-tactisch", "datagedreven-werken"]
    # The process plate puts "Projectteam op orde" at the head of the execution level.
    assert slugs(m, top_steps("uitvoering")) == [
        "projectteam-op-orde", "ontwerpen-en-participeren", "voorbereiden-en-uitvoeren"]
    chain, step = [], ID + "stap/opdrachtformulering"
    while step:
        chain.append(step.rsplit("/", 1)[1])
        step = m.one(step, "tor:nextStep")
    assert chain == ["opdrachtformulering", "analyse-richting-vo", "richting-do", "voorbereiding-aanbesteding",
                     "uitvoering-gebruik"]


def test_sub_steps_of_tactical_steps(m):
    def letters(step):
        return [m.text(s, "skos:notation") for s in m.objects(ID + "stap/" + step, "tor:subStep")]

    assert letters("vitale-systemen") == list("ABCDEFGH")
    assert letters("gebieds-wijkplan") == list("ABCDEFGHIJKL")
    assert letters("participatie-tactisch") == list("ABCDEFGHI")


def test_five_checklists_with_items_in_all_six_aspects(m):
    checklists = m.instances("Checklist")
    assert len(checklists) == 5
    aspects = Counter()
    for checklist in checklists:
        items = m.objects(checklist, "tor:item")
        assert len(items) >= 5, checklist
        assert m.objects(checklist, "tor:checklistFor"), checklist
        aspects.update(m.one(i, "tor:aspect") for i in items)
    assert set(slugs(m, aspects)) == {"scope", "tijd", "geld", "kwaliteit", "risicos", "organisatie"}
    assert sum(aspects.values()) == 70


def test_execution_phases_are_complete(m):
    for phase in ["opdrachtformulering", "analyse-richting-vo", "richting-do", "voorbereiding-aanbesteding",
                  "uitvoering-gebruik"]:
        uri = ID + "stap/" + phase
        assert m.text(uri, "tor:expectedResult"), phase
        assert m.text(uri, "tor:forceField"), phase
        assert m.objects(uri, "tor:checkBefore") and m.objects(uri, "tor:checkAfter"), phase
        assert len(m.objects(uri, "tor:activity")) == 4, phase
        assert m.objects(uri, "tor:transitionChecklist"), phase
        assert all(m.text(r, "tor:reason") for r in m.objects(uri, "tor:toolRecommendation")), phase


def test_six_tool_categories_each_with_tools(m):
    categories = m.instances("ToolCategory")
    assert len(categories) == 6
    for category in categories:
        assert m.subjects("tor:category", category), category
    assert len(m.instances("Tool")) == 24


def test_every_role_card_has_competencies_and_challenges(m):
    cards = ["informatiemanager", "assetmanager", "planning-en-controlmedewerker", "lijnmanager", "beleidsmaker",
             "projectleider", "kennisleverancier-ontwerper"]
    for card in cards:
        uri = ID + "rol/" + card
        assert m.objects(uri, "tor:competency"), card
        assert m.objects(uri, "tor:challenge"), card
    general = [c for c in m.instances("Competency") if m.text(c, "tor:forAllRoles") == "true"]
    assert len(general) == 7


def test_knelpunten_dimensions_project_types_and_cases(m):
    assert slugs(m, m.instances("Dimension")) == list("abcdef")
    assert len(m.instances("ProjectType")) == 5
    assert len(m.instances("Knelpunt")) >= 60
    assert len(m.instances("Case")) >= 19
    assert len(m.instances("Cluster")) == 4 and len(m.instances("DevelopmentTeam")) == 6
    for case in m.instances("Case"):
        assert m.objects(case, "tor:reportsKnelpunt") or m.objects(case, "tor:usedTool"), case
        assert len(m.objects(case, "tor:topKnelpunt")) <= 3


def test_six_guiding_questions_on_opdrachtformulering(m):
    assert len(m.objects(ID + "stap/opdrachtformulering", "tor:guidingQuestion")) >= 6


def test_no_orphans(real_settings, real_store):
    from toolbox.operations.stats import compute_stats

    orphans = compute_stats(real_settings, real_store)["orphans"]
    assert orphans == [], orphans
