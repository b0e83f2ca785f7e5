"""The situation ranker: Dutch word handling, phase phrasing, placing on the real graph, and the floor
on the hand-written evaluation set (tests/data/situations.json)."""

from __future__ import annotations

import pytest

from toolbox.graph.model import GraphModel
from toolbox.guide.evaluation import evaluate, format_evaluation, load_set
from toolbox.guide.phases import finished_parts, scale_cues, starting
from toolbox.guide.ranker import SituationRanker
from toolbox.search.dutch import Vocabulary, edit_distance, stem, words

ID = "https://toolbox-openbare-ruimte.nl/id/"


@pytest.fixture(scope="module")
def ranker(real_store, real_settings) -> SituationRanker:
    return SituationRanker(GraphModel.from_store(real_store, real_settings.base_uri))


def test_words_fold_and_drop_stop_words():
    assert words("We willen de Riolering vervangen én vergroenen") == ["riolering", "vervangen", "vergroenen"]
    assert words("gebieds-/wijkplan") == ["gebieds", "wijkplan"]


def test_compounds_split_into_known_parts():
    vocabulary = Vocabulary(["riool", "vervanging", "stad", "park", "wijk", "plan"])
    assert vocabulary.split("rioolvervanging") == (stem("riool"), stem("vervanging"))
    assert vocabulary.split("stadspark") == (stem("stad"), stem("park"))  # linking s
    assert vocabulary.split("wijkplan") == (stem("wijk"), stem("plan"))
    assert vocabulary.split("zonnepaneel") == ()


def test_typos_find_the_stem_they_stand_for():
    vocabulary = Vocabulary(["participatie", "aanbesteding", "bewoners"])
    assert stem("participatie") in vocabulary.near(stem("partcipatie"))
    assert stem("aanbesteding") in vocabulary.near(stem("aanbesteeding"))
    assert vocabulary.near(stem("boom")) == ()  # short words are not guessed at
    assert edit_distance("ontwerp", "ontwrep", 1) == 1  # a transposition is one edit
    assert edit_distance("ontwerp", "bestek", 2) == 3


def test_phase_phrasing():
    assert starting("we beginnen net met een project in de straat")
    assert not starting("de aannemer is bezig")
    done, rest = finished_parts("Het VO is af, we zitten voor het bestek")
    assert done == ["het vo is af"]
    assert "bestek" in rest and "vo" not in rest.split()
    done, rest = finished_parts("we zijn klaar met de aanbesteding, wat nu")
    assert any("aanbesteding" in d for d in done) and "aanbesteding" not in rest
    done, _ = finished_parts("het ontwerp ligt er al, maar het contract moet nog")
    assert done == ["het ontwerp ligt er al"]
    assert finished_parts("het wijkplan is bijna klaar")[0] == []  # almost done: still in that step
    assert scale_cues("hoe ziet de stad er over dertig jaar uit") == {"strategisch": 1}
    assert scale_cues("de riolering moet over twee jaar vervangen") == {}


def test_letter_likeness_finds_the_step_a_misspelt_word_belongs_to():
    from toolbox.guide.grams import GramIndex

    index = GramIndex({"a": "aanbesteding en bestek", "b": "participatie met bewoners"})
    near = index.similarity("aanbesteeding voorbereiden")
    assert near["a"] > 0.2 > near["b"]
    assert index.similarity("de het een") == {"a": 0.0, "b": 0.0}  # filler words carry nothing


def test_a_word_of_place_counts_the_same_in_every_step_that_has_it(ranker):
    from toolbox.guide.profiles import Concept

    wijk = [Concept("wijk", (("wijk", 1.0),))]
    plain = {s.uri: s.score for s in ranker.step_index.score(wijk, {"wijk"})}
    flat = {s.uri: s.score for s in ranker.step_index.score(wijk, {"wijk"}, frozenset({"wijk"}))}
    assert len(set(plain.values())) > 1  # as written, some steps say "wijk" far more often
    lengths = ranker.step_index.lengths
    shortest = min(flat, key=lambda u: lengths[u])
    assert all(flat[u] <= flat[shortest] + 1e-9 for u in flat)  # flat: only the length norm differs


