"""Drafts and review (toolbox/editing/review/drafts.py): the store, the state machine with its refusals, publishing
through the editor's gate with the approver as PROV-O, and new gemeenten from the shipped CBS list."""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import replace

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from toolbox.config import REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor
from toolbox.editing.form import Conflict, Invalid, empty_values
from toolbox.editing.review import municipality
from toolbox.editing.review.drafts import (
    CONCEPT,
    REJECTED,
    REVIEW,
    DraftError,
    DraftStore,
    draft_case,
    publish_case,
)
from toolbox.editing.validation import shacl_errors
from toolbox.graph.validate import validate_content
from toolbox.namespaces import TOR
from toolbox.operations.backup import backup

AUTHOR, REVIEWER = "acc-auteur1", "acc-lezer02"
BASE = "https://toolbox-openbare-ruimte.nl"


@pytest.fixture
def editor(tmp_path) -> CaseEditor:
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    return CaseEditor(Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build",
                               instance_dir=tmp_path / "instance"))


def values(**changes) -> dict:
    result = empty_values()
    result.update({
        "title": "Speelstraat Molenwijk", "municipality": ["gemeente/leiden"], "scale": "schaal/wijk",
        "theme": ["thema/mobiliteit"], "abstract": "Een straat die op woensdag van de kinderen is.",
        "source": ["bron/werkboek"], "knelpunt": ["knelpunt/tactisch-gat"],
    })
    result.update(changes)
    return result


def content_files(editor) -> dict[str, bytes]:
    root = editor.settings.content_dir
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.ttl"))}


def save_draft(editor, store, vals, slug=None, account=AUTHOR):
    return draft_case(editor, store, vals, slug, account)[0]


def test_a_draft_lives_outside_content_and_publishing_needs_a_second_editor(editor):
    store = DraftStore(editor.settings)
    before = content_files(editor)
    draft = save_draft(editor, store, values())
    assert (draft.slug, draft.state, draft.author, draft.valid) == ("speelstraat-molenwijk", CONCEPT, AUTHOR, True)
    assert (editor.settings.instance_dir / "drafts/casus/speelstraat-molenwijk.json").exists()
    assert "Speelstraat Molenwijk" in store.turtle("casus", draft.slug)
    assert content_files(editor) == before  # nothing published
    assert [d.slug for d in store.list_drafts(author=AUTHOR)] == [draft.slug]
    assert store.list_drafts(author=REVIEWER) == []

    with pytest.raises(DraftError) as refused:  # not yet offered for review
        store.approve("casus", draft.slug, REVIEWER, lambda d: publish_case(editor, d, REVIEWER))
    assert refused.value.status == 409
    store.submit("casus", draft.slug, AUTHOR)
    with pytest.raises(DraftError) as own:  # four eyes: the author cannot publish their own draft
        store.approve("casus", draft.slug, AUTHOR, lambda d: publish_case(editor, d, AUTHOR))
    assert own.value.status == 403 and "vier-ogen" in str(own.value)
    with pytest.raises(DraftError):  # and cannot change it while it is under review
        save_draft(editor, store, values(title="Speelstraat Molenwijk", abstract="Anders."))
    assert content_files(editor) == before and store.get("casus", draft.slug).state == REVIEW

    result = store.approve("casus", draft.slug, REVIEWER, lambda d: publish_case(editor, d, REVIEWER))
    assert result.slug == draft.slug and store.get("casus", draft.slug) is None
    graph = Graph().parse(editor.path_for(draft.slug))
    uri = URIRef(f"{BASE}/id/casus/{draft.slug}")
    assert graph.value(uri, PROV.wasAttributedTo) == URIRef(f"{BASE}/id/account/{AUTHOR}")
    attribution = graph.value(uri, PROV.qualifiedAttribution)
    assert (attribution, RDF.type, PROV.Attribution) in graph
    assert graph.value(attribution, PROV.agent) == URIRef(f"{BASE}/id/account/{REVIEWER}")
    assert graph.value(attribution, PROV.hadRole) == TOR.approver
    assert graph.value(uri, DCTERMS.dateAccepted) is not None
    # the published file reads back into the form, and a later save drops the old approval
    vals, status, token, extras = editor.load(draft.slug)
    again = editor.prepare(vals, draft.slug, AUTHOR, status=status, extras=extras)
    assert again.ok and "qualifiedAttribution" not in again.text and "dateAccepted" not in again.text


def test_an_invalid_draft_is_kept_with_its_problems_and_cannot_be_published(editor):
    store = DraftStore(editor.settings)
    before = content_files(editor)
    draft = save_draft(editor, store, values(theme=[], abstract=""))
    assert not draft.valid and set(draft.errors) >= {"theme", "abstract"}
    assert any("thema" in m for m in draft.problems)
    store.submit("casus", draft.slug, AUTHOR)
    with pytest.raises(Invalid) as refused:
        store.approve("casus", draft.slug, REVIEWER, lambda d: publish_case(editor, d, REVIEWER))
    assert refused.value.status == 400 and "theme" in refused.value.errors
    assert content_files(editor) == before  # nothing changed in content/
    assert store.get("casus", draft.slug).state == REVIEW  # the draft is still there, as it was


