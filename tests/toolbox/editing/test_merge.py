"""Merging after a save conflict: which fields differ, which side each defaults to, taking a side."""

from __future__ import annotations

from rdflib import URIRef

from toolbox.editing.form import empty_values, token_of
from toolbox.editing.merge import (
    MINE,
    THEIRS,
    apply_choices,
    base_text,
    choices_from_form,
    differences,
    other_version,
)


def values(**changes) -> dict:
    out = empty_values()
    out.update(title="Parkzone", abstract="Een park.\n\nMet bomen.", theme=["thema/groen"],
               municipality=["gemeente/leiden"], scale="schaal/wijk")
    out.update(changes)
    return out


def test_only_fields_that_differ_are_compared_in_form_order():
    mine = values(title="Parkzone Oost", theme=["thema/water", "thema/groen"])
    theirs = values(abstract="Een park met bomen.", theme=["thema/groen", "thema/water"])
    found = differences(mine, theirs, None)
    assert [d.name for d in found] == ["title", "abstract"]  # the same themes in another order are equal
    assert all(d.default == MINE and d.changed_by_me is None for d in found)


def test_whitespace_and_line_order_that_a_save_would_drop_are_no_difference():
    mine = values(abstract="Een park.\r\n\r\nMet bomen.  ", url="https://b.example\nhttps://a.example")
    theirs = values(url="https://a.example\n\nhttps://b.example\n")
    assert differences(mine, theirs, None) == []


def test_a_top_knelpunt_counts_as_reported_on_both_sides():
    mine = values(knelpunt=["knelpunt/a"], top_knelpunt=["knelpunt/b"])
    theirs = values(knelpunt=["knelpunt/a", "knelpunt/b"], top_knelpunt=["knelpunt/b"])
    assert differences(mine, theirs, None) == []


def test_with_the_base_a_field_only_they_changed_defaults_to_theirs():
    base = values()
    mine = values(title="Parkzone Oost")                      # I changed the title
    theirs = values(abstract="Hun nieuwe samenvatting.",      # they changed the summary
                    title="Parkzone West")                    # and the title too
    found = {d.name: d for d in differences(mine, theirs, base)}
    assert found["abstract"].default == THEIRS
    assert (found["abstract"].changed_by_me, found["abstract"].changed_by_them) == (False, True)
    assert found["title"].default == MINE
    assert (found["title"].changed_by_me, found["title"].changed_by_them) == (True, True)


def test_choosing_theirs_takes_their_value_and_leaves_the_rest():
    mine = values(title="Mijn titel", theme=["thema/water"])
    theirs = values(title="Hun titel", theme=["thema/groen", "thema/mobiliteit"], abstract="Hun tekst.")
    merged = apply_choices(mine, theirs, {"theme": THEIRS, "title": MINE, "slug": THEIRS})
    assert merged["title"] == "Mijn titel"
    assert merged["theme"] == ["thema/groen", "thema/mobiliteit"]
    assert merged["abstract"] == mine["abstract"]  # not chosen: what the form sent
    merged["theme"].append("x")
    assert theirs["theme"] == ["thema/groen", "thema/mobiliteit"]  # a copy, not their list


def test_choices_from_a_form_accept_only_mine_or_theirs_for_known_fields():
    form = {"keuze-title": "hun", "keuze-abstract": "mijn", "keuze-theme": "alles", "keuze-onbekend": "hun"}
    assert choices_from_form(form.get) == {"title": THEIRS, "abstract": MINE}


def test_the_base_version_is_found_in_the_history_by_its_token(tmp_path):
    older, base = b"@prefix a: <x#> .\n# oud\n", b"@prefix a: <x#> .\n# basis\n"
    (tmp_path / "20261201T100000000000Z.ttl").write_bytes(older)
    (tmp_path / "20261202T100000000000Z.ttl").write_bytes(base)
    (tmp_path / "niet-een-versie.ttl").write_bytes(base)
    assert base_text(tmp_path, token_of(base)) == base.decode()
    assert base_text(tmp_path, token_of(b"iets anders")) is None
    assert base_text(tmp_path, "nieuw") is None
    assert base_text(tmp_path / "bestaat-niet", token_of(base)) is None


def test_who_and_when_come_from_the_provenance_of_the_newest_version():
    text = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://toolbox-openbare-ruimte.nl/id/casus/parkzone>
    dcterms:modified "2026-12-07T10:15:00Z"^^xsd:dateTime ;
    prov:wasAttributedTo <https://toolbox-openbare-ruimte.nl/id/account/acc-1a2b3c4d> .
"""
    other = other_version(text, URIRef("https://toolbox-openbare-ruimte.nl/id/casus/parkzone"))
    assert other.account_id == "acc-1a2b3c4d" and other.modified.startswith("2026-12-07T10:15:00")
    assert other_version("dit is geen turtle <", URIRef("https://toolbox-openbare-ruimte.nl/id/casus/x")) is None
    assert other_version(None, URIRef("https://toolbox-openbare-ruimte.nl/id/casus/x")) is None