def test_the_issue_sentence_lands_on_a_step_with_everything_around_it(ranker):
    answer = ranker.place("we willen riolering vervangen en tegelijk vergroenen")
    assert answer.placed and 1 <= len(answer.steps) <= 3
    accepted = {f"{ID}stap/{s}" for s in ("gebieds-wijkplan", "opdrachtformulering", "ontwerpen-en-participeren")}
    assert accepted & {p.step for p in answer.steps}
    first = answer.steps[0]
    assert first.reason.startswith("Je noemt") and "‘riolering’" in first.reason
    assert answer.next_steps and answer.next_steps[0]["relation"]
    assert answer.tools and all(t["why"] for t in answer.tools)
    assert answer.level == first.level or answer.level_reason
    assert answer.cases and all(c["reason"] for c in answer.cases)
    assert all(r["reason"] for r in answer.roles)
    for k in answer.knelpunten:  # two words, or one word and a step that helps against it
        assert k["remedies"] and k["reason"].count("‘") >= (1 if k["relation"] == "step" else 2)


def test_a_finished_step_points_to_the_one_after_it(ranker):
    answer = ranker.place("het VO is af, hoe nu verder")
    assert answer.steps[0].step == f"{ID}stap/richting-do"


def test_just_starting_on_a_level_means_its_first_step(ranker):
    # The process plate puts "Projectteam op orde" at the head of the execution level (issue 32).
    answer = ranker.place("we beginnen net met een nieuw project in de straat")
    assert answer.steps[0].step == f"{ID}stap/projectteam-op-orde"
    assert answer.next_steps[0]["uri"] == f"{ID}stap/ontwerpen-en-participeren"


def test_the_last_step_of_a_level_leads_to_the_next_level(ranker):
    nxt = ranker.next_steps(f"{ID}stap/datagedreven-werken")
    assert nxt == [{"uri": f"{ID}stap/projectteam-op-orde", "relation": "eerste stap op het volgende niveau"}]
    assert ranker.next_steps(f"{ID}stap/uitvoering-gebruik") == []


def test_nonsense_is_not_placed(ranker):
    for text in ("", "   ", "qqqq zzzz xyxyx", "de het een"):
        answer = ranker.place(text)
        assert not answer.placed and answer.steps == []


def test_situations_are_cut_to_a_sane_length(ranker):
    answer = ranker.place("bewoners betrekken " * 400)
    assert len(answer.text) <= 500 and answer.placed


# The floor the issue sets: top-3 at least 90%, top-1 at least 70% on our own set.
def test_evaluation_set_floor(ranker):
    items = load_set()
    assert len(items) >= 60
    result = evaluate(ranker, items)
    report = format_evaluation(result)
    overall = result.overall
    assert overall.top3 / overall.total >= 0.90, report
    assert overall.top1 / overall.total >= 0.70, report
    for level, tally in result.per_level.items():
        assert tally.total >= 10, level
        assert tally.top3 / tally.total >= 0.80, report


def test_evaluation_set_covers_every_step(ranker):
    from toolbox.guide.evaluation import DEV2_SET

    slugs = {ranker.m.slug(s) for s in ranker.steps}
    assert {item["verwacht"][0] for item in load_set()} == slugs
    assert {item["verwacht"][0] for item in load_set(DEV2_SET)} == slugs


def test_second_development_set_floor(ranker):
    """The second development set (other voices, measured before tuning: 84.9% / 97.8%)."""
    from toolbox.guide.evaluation import DEV2_SET

    items = load_set(DEV2_SET)
    assert len(items) >= 120 and all(item.get("stem") for item in items)
    result = evaluate(ranker, items)
    report = format_evaluation(result)
    assert result.overall.top3 / result.overall.total >= 0.90, report
    assert result.overall.top1 / result.overall.total >= 0.80, report
    for tally in result.per_level.values():
        assert tally.total >= 20 and tally.top3 / tally.total >= 0.85, report