def test_send_back_with_a_remark_then_edit_again(editor):
    store = DraftStore(editor.settings)
    draft = save_draft(editor, store, values())
    store.submit("casus", draft.slug, AUTHOR)
    with pytest.raises(DraftError) as empty:
        store.reject("casus", draft.slug, REVIEWER, "   ")
    assert empty.value.status == 400
    with pytest.raises(DraftError) as own:
        store.reject("casus", draft.slug, AUTHOR, "Zelf afkeuren")
    assert own.value.status == 403
    sent_back = store.reject("casus", draft.slug, REVIEWER, "Noem ook de wijk in de samenvatting.")
    assert (sent_back.state, sent_back.reviewer, sent_back.remark) == (REJECTED, REVIEWER,
                                                                      "Noem ook de wijk in de samenvatting.")
    with pytest.raises(DraftError) as other:  # another editor cannot overwrite the author's draft
        save_draft(editor, store, values(), account=REVIEWER)
    assert other.value.status == 409
    again = save_draft(editor, store, values(abstract="Een straat in de Molenwijk die op woensdag speelstraat is."))
    assert again.state == CONCEPT and [e["wat"] for e in again.events] == [
        "aangemaakt", "ter beoordeling aangeboden", "teruggestuurd", "bewerkt"]


def test_without_four_eyes_the_author_publishes_directly(editor):
    store = DraftStore(replace(editor.settings, four_eyes=False))
    draft = save_draft(editor, store, values())
    store.approve("casus", draft.slug, AUTHOR, lambda d: publish_case(editor, d, AUTHOR))
    assert editor.path_for(draft.slug).exists()


def test_a_draft_of_an_existing_case_conflicts_when_the_case_changed_meanwhile(editor):
    store = DraftStore(editor.settings)
    slug = sorted(editor.folder.glob("*.ttl"))[0].stem
    vals, status, token, extras = editor.load(slug)
    draft = save_draft(editor, store, dict(vals, notation="Z9"), slug=slug)
    assert draft.base_token == token
    meanwhile = editor.prepare(dict(vals, methods="Een werkwijze die intussen is toegevoegd."), slug, REVIEWER,
                               status=status, extras=extras)
    editor.save(meanwhile, token, REVIEWER, "bewerkt")
    current = editor.read(slug)
    store.submit("casus", slug, AUTHOR)
    with pytest.raises(Conflict):
        store.approve("casus", slug, REVIEWER, lambda d: publish_case(editor, d, REVIEWER))
    assert editor.read(slug) == current and store.get("casus", slug) is not None
    # the author consciously bases the draft on the newest version; then it can be published
    with pytest.raises(DraftError):  # not while under review
        store.rebase("casus", slug, AUTHOR, editor.load(slug)[2])
    store.reject("casus", slug, REVIEWER, "De casus is intussen gewijzigd.")
    with pytest.raises(DraftError) as other:
        store.rebase("casus", slug, REVIEWER, editor.load(slug)[2])
    assert other.value.status == 403
    store.rebase("casus", slug, AUTHOR, editor.load(slug)[2])
    store.submit("casus", slug, AUTHOR)
    store.approve("casus", slug, REVIEWER, lambda d: publish_case(editor, d, REVIEWER))
    assert 'skos:notation "Z9"' in editor.read(slug).decode()


def test_bad_addresses_and_kinds_are_refused(editor):
    store = DraftStore(editor.settings)
    for kind, slug in [("casus", "../geheim"), ("casus", "A B"), ("rol", "wijkregisseur")]:
        with pytest.raises(DraftError) as refused:
            store.get(kind, slug)
        assert refused.value.status == 404
    with pytest.raises(DraftError) as no_address:
        save_draft(editor, store, values(title="", slug=""))
    assert no_address.value.status == 422


# ---------------------------------------------------------------------------
# Gemeenten

def test_the_shipped_list_has_every_municipality_once_with_a_cbs_code():
    rows = list(csv.DictReader((REPO_ROOT / "toolbox/data/gemeenten.csv").open(encoding="utf-8")))
    assert len(rows) == 342
    assert all(re.fullmatch(r"GM\d{4}", r["code"]) and r["naam"].strip() for r in rows)
    assert len({r["code"] for r in rows}) == 342 and len({r["naam"] for r in rows}) == 342
    assert municipality.municipalities()["GM0363"] == "Amsterdam"


def test_the_list_agrees_with_the_gemeenten_in_the_content(editor):
    known = municipality.known_codes(editor)
    assert len(known) == 11
    for code in known:
        assert code in municipality.municipalities()


