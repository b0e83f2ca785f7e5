"""Research questions (toolbox/queries/research/*.rq) answered by the built store; answers checked by reading
the sources (OT3 appendix, toolbox step pages, process plate)."""

from __future__ import annotations

import pytest

from toolbox.sparql.service import RESEARCH_DIR

ID = "https://toolbox-openbare-ruimte.nl/id/"
ANSWERS = {
    "01-tools-op-stappagina-richting-do": [("Integraal Gebiedsplan",), ("Integrale Ontwerpmethode Openbare Ruimte",)],
    "03-top-3-tilburg": [("1", "Tactisch gat: een kader voor 4 tot 10 jaar ontbreekt"),
                         ("2", "Verbinding tussen fysiek en sociaal domein ontbreekt"),
                         ("3", "Geen budget voor koppelkansen")],
    "04-tactisch-gat-in-top-3": [("Herinrichting Groenewoud",), ("Naar een toekomstbestendige Bomenbuurt",),
                                 ("Sprenkelaar, samen aan de slag in de wijk!",),
                                 ("Wallengebied, integrale ontwerpaanpak",)],
    "05-kernwoorden-amsterdam": [("Aanbesteding",), ("Gezamenlijke uitvoering",)],
    "06-dordrecht-sectorale-organisatie": [(ID + "knelpunt/sectorale-organisatie",)],
    "07-casussen-met-interviewtabel": [("4",)],
    "08-niveau-projectteam": [(ID + "niveau/uitvoering",)],
}


def rows(store, name):
    result = store.select((RESEARCH_DIR / f"{name}.rq").read_text(encoding="utf-8"))
    return [tuple(str(v) for v in row.values()) for row in result]


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_research_question_has_the_answer_the_source_gives(real_store, name):
    assert rows(real_store, name) == ANSWERS[name]


def test_the_seven_editorial_step_tool_links(real_store):
    found = {(step, tool) for step, tool, _ in rows(real_store, "02-redactionele-toolkoppelingen")}
    assert found == {
        ("Vitale systemen", "IGP Informatie Portaal"), ("Vitale systemen", "Barcode Utrecht"),
        ("Vitale systemen", "Aquathermieviewer"), ("Analyse en richting VO", "straaD"),
        ("Analyse en richting VO", "Groenblauwe netwerken"),
        ("Voorbereiding en aanbesteding", "Puntensysteem natuurinclusief bouwen"),
        ("Projectteam op orde", "Informatiekaart Integraal Programmeren"),
    }


def test_every_research_question_is_asserted():
    assert {p.stem for p in RESEARCH_DIR.glob("*.rq")} == set(ANSWERS) | {"02-redactionele-toolkoppelingen"}