def test_heldout_set_is_measured_but_its_misses_stay_hidden(ranker):
    from toolbox.guide.evaluation import HELDOUT_SET

    items = load_set(HELDOUT_SET)
    assert len(items) >= 60
    result = evaluate(ranker, items)
    assert result.overall.total == len(items)
    quiet = format_evaluation(result, misses=False)
    assert all(item["situatie"] not in quiet for item in items)
    if result.misses:
        assert "(niet getoond)" in quiet


def _cited(answer) -> list[list[str]]:
    """The user's words that each reason of an answer cites, reason by reason."""
    import re

    texts = [p.reason for p in answer.steps] + [answer.level_reason] + [k["reason"] for k in answer.knelpunten]
    texts += [t["why"] for t in answer.tools] + [r["reason"] for r in answer.roles + answer.cases]
    return [re.findall(r"‘([^’]+)’", t) for t in texts] + [t["matches"] for t in answer.tools]


@pytest.mark.parametrize("which", ["ontwikkelset", "ontwikkelset 2", "held-out set"])
def test_reasons_cite_no_filler_words_and_no_repeats(ranker, which):
    from toolbox.guide.evaluation import DEFAULT_SET, DEV2_SET, HELDOUT_SET
    from toolbox.search.dutch import FILLER, is_filler

    assert {"neemt", "komende", "tien", "jaar", "stonden", "loopt", "maken", "tijd"} <= FILLER
    bad = repeated = cited_any = 0
    for item in load_set({"ontwikkelset": DEFAULT_SET, "ontwikkelset 2": DEV2_SET}.get(which, HELDOUT_SET)):
        for cited in _cited(ranker.place(item["situatie"])):
            cited_any += bool(cited)
            bad += sum(is_filler(w) for w in cited)
            repeated += len(cited) != len({stem(w) for w in cited})
    # Counts only: the held-out situations are not shown, not even in a failure.
    assert cited_any and bad == 0 and repeated == 0, f"{bad} opvulwoorden, {repeated} herhalingen in redenen"


def test_a_reason_says_why_in_plain_dutch(ranker):
    answer = ranker.place("het bestek moet de deur uit en de aanbesteding voorbereid")
    first = answer.steps[0]
    assert first.reason.startswith("Je noemt ‘") and f"dat hoort bij {ranker.m.label(first.step)}" in first.reason
    assert "‘bestek’" in first.reason or "‘aanbesteding’" in first.reason


def test_no_step_is_a_dead_end(ranker):
    from toolbox.guide.aids import recommended_tools, step_aids

    m = ranker.m
    for step in ranker.steps:
        groups = step_aids(m, step)
        assert recommended_tools(m, step) or groups, m.label(step)
        assert all(g.heading and g.items for g in groups)
    kinds = {g.kind: g for g in step_aids(m, f"{ID}stap/uitvoering-gebruik")}
    assert {"aid", "checklist", "neighbour-tool"} <= set(kinds)
    assert kinds["neighbour-tool"].heading == "Tools van de vorige stap, Voorbereiding en aanbesteding"
    assert "level-tool" in {g.kind for g in step_aids(m, f"{ID}stap/visievorming")}
    assert step_aids(m, f"{ID}stap/richting-do") == []  # has its own tools


def test_contentless_descriptions_say_nothing():
    from toolbox.guide.reasons import says_something

    assert not says_something("") and not says_something("   ") and not says_something("de het een 10 jaar")
    assert says_something("riolering")


