"""What the picker searches and shows per option (webapp/beheer/choices.py), on the real content."""

from __future__ import annotations

import pytest

from toolbox.graph.model import GraphModel
from webapp.beheer.choices import details, first_sentence


@pytest.fixture(scope="module")
def model(real_store, real_settings):
    return GraphModel.from_store(real_store, real_settings.base_uri)



def test_a_tool_brings_its_alternative_names_and_its_blurb(model, real_settings):
    tool = next(u for u in model.instances("Tool") if u.endswith("/tool/mkba"))
    found = details(model, tool)
    assert "MKBA" in found["alt"].split(" · ") and "MKBA" not in found["hidden"]
    assert "welvaart" in found["description"] and len(found["description"]) <= 162


def test_every_knelpunt_has_a_short_description(model):
    knelpunten = model.instances("Knelpunt", include_archived=True)
    assert len(knelpunten) > 50
    missing = [k for k in knelpunten if not details(model, k)["description"]]
    assert not missing, missing[:5]


def test_first_sentence_cuts_at_the_sentence_or_a_word():
    assert first_sentence("Eerste zin. Tweede zin.") == "Eerste zin."
    assert first_sentence("Zie [de kaart](https://example.nl/k). Meer.") == "Zie de kaart."
    long = "woord " * 60
    cut = first_sentence(long, 40)
    assert cut.endswith(" …") and len(cut) <= 42 and "  " not in cut
