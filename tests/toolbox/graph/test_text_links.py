"""Inline links in long texts: parsing, the editor's errors, and the plain text (toolbox/graph/text_links.py)."""

from __future__ import annotations

import pytest

from toolbox.editing.form import empty_values, values_to_graph
from toolbox.graph.text_links import Piece, link_problems, pieces, plain_text


def test_a_link_with_text_and_a_bare_url_become_links():
    assert pieces("Zie [de leidraad](https://example.nl/leidraad) en https://example.nl/kaart.") == [
        Piece("Zie "), Piece("de leidraad", "https://example.nl/leidraad"), Piece(" en "),
        Piece("https://example.nl/kaart", "https://example.nl/kaart"), Piece("."),
    ]


def test_a_target_with_parentheses_is_kept_whole():
    assert pieces("[Stad](https://nl.wikipedia.org/wiki/Stad_(bestuur)) klopt")[0] == Piece(
        "Stad", "https://nl.wikipedia.org/wiki/Stad_(bestuur)")
    assert pieces("(zie https://example.nl/a)")[1] == Piece("https://example.nl/a", "https://example.nl/a")


@pytest.mark.parametrize("text", [
    "[klik](javascript:alert(1))", "[klik](JavaScript:alert(1))", "[klik](data:text/html,<script>x</script>)",
    "[klik](ftp://example.nl/a)", "[klik](/beheer/)", "[klik](mailto:a@example.nl)",
])
def test_a_link_to_anything_but_http_is_refused_and_stays_text(text):
    assert [p.href for p in pieces(text) if p.href and not p.href.startswith("http")] == []
    problems = link_problems(text)
    assert len(problems) == 1 and "https://" in problems[0]


@pytest.mark.parametrize("text", ["[klik](https://example.nl/a b)", "[klik](https://example.nl/a", "[](https://a.nl)"])
def test_a_broken_link_is_reported(text):
    assert link_problems(text), text


def test_good_text_has_no_problems_and_plain_text_drops_the_markup():
    text = "Lees [het werkboek](https://example.nl/werkboek.pdf) of http://example.nl/oud."
    assert link_problems(text) == []
    assert plain_text(text) == "Lees het werkboek of http://example.nl/oud."
    assert link_problems("Gewone [tekst] tussen haken (en zo).") == []


def test_the_form_refuses_a_javascript_link_at_the_field():
    values = empty_values()
    values.update(abstract="Een samenvatting met [een link](javascript:alert(1)).",
                  lessons="Goed: [leidraad](https://example.nl/leidraad).")
    _, errors = values_to_graph(values, "proef", "actief", "2026-12-07T12:00:00Z", "acc-00000000")
    assert list(errors) == ["abstract"]
    assert "begint met https://" in errors["abstract"][0]
