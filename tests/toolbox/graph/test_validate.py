"""Each constraint has a broken fixture that must fail with the exact entity and Dutch message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolbox.config import Settings
from toolbox.graph.validate import validate_content

ID = "https://toolbox-openbare-ruimte.nl/id/"


def mutate(content: Path, file: str, remove: str | None = None, add: str = "") -> None:
    """Remove the first line matching `remove` (a regex) and append `add` to a fixture file."""
    path = content / file
    text = path.read_text(encoding="utf-8")
    if remove:
        text, n = re.subn(remove, "", text, count=1, flags=re.MULTILINE)
        assert n == 1, f"patroon {remove!r} niet gevonden in {file}"
    path.write_text(text + "\n" + add + "\n", encoding="utf-8")


# (id, file, regex to remove, turtle to add, expected entity, expected message)
BROKEN = [
    ("geen-nederlandse-naam", "mensen.ttl", r'skos:prefLabel "Vertrouwen"@nl ;',
     'randvoorwaarde:vertrouwen skos:prefLabel "Trust"@en .', ID + "randvoorwaarde/vertrouwen",
     "Een Nederlandse naam (taal 'nl') is verplicht."),
    ("lege-naam", "mensen.ttl", r'skos:prefLabel "Cultuur"@nl ;',
     'notitie:cultuur skos:prefLabel "   "@nl .', ID + "notitie/cultuur",
     "De naam mag niet leeg zijn, niet langer dan 300 tekens, en maar één keer per taal voorkomen."),
    ("beschrijving-te-kort", "mensen.ttl", r'dcterms:description "Elke organisatie heeft een eigen cultuur."@nl ;',
     'notitie:cultuur dcterms:description "Kort"@nl .', ID + "notitie/cultuur",
     "Een beschrijving is een tekst van 10 tot 8000 tekens met taalcode 'nl' (hooguit één per taal)."),
    ("stap-zonder-niveau", "proces.ttl", r"tor:level niveau:uitvoering ; tor:order 2 ;", "stap:ontwerp tor:order 2 .",
     ID + "stap/ontwerp", "Een stap hoort bij precies één bestaand niveau."),
    ("stap-twee-niveaus", "proces.ttl", None, "stap:ontwerp tor:level niveau:tactisch .",
     ID + "stap/ontwerp", "Een stap hoort bij precies één bestaand niveau."),
    ("volgorde-dubbel", "proces.ttl", r"tor:level niveau:uitvoering ; tor:order 2 ;",
     "stap:ontwerp tor:level niveau:uitvoering ; tor:order 1 .", ID + "stap/ontwerp",
     "Het volgnummer van deze stap komt al voor bij een andere stap op hetzelfde niveau."),
    ("vraag-zonder-aspect", "proces.ttl", r"tor:aspect aspect:scope ; tor:order 1 ;",
     "vraag:opdrachtbrief-01 tor:order 1 .", ID + "checklistvraag/opdrachtbrief-01",
     "Een checklistvraag hoort bij precies één aspect (scope, tijd, geld, kwaliteit, risico's of organisatie)."),
    ("tool-zonder-categorie", "proces.ttl", r"tor:category categorie:afwegen ; ", "", ID + "tool/ambitieweb",
     "Een tool hoort in minstens één bestaande categorie."),
    ("tool-zonder-niveau", "proces.ttl", r"tor:suitableLevel niveau:uitvoering ;", "", ID + "tool/ambitieweb",
     "Geef minstens één niveau op waarvoor de tool geschikt is."),
    ("casus-zonder-gemeente", "casus.ttl", r"tor:municipality gemeente:toetsstad ; ", "", ID + "casus/toetswijk",
     "Een casus heeft een gemeente nodig."),
    ("casus-zonder-schaal", "casus.ttl", r"tor:scale schaal:wijk ;", "", ID + "casus/toetswijk",
     "Een casus heeft precies één schaal (bijvoorbeeld buurt, wijk of stad)."),
    ("casus-zonder-thema", "casus.ttl", r"tor:theme thema:klimaatadaptatie ; ", "", ID + "casus/toetswijk",
     "Een casus heeft minstens één thema nodig."),
    ("einde-voor-begin", "casus.ttl", r'tor:endYear "2023"\^\^xsd:gYear ;',
     'casus:toetswijk tor:endYear "2018"^^xsd:gYear .',
     ID + "casus/toetswijk", "Het beginjaar ligt na het eindjaar: een periode kan niet eindigen voordat hij begint."),
    ("onbekend-knelpunt", "casus.ttl", None, "casus:toetswijk tor:reportsKnelpunt knelpunt:bestaat-niet .",
     ID + "casus/toetswijk", "Een gemeld knelpunt moet een bestaand knelpunt zijn."),
    ("verkeerde-klasse", "casus.ttl", None, "casus:toetswijk tor:usedStep tool:ambitieweb .",
     ID + "casus/toetswijk", "Een doorlopen stap moet een bestaande processtap zijn."),
    ("link-geen-http", "proces.ttl", None, "tool:ambitieweb schema:url <ftp://example.org/x> .",
     ID + "tool/ambitieweb", "Een link moet een webadres zijn dat met http:// of https:// begint."),
    ("slug-hoofdletters", "mensen.ttl", None,
     '<https://toolbox-openbare-ruimte.nl/id/notitie/Grote_Letters> a tor:OrganisationNote ; skos:prefLabel "X"@nl ; '
     'dcterms:description "Een notitie met een foute slug."@nl ; dcterms:source bron:toets ; '
     'dcterms:modified "2026-11-22"^^xsd:date .',
     ID + "notitie/Grote_Letters",
     "Het adres (slug) mag alleen kleine letters, cijfers en losse streepjes bevatten en moet de vorm "
     "/id/{type}/{slug} hebben."),
    ("aanbeveling-zonder-reden", "proces.ttl", r'tor:reason "Helpt ambities samen vast te leggen."@nl ; ', "",
     ID + "toolaanbeveling/opdracht--ambitieweb",
     "Een toolaanbeveling geeft in een zin van 10 tot 2000 tekens aan waarom de tool helpt."),
    ("knelpunt-zonder-dimensie", "mensen.ttl", r"tor:dimension dimensie:a ;", "", ID + "knelpunt/geen-budget",
     "Een knelpunt hoort bij minstens één bestaande dimensie (A tot en met F)."),
    ("wijzigingsdatum-ontbreekt", "casus.ttl",
     r'(?<=tor:goal "Integraal uitvoeren mogelijk maken."@nl ;\n)'
     r'    dcterms:source bron:toets ; dcterms:modified "2026-11-22"\^\^xsd:date \.',
     "    dcterms:source bron:toets .", ID + "ontwikkelteam/ot3",
     "De datum van de laatste wijziging (dcterms:modified) ontbreekt of staat er meer dan één keer."),
]
BROKEN += [
    ("naam-ontbreekt", "mensen.ttl", r'skos:prefLabel "Besluitvaardig"@nl ; ', "", ID + "competentie/besluitvaardig",
     "Een naam is verplicht."),
]


def settings_for(content: Path) -> Settings:
    return Settings.from_env(content_dir=content)


def test_minimal_fixture_is_valid(minimal_copy):
    report = validate_content(settings_for(minimal_copy))
    assert report.ok, [p.line_text() for p in report.problems]


@pytest.mark.parametrize("case_id,file,remove,add,entity,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_fixture(minimal_copy, case_id, file, remove, add, entity, message):
    prefixes = (minimal_copy / file).read_text(encoding="utf-8").split("\n\n")[0]
    mutate(minimal_copy, file, remove, add)
    if "tool:" in add and "@prefix tool:" not in prefixes:
        mutate(minimal_copy, file, None, "@prefix tool: <https://toolbox-openbare-ruimte.nl/id/tool/> .")
    if "knelpunt:" in add and "@prefix knelpunt:" not in prefixes:
        mutate(minimal_copy, file, None, "@prefix knelpunt: <https://toolbox-openbare-ruimte.nl/id/knelpunt/> .")
    report = validate_content(settings_for(minimal_copy), owl=False)
    found = [(p.entity, p.message) for p in report.problems]
    assert (entity, message) in found, found
    problem = next(p for p in report.problems if (p.entity, p.message) == (entity, message))
    assert problem.file.endswith(file)


def test_missing_source_is_reported(minimal_copy):
    mutate(minimal_copy, "proces.ttl",
           r'(?<=dcterms:description "Een handboek met voorbeelden."@nl ;\n)    dcterms:source bron:toets ; ', "")
    report = validate_content(settings_for(minimal_copy), owl=False)
    assert (ID + "hulpmiddel/handboek", "Vermeld de bron (een brondocument of een link).") in [
        (p.entity, p.message) for p in report.problems
    ]


def test_duplicate_slug_across_files(minimal_copy):
    (minimal_copy / "dubbel.ttl").write_text(
        (minimal_copy / "proces.ttl").read_text(encoding="utf-8").split("\n\n")[0]
        + '\n\ntool:ambitieweb a tor:Tool ; skos:prefLabel "Nog een Ambitieweb"@nl .\n',
        encoding="utf-8",
    )
    report = validate_content(settings_for(minimal_copy), owl=False)
    dup = [p for p in report.problems if p.message.startswith("Dubbele slug")]
    assert dup and dup[0].entity == ID + "tool/ambitieweb"
    assert dup[0].file.endswith(("dubbel.ttl", "proces.ttl"))


def test_malformed_turtle_reports_file_and_line(minimal_copy):
    (minimal_copy / "kapot.ttl").write_text(
        '@prefix tor: <https://toolbox-openbare-ruimte.nl/def/tor#> .\n\n<x> tor:level "open string .\n',
        encoding="utf-8",
    )
    report = validate_content(settings_for(minimal_copy))
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.file.endswith("kapot.ttl") and problem.line == 3
    assert problem.message.startswith("Ongeldige Turtle-syntaxis")


def test_owl_reasoner_catches_disjointness(minimal_copy):
    from toolbox.graph.content import load_content
    from toolbox.graph.reasoning import check_consistency
    from toolbox.graph.validate import ontology_graph

    mutate(minimal_copy, "casus.ttl", None, "gemeente:toetsstad a <https://toolbox-openbare-ruimte.nl/def/tor#Case> .")
    loaded = load_content(minimal_copy)
    consistent, explanation = check_consistency(ontology_graph(settings_for(minimal_copy)), loaded.graph)
    assert not consistent
    assert "tegenstrijdig" in explanation


def test_real_content_is_valid(real_settings):
    report = validate_content(real_settings)
    assert report.ok, "\n".join(p.line_text() for p in report.problems[:40])
