"""Research questions (toolbox/queries/research/*.rq) answered by the built store; answers checked by reading
the sources (OT3 appendix, toolbox step pages, process plate)."""

from __future__ import annotations

import pytest

from toolbox.sparql.service import RESEARCH_DIR

ID = "https://toolbox-openbare-ruimte.nl/id/"
TACTISCH_GAT = "Tactisch gat: een kader voor 4 tot 10 jaar ontbreekt"
BIJLAGEN, WERKBOEK = "Bijlagen verdieping probleemanalyse", "Werkboek City Deal Openbare Ruimte"
ANSWERS = {
    "01-tools-op-stappagina-richting-do": [("Integraal Gebiedsplan",), ("Integrale Ontwerpmethode Openbare Ruimte",)],
    "03-top-3-tilburg": [("1", TACTISCH_GAT),
                         ("2", "Verbinding tussen fysiek en sociaal domein ontbreekt"),
                         ("3", "Geen budget voor koppelkansen")],
    "04-tactisch-gat-in-top-3": [("Herinrichting Groenewoud",), ("Naar een toekomstbestendige Bomenbuurt",),
                                 ("Sprenkelaar, samen aan de slag in de wijk!",),
                                 ("Wallengebied, integrale ontwerpaanpak",)],
    "05-kernwoorden-amsterdam": [("Aanbesteding",), ("Gezamenlijke uitvoering",)],
    "06-dordrecht-sectorale-organisatie": [(ID + "knelpunt/sectorale-organisatie",)],
    "07-casussen-met-interviewtabel": [("4",)],
    "08-niveau-projectteam": [(ID + "niveau/uitvoering",)],
    "09-tools-op-stappagina-voorbereiding-aanbesteding": [
        ("Ambitieweb",), ("Factor C",), ("Integraal Gebiedsplan",), ("MVI-criteriatool",)],
    "10-tools-op-stappagina-analyse-richting-vo": [("6",)],  # Maatlat, IGP, IOOR, Factor C, BREEAM, VER
    "11-top-3-den-haag": [("1", "Koppelkansen niet geborgd in de projectopdracht"), ("2", TACTISCH_GAT),
                          ("3", "Data en informatie worden onvoldoende benut")],
    "12-top-3-apeldoorn": [("1", TACTISCH_GAT), ("2", "Koppelkansen niet geborgd in de projectopdracht"),
                           ("3", "Inzicht en kaders om te prioriteren ontbreken")],
    "13-top-3-amsterdam": [("1", TACTISCH_GAT), ("2", "Verbinding tussen fysiek en sociaal domein ontbreekt"),
                           ("3", "Marktpartijen krijgen weinig ruimte")],
    "14-top-3-dordrecht": [("1", "Geen budget voor sociale opgaven in de openbare ruimte"),
                           ("2", "Onduidelijk welke opgave leidend is"),
                           ("3", "Inzicht en kaders om te prioriteren ontbreken")],
    "15-top-3-bij-meer-casussen": [(TACTISCH_GAT, "4"), ("Inzicht en kaders om te prioriteren ontbreken", "2"),
                                   ("Koppelkansen niet geborgd in de projectopdracht", "2"),
                                   ("Verbinding tussen fysiek en sociaal domein ontbreekt", "2")],
    "16-kernwoorden-per-interviewtabel": [("Herinrichting Groenewoud", "8"), ("Integrale aanpak Crabbehof", "6"),
                                          ("Naar een toekomstbestendige Bomenbuurt", "9"),
                                          ("Wallengebied, integrale ontwerpaanpak", "2")],
    "17-kernwoord-in-drie-tabellen": [("Sectorale organisatie",)],
    "18-ot3-casussen-zonder-interviewtabel": [("Inrichtingsleidraad openbare ruimte Groningen",),
                                              ("Proeftuin Aardgasvrij De Wijert",),
                                              ("Sprenkelaar, samen aan de slag in de wijk!",)],
    "19-casussen-in-werkboek-en-ot3": [("Herinrichting Groenewoud",),
                                       ("Inrichtingsleidraad openbare ruimte Groningen",),
                                       ("Naar een toekomstbestendige Bomenbuurt",),
                                       ("Proeftuin Aardgasvrij De Wijert",),
                                       ("Sprenkelaar, samen aan de slag in de wijk!",),
                                       ("Wallengebied, integrale ontwerpaanpak",)],
    "20-gemeente-met-twee-ot3-casussen": [("Gemeente Groningen", "2")],
    "21-casussen-met-code-in-werkboek": [("19",)],
    "22-casussen-per-cluster": [("A", "4"), ("B", "7"), ("C", "5"), ("D", "3")],
    "23-rollen-met-b2-kaart": [("11",)],
    "24-zorgvuldig-en-zaakgericht": [("Assetmanager",), ("Informatiemanager",), ("Planning- en controlmedewerker",)],
    "25-competenties-ambtelijk-opdrachtgever-uit-essay": [
        ("Diplomatiek opereren",), ("Doorzettingskracht",),
        ("Verwachtingen managen",)],
    # ambtelijk en bestuurlijk opdrachtgever, opgavemanager, lijnmanager, projectleider
    "26-besluitvaardig-op-kaart": [("5",)],
    "27-ambitiebewaker-richting-do": [("Transitiemanager",)],
    "28-teams-bij-middagsessie-d": [("OT3",), ("OT4",)],
    "29-leidende-partij-per-projecttype": [
        ("Beheergestuurd project", "Stadsbeheer"), ("Herstructureringsproject", "Stadsbeheer"),
        ("Herstructureringsproject", "Stadsontwikkeling"), ("Ontwikkelinggestuurd project", "Stadsontwikkeling"),
        ("Transitiegestuurd project", "Beleidsafdelingen"), ("Wijkgericht project", "Sociaal domein")],
    # A: OT2, OT6; B: OT1, OT2, OT5; C: OT1, OT3; D: OT3, OT4
    "30-middagsessies-per-ontwikkelteam": [("OT1", "2"), ("OT2", "2"), ("OT3", "2"), ("OT4", "1"), ("OT5", "1"),
                                           ("OT6", "1")],
    "31-tools-van-amsterdam": [("Integrale Ontwerpmethode Openbare Ruimte",),
                               ("Puntensysteem natuurinclusief bouwen",)],
    "33-bedragen-in-casussen": [("Transformatie Dordwijkzone naar Stadspark XXL", "55000000"),
                                ("Proeftuin Aardgasvrij De Wijert", "4000000")],
    "34-tijdshorizons-van-rollen": [("Assetmanager", "3", "None"), ("Beleidsmaker", "10", "None"),
                                    ("Projectleider", "None", "2")],
    "35-namen-dordrecht-per-document": [
        ("Integrale aanpak Crabbehof", "Casus 5: Dordrecht", BIJLAGEN),
        ("Integrale aanpak Crabbehof", "Integrale aanpak Crabbehof", BIJLAGEN),
        ("Revitalisering Componistenbuurt", "Buurtaanpak De Staart", WERKBOEK),
        ("Revitalisering Componistenbuurt", "D3", WERKBOEK),
        ("Revitalisering Componistenbuurt", "Revitalisering Componistenbuurt", WERKBOEK),
        ("Transformatie Dordwijkzone naar Stadspark XXL", "A2", WERKBOEK),
        ("Transformatie Dordwijkzone naar Stadspark XXL", "Transformatie Dordwijkzone naar Stadspark XXL", WERKBOEK)],
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


def test_every_step_tool_and_case_knelpunt_link_has_a_source_place_or_an_editor(real_store):
    """The issue's test of done: a query tells, for every link, which passage or which editor it comes from."""
    result = real_store.select((RESEARCH_DIR / "32-herkomst-van-elke-koppeling.rq").read_text(encoding="utf-8"))
    links: dict[tuple, list] = {}
    for row in result:
        links.setdefault((row["kind"], row["from"], row["to"]), []).append(row)
    direct = real_store.select("""
        PREFIX tor: <https://toolbox-openbare-ruimte.nl/def/tor#>
        SELECT (COUNT(*) AS ?n) WHERE {
          { SELECT DISTINCT ?s ?t WHERE { ?s tor:toolRecommendation ?r . ?r tor:recommendedTool ?t } }
          UNION { SELECT DISTINCT ?s ?t WHERE { ?s tor:reportsKnelpunt|tor:topKnelpunt ?t } } }""")
    assert len(links) == int(next(iter(direct))["n"]) > 200
    for key, rows in links.items():
        assert all((r["place"] and r["document"]) or (r["editor"] and r["when"] and r["why"]) for r in rows), key
    kinds = {k for k, _, _ in links}
    assert kinds == {"stap-tool", "casus-knelpunt"}
    editorial = {(str(f).rsplit("/", 1)[1], str(t).rsplit("/", 1)[1]) for (k, f, t), rows in links.items()
                 if k == "stap-tool" and not rows[0]["place"]}
    assert len(editorial) == 7


def test_every_research_question_is_asserted():
    assert {p.stem for p in RESEARCH_DIR.glob("*.rq")} == set(ANSWERS) | {
        "02-redactionele-toolkoppelingen", "32-herkomst-van-elke-koppeling"}
    assert len(list(RESEARCH_DIR.glob("*.rq"))) >= 25