def test_a_close_call_asks_one_question_with_two_or_three_choices(ranker):
    from toolbox.guide.questions import clarify

    m = ranker.m
    names = ("visievorming", "gebieds-wijkplan", "richting-do", "voorbereiding-aanbesteding")
    step = {s: f"{ID}stap/{s}" for s in names}
    level_question = clarify(m, [(step["visievorming"], 10.0), (step["gebieds-wijkplan"], 9.5)], {})
    assert level_question.text == "Gaat het om de hele stad of om één wijk?"
    assert [c.value for c in level_question.choices] == ["niveau:strategisch", "niveau:tactisch"]
    step_question = clarify(m, [(step["richting-do"], 10.0), (step["voorbereiding-aanbesteding"], 9.5)], {})
    assert step_question.text == "Waar ben je nu mee bezig?"
    assert [c.value for c in step_question.choices] == ["stap:richting-do", "stap:voorbereiding-aanbesteding"]
    assert all(c.hint for c in step_question.choices)
    assert clarify(m, [(step["richting-do"], 10.0), (step["voorbereiding-aanbesteding"], 5.0)], {}) is None
    # the words point elsewhere than the first step: ask about the level
    doubt = clarify(m, [(step["richting-do"], 10.0)], {f"{ID}niveau/strategisch": 0.9, f"{ID}niveau/uitvoering": 0.1})
    assert doubt and {c.value for c in doubt.choices} == {"niveau:strategisch", "niveau:uitvoering"}


def test_an_answered_question_places_without_asking_again(ranker):
    from toolbox.guide.questions import parse_choice

    m = ranker.m
    text = "ambities voor groen en water vastleggen"
    level = parse_choice(m, "niveau:uitvoering")
    answer = ranker.place(text, choice=level)
    assert answer.question is None and answer.choice == level
    assert {p.level for p in answer.steps} == {f"{ID}niveau/uitvoering"}
    assert answer.level_reason == "Je koos het uitvoeringsniveau."
    chosen = parse_choice(m, "stap:visievorming")
    answer = ranker.place(text, choice=chosen)
    assert answer.steps[0].step == chosen[1] and answer.steps[0].reason.startswith("Je koos deze stap zelf.")
    assert parse_choice(m, "") is None
    for wrong in ("niveau:nergens", "stap:", "wijk:tactisch", "tactisch"):
        with pytest.raises(ValueError):
            parse_choice(m, wrong)


def test_next_to_the_step_what_fits_the_situation(ranker):
    m = ranker.m
    answer = ranker.place("we willen de nutsbedrijven op tijd aan boord krijgen voor de aanbesteding")
    assert answer.steps[0].step == f"{ID}stap/voorbereiding-aanbesteding"
    knelpunten = [k["uri"] for k in answer.knelpunten]
    assert f"{ID}knelpunt/gezamenlijke-uitvoering-borgen" in knelpunten  # via "nutsbedrijf" = netbeheerder
    first_remedy = answer.knelpunten[knelpunten.index(f"{ID}knelpunt/gezamenlijke-uitvoering-borgen")]["remedies"][0]
    assert first_remedy["uri"] == answer.steps[0].step  # this step's remedy first
    tools = answer.tools
    assert tools[0]["matches"]  # a tool that fits the situation leads
    assert m.label(tools[0]["uri"]) != "Puntensysteem natuurinclusief bouwen"
    assert all(t["why"].startswith("Aanbevolen bij deze stap") for t in tools if t["relation"] == "step")


def test_a_knelpunt_needs_more_than_one_incidental_word(ranker):
    answer = ranker.place("de aannemer is bezig en de straat ligt open")
    assert answer.knelpunten == []  # "straat" (setting) and "open" (filler) are not a knelpunt
    answer = ranker.place("de netbeheerder en de aannemer stemmen hun werk in de straat niet af")
    assert answer.knelpunten and answer.knelpunten[0]["uri"] == f"{ID}knelpunt/gezamenlijke-uitvoering-borgen"


def test_roles_named_in_the_situation_come_first(ranker):
    answer = ranker.place("als assetmanager wil ik de vervangingsopgave van riool en wegen voor de stad afwegen")
    assert answer.roles[0]["uri"] == f"{ID}rol/assetmanager" and "‘assetmanager’" in answer.roles[0]["reason"]
