"""New knelpunten, themes and tools (toolbox/editing/review/additions.py): checked like a save, refused with
Dutch messages at the field, written as their own file that the whole content still validates with."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from toolbox.config import REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor
from toolbox.editing.form import Conflict
from toolbox.editing.review import additions
from toolbox.graph.validate import validate_content
from toolbox.namespaces import TOR

AUTHOR, REVIEWER = "acc-auteur1", "acc-lezer02"
BASE = "https://toolbox-openbare-ruimte.nl"

PROPOSALS = {
    "knelpunt": {"naam": "Onderhoudsbudget volgt de projectplanning niet", "dimensie": ["dimensie/b"],
                 "omschrijving": "Het geld voor beheer komt pas vrij als het project al klaar is.",
                 "bron": ["bron/probleemanalyse"]},
    "thema": {"naam": "Veiligheid", "andere_namen": "Sociale veiligheid\nVerlichting",
              "definitie": "Opgave om de openbare ruimte veilig te laten voelen, overdag en 's avonds.",
              "omschrijving": "Een openbare ruimte waar mensen zich ook 's avonds veilig voelen.",
              "bron_links": "https://www.example.org/veilige-straat"},
    "tool": {"naam": "Koppelkansenkaart", "tegeltekst": "Zet de geplande werken van alle partijen op één kaart.",
             "in_het_kort": "Een kaart die laat zien waar werken van verschillende partijen samenvallen.",
             "categorie": ["toolcategorie/gesprekstool-transitieopgaven"], "niveau": ["niveau/tactisch"],
             "links": "https://www.example.org/kaart", "bron": ["bron/toolbox"]},
}


@pytest.fixture
def editor(tmp_path) -> CaseEditor:
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    return CaseEditor(Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build",
                               instance_dir=tmp_path / "instance"))


@pytest.mark.parametrize("name", sorted(PROPOSALS))
def test_a_proposal_is_published_as_its_own_valid_file(editor, name):
    kind = additions.kind_of(name)
    prepared = additions.prepare(editor, kind, PROPOSALS[name], AUTHOR, approver=REVIEWER)
    assert prepared.ok, (prepared.errors, prepared.general)
    additions.publish(editor, kind, prepared)
    path = editor.settings.content_dir / kind.folder / f"{prepared.slug}.ttl"
    graph = Graph().parse(path, format="turtle")
    uri = URIRef(f"{BASE}/id/{name}/{prepared.slug}")
    assert (uri, SKOS.prefLabel, None) in graph and (uri, DCTERMS.source, None) in graph
    assert str(graph.value(uri, PROV.wasAttributedTo)).endswith(AUTHOR)
    assert (None, PROV.hadRole, TOR.approver) in graph
    report = validate_content(editor.settings, owl=False)
    assert not report.problems, [p.message for p in report.problems][:5]
    with pytest.raises(Conflict):  # published meanwhile by someone else: never overwritten
        additions.publish(editor, kind, prepared)


def test_missing_fields_and_a_taken_address_are_named_at_the_field(editor):
    kind = additions.kind_of("knelpunt")
    empty = additions.prepare(editor, kind, {"naam": "Iets"}, AUTHOR)
    assert not empty.ok and empty.text is None
    assert empty.errors["omschrijving"] == ["Vul omschrijving in."]
    assert empty.errors["dimensie"] == ["Kies minstens één dimensies."]
    assert "kies een bron of vul een link in" in empty.errors["bron"][0]
    taken = additions.prepare(editor, kind, {**PROPOSALS["knelpunt"], "slug": "tactisch-gat"}, AUTHOR)
    assert "al in gebruik" in taken.errors["slug"][0]
    unknown = additions.prepare(editor, kind, {**PROPOSALS["knelpunt"], "dimensie": ["dimensie/z"]}, AUTHOR)
    assert not unknown.ok and any("dimensie" in m for m in unknown.general)
    theme = additions.prepare(editor, additions.kind_of("thema"), {**PROPOSALS["thema"], "definitie": ""}, AUTHOR)
    assert theme.errors["definitie"] == ["Vul definitie in."]
    with pytest.raises(Exception, match="kan niet worden voorgesteld"):
        additions.kind_of("casus")