def test_a_new_gemeente_goes_through_review_and_validates_like_the_content(editor):
    store = DraftStore(editor.settings)
    vals = municipality.values_for("GM0344")
    assert vals == {"code": "GM0344", "naam": "Utrecht", "slug": "utrecht"}
    prepared = municipality.prepare(editor, vals, AUTHOR)
    assert prepared.ok, prepared.general
    store.save_draft("gemeente", "utrecht", vals, AUTHOR)
    store.submit("gemeente", "utrecht", AUTHOR)
    with pytest.raises(DraftError):
        store.approve("gemeente", "utrecht", AUTHOR,
                      lambda d: municipality.publish(editor, municipality.prepare(editor, d.values, d.author, AUTHOR)))
    store.approve("gemeente", "utrecht", REVIEWER,
                  lambda d: municipality.publish(editor, municipality.prepare(editor, d.values, d.author, REVIEWER)))
    path = editor.settings.content_dir / "gemeenten/utrecht.ttl"
    text = path.read_text()
    assert '"GM0344"' in text and "tooi/id/gemeente/gm0344" in text and "tor:approver" in text
    # the whole content, with the new file, passes `toolbox validate` (SHACL, without OWL)
    report = validate_content(editor.settings, owl=False)
    assert not [p for p in report.problems if "utrecht" in p.file], report.problems
    # a case can now use it
    case = editor.prepare(values(title="Kade Utrecht", municipality=["gemeente/utrecht"]), None, AUTHOR)
    assert case.ok, (case.errors, case.general)


def test_a_gemeente_already_in_the_content_or_unknown_is_refused(editor):
    before = content_files(editor)
    prepared = municipality.prepare(editor, {"code": "GM0363"}, AUTHOR)  # Amsterdam is there already
    assert not prepared.ok and "Amsterdam" in prepared.general[0]
    with pytest.raises(Invalid):
        municipality.publish(editor, prepared)
    with pytest.raises(Exception, match="Kies een gemeente"):
        municipality.values_for("GM9999")
    assert content_files(editor) == before


def test_the_approval_shape_refuses_a_wrong_role(editor):
    graph = municipality.municipality_graph(municipality.values_for("GM0344"), AUTHOR, "2026-12-07T10:00:00Z",
                                            REVIEWER)
    attribution = next(graph.objects(None, PROV.qualifiedAttribution))
    graph.set((attribution, PROV.hadRole, TOR.somethingElse))
    uri = URIRef(f"{BASE}/id/gemeente/utrecht")
    data = Graph() + graph
    data.add((URIRef(f"{BASE}/id/organisatietype/gemeente"), RDF.type, TOR.OrganisationType))
    errors, general = shacl_errors(editor.settings, data, uri, graph)
    assert any("tor:approver" in m for m in general + [m for ms in errors.values() for m in ms])


def test_drafts_are_in_the_backup(editor, tmp_path):
    from toolbox.operations.backup import read_archive

    store = DraftStore(editor.settings)
    save_draft(editor, store, values())
    backup(editor.settings, tmp_path / "kopie.tar.gz")
    _, files = read_archive(tmp_path / "kopie.tar.gz")
    assert "instance/drafts/casus/speelstraat-molenwijk.json" in files
    assert "instance/drafts/casus/speelstraat-molenwijk.ttl" in files


def test_a_proposal_never_overwrites_a_draft_and_publishes_its_status(editor):
    store = DraftStore(editor.settings)
    slug = "herinrichting-groenewoud"
    current, _, _, _ = editor.load(slug)
    typed = dict(current, lessons="Tekst die de auteur in het concept typte.")
    draft_case(editor, store, dict(typed, slug=slug), slug, AUTHOR)
    with pytest.raises(DraftError) as refused:
        draft_case(editor, store, dict(current, slug=slug), slug, AUTHOR, status="gearchiveerd", fresh=True,
                   action="gearchiveerd")
    assert refused.value.status == 409
    assert store.get("casus", slug).values["lessons"] == "Tekst die de auteur in het concept typte."
    store.discard("casus", slug, AUTHOR)
    proposal, _ = draft_case(editor, store, dict(current, slug=slug), slug, AUTHOR, status="gearchiveerd",
                             fresh=True, action="gearchiveerd")
    assert (proposal.status, proposal.action) == ("gearchiveerd", "gearchiveerd")
    again, _ = draft_case(editor, store, dict(current, slug=slug), slug, AUTHOR)  # editing keeps the proposal
    assert (again.status, again.action) == ("gearchiveerd", "gearchiveerd")
    store.submit("casus", slug, AUTHOR)
    store.approve("casus", slug, REVIEWER, lambda d: publish_case(editor, d, REVIEWER))
    assert editor.load(slug)[1] == "gearchiveerd"
    newest = editor.entries(slug)[0]
    assert newest.action == "gearchiveerd" and newest.approved_by == REVIEWER
