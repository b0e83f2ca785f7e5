"""Drafts and review through /beheer with the Flask test client: a concept stays off the site, the author
cannot publish it with four eyes on (403), an invalid draft is refused (422) and content/ is unchanged,
a second editor publishes it, and a proposed gemeente becomes a choice in the case form. With four eyes
(the default of this site) nothing publishes at once: a direct save is refused with the text kept, and
archiving or restoring becomes a proposal that a second editor publishes."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.webapp.beheer.test_views import PASSWORD, client_for, csrf_of, login
from toolbox.accounts.registry import AccountStore, SessionStore, read_audit
from toolbox.build.pipeline import build
from toolbox.config import REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor
from toolbox.editing.review.drafts import DraftStore
from toolbox.publishing.publish import wait_for_publication
from webapp import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("review")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance",
                        secret_key="test", sparql_endpoint=None, save_wait=120.0)
    build(settings, owl=False)
    accounts = AccountStore(settings)
    accounts.add("auteur", "editor", PASSWORD)
    accounts.add("beoordelaar", "editor", PASSWORD)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    wait_for_publication()


def signed_in(site, name):
    client = client_for(site)
    assert login(client, name).status_code == 303
    return client


def content_of(site) -> dict[str, bytes]:
    root = site.config["TOOLBOX"].content_dir
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.ttl"))}


FORM = {"title": "Pleintje Zuiderhaven", "municipality": "gemeente/leiden", "scale": "schaal/wijk",
        "theme": "thema/mobiliteit", "abstract": "Een plein dat de buurt zelf ontwierp.", "source": "bron/werkboek"}


def test_draft_review_and_four_eyes(site):
    author, reviewer = signed_in(site, "auteur"), signed_in(site, "beoordelaar")
    before = content_of(site)
    page = author.get("/beheer/casussen/nieuw")
    saved = author.post("/beheer/concepten/casus", data={**FORM, "csrf_token": csrf_of(page.text)})
    assert saved.status_code == 303 and "/beheer/concepten/casus/pleintje-zuiderhaven" in saved.headers["Location"]
    assert content_of(site) == before
    assert author.get("/doc/casus/pleintje-zuiderhaven").status_code == 404  # not on the site
    overview = author.get("/beheer/").text
    assert "Pleintje Zuiderhaven" in overview and "concept" in overview
    draft = author.get("/beheer/concepten/casus/pleintje-zuiderhaven")
    assert draft.status_code == 200 and "Ter beoordeling aanbieden" in draft.text
    preview = author.get("/beheer/concepten/casus/pleintje-zuiderhaven/voorbeeld")
    assert preview.status_code == 200 and "Een plein dat de buurt zelf ontwierp." in preview.text
    token = csrf_of(draft.text)
    assert author.post("/beheer/concepten/casus/pleintje-zuiderhaven/indienen",
                       data={"csrf_token": token}).status_code == 303
    own = author.post("/beheer/concepten/casus/pleintje-zuiderhaven/publiceren", data={"csrf_token": token})
    assert own.status_code == 403 and "vier-ogenprincipe" in own.text
    assert content_of(site) == before
    review_page = reviewer.get("/beheer/concepten/casus/pleintje-zuiderhaven")
    assert "Terugsturen met opmerking" in review_page.text
    assert "<dd>Wijk</dd>" in review_page.text and "schaal/wijk</dd>" not in review_page.text
    done = reviewer.post("/beheer/concepten/casus/pleintje-zuiderhaven/publiceren",
                         data={"csrf_token": csrf_of(review_page.text)})
    assert done.status_code == 303
    text = (site.config["TOOLBOX"].content_dir / "casussen/pleintje-zuiderhaven.ttl").read_text()
    assert "tor:approver" in text and "prov:qualifiedAttribution" in text
    assert reviewer.get("/doc/casus/pleintje-zuiderhaven").status_code == 200
    events = [r for r in read_audit(site.config["TOOLBOX"]) if r.get("gebeurtenis") == "concept_gepubliceerd"]
    assert events[0]["concept"] == "pleintje-zuiderhaven" and events[0]["naam"] == "beoordelaar"
    assert events[0]["auteur"] != events[0]["goedkeurder"]


def test_an_invalid_draft_is_saved_but_not_published(site):
    author, reviewer = signed_in(site, "auteur"), signed_in(site, "beoordelaar")
    page = author.get("/beheer/casussen/nieuw")
    form = {**FORM, "title": "Halve Kade", "theme": "", "abstract": ""}
    saved = author.post("/beheer/concepten/casus", data={**form, "csrf_token": csrf_of(page.text)})
    assert saved.status_code == 303
    draft = author.get(saved.headers["Location"])
    assert "problemen" in draft.text and "thema" in draft.text
    author.post("/beheer/concepten/casus/halve-kade/indienen", data={"csrf_token": csrf_of(draft.text)})
    before = content_of(site)
    page = reviewer.get("/beheer/concepten/casus/halve-kade")
    refused = reviewer.post("/beheer/concepten/casus/halve-kade/publiceren", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422 and "Niet gepubliceerd" in refused.text and "thema" in refused.text
    assert content_of(site) == before
    back = reviewer.post("/beheer/concepten/casus/halve-kade/terugsturen",
                         data={"csrf_token": csrf_of(page.text),
                               "opmerking": "Kies een thema en schrijf een samenvatting."})
    assert back.status_code == 303
    assert "Kies een thema en schrijf een samenvatting." in author.get("/beheer/").text


def test_a_new_gemeente_is_proposed_published_and_offered_in_the_case_form(site):
    author, reviewer = signed_in(site, "auteur"), signed_in(site, "beoordelaar")
    page = author.get("/beheer/gemeenten/nieuw")
    assert "Utrecht (GM0344)" in page.text and "Amsterdam (GM0363)" not in page.text
    bad = author.post("/beheer/gemeenten/nieuw", data={"csrf_token": csrf_of(page.text), "code": "GM9999"})
    assert bad.status_code == 422 and "Kies een gemeente uit de lijst" in bad.text
    saved = author.post("/beheer/gemeenten/nieuw", data={"csrf_token": csrf_of(page.text), "code": "GM0344"})
    assert saved.status_code == 303
    draft = author.get(saved.headers["Location"])
    preview = author.get("/beheer/concepten/gemeente/utrecht/voorbeeld")
    assert preview.status_code == 200 and "Voorbeeld van een concept" in preview.text
    assert "Gemeente Utrecht" in preview.text and "zo komt de gemeente op de site" in preview.text
    author.post("/beheer/concepten/gemeente/utrecht/indienen", data={"csrf_token": csrf_of(draft.text)})
    review_page = reviewer.get("/beheer/concepten/gemeente/utrecht")
    done = reviewer.post("/beheer/concepten/gemeente/utrecht/publiceren",
                         data={"csrf_token": csrf_of(review_page.text)})
    assert done.status_code == 303
    form = author.get("/beheer/casussen/nieuw").text
    assert re.search(r'value="gemeente/utrecht"', form)


def test_a_draft_of_a_case_changed_meanwhile_is_rebased_consciously(site):
    author, other = signed_in(site, "auteur"), signed_in(site, "beoordelaar")
    page = author.get("/beheer/casussen/pleintje-zuiderhaven")
    form = {**FORM, "what_is_new": "Het plein kreeg een waterspeelplek.", "csrf_token": csrf_of(page.text)}
    saved = author.post("/beheer/concepten/casus?casus=pleintje-zuiderhaven", data=form)
    assert saved.status_code == 303
    hand_edit(site, "pleintje-zuiderhaven", "beoordelaar", lessons="Begin klein.")  # e.g. a git pull
    assert "Er ligt een concept van deze casus klaar" in other.get("/beheer/casussen/pleintje-zuiderhaven").text
    draft = author.get("/beheer/concepten/casus/pleintje-zuiderhaven")
    assert "intussen gewijzigd" in draft.text
    rebased = author.post("/beheer/concepten/casus/pleintje-zuiderhaven/nieuwste-versie",
                          data={"csrf_token": csrf_of(draft.text)})
    assert rebased.status_code == 303
    assert "intussen gewijzigd" not in author.get("/beheer/concepten/casus/pleintje-zuiderhaven").text


@pytest.mark.parametrize("path", ["/beheer/concepten/casus", "/beheer/concepten/casus/halve-kade/indienen",
                                  "/beheer/concepten/casus/halve-kade/publiceren",
                                  "/beheer/concepten/casus/halve-kade/terugsturen",
                                  "/beheer/concepten/casus/halve-kade/verwijderen", "/beheer/gemeenten/nieuw"])
def test_draft_actions_need_a_session_and_the_form_token(site, path):
    root = site.config["TOOLBOX"].instance_dir / "drafts"
    before = sorted((p.name, p.read_bytes()) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    anonymous = client_for(site).post(path, data={"code": "GM0344", "opmerking": "x", **FORM})
    if path == "/beheer/concepten/casus":  # a form: to the login and back with the text, nothing saved
        assert anonymous.status_code == 303 and "/beheer/inloggen" in anonymous.headers["Location"]
    else:
        assert anonymous.status_code == 401
    signed = signed_in(site, "beoordelaar")
    forged = signed.post(path, data={"csrf_token": "vals", "code": "GM0344", "opmerking": "x", **FORM})
    assert forged.status_code == 403
    after = sorted((p.name, p.read_bytes()) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    assert after == before


def test_unknown_drafts_and_kinds_get_a_clear_404(site):
    client = signed_in(site, "auteur")
    assert client.get("/beheer/concepten/casus/bestaat-niet").status_code == 404
    assert client.get("/beheer/concepten/rol/wijkregisseur").status_code == 404
    answer = client.get("/beheer/concepten/casus/bestaat-niet", headers={"Accept": "application/json"})
    body = answer.get_json()
    assert answer.status_code == 404 and body["status"] == 404 and "bestaat niet" in body["message"]


def test_a_new_case_draft_needs_an_address(site):
    client = signed_in(site, "auteur")
    page = client.get("/beheer/casussen/nieuw")
    refused = client.post("/beheer/concepten/casus", data={**FORM, "title": "", "slug": "",
                                                          "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422 and "geldig, vrij adres" in refused.text
    assert 'value="Een plein dat de buurt zelf ontwierp.' in refused.text or "Een plein dat de buurt" in refused.text


def test_a_damaged_gemeente_draft_is_refused_not_a_server_error(site):
    from toolbox.editing.review.drafts import DraftStore

    settings = site.config["TOOLBOX"]
    author_id = AccountStore(settings).by_name("auteur").id
    store = DraftStore(settings)
    store.save_draft("gemeente", "nergenshuizen", {"code": "GM9998", "naam": "Nergenshuizen", "slug": "nergenshuizen"},
                     author_id)
    store.submit("gemeente", "nergenshuizen", author_id)
    reviewer = signed_in(site, "beoordelaar")
    page = reviewer.get("/beheer/concepten/gemeente/nergenshuizen")
    before = content_of(site)
    refused = reviewer.post("/beheer/concepten/gemeente/nergenshuizen/publiceren",
                            data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 400 and "Kies een gemeente uit de lijst" in refused.text
    assert content_of(site) == before and store.get("gemeente", "nergenshuizen") is not None


def hand_edit(site, slug: str, account: str, **changes) -> None:
    """A change of the published file that does not come through /beheer (a git pull, the toolbox API)."""
    ed = CaseEditor(site.config["TOOLBOX"])
    values, status, token, extras = ed.load(slug)
    prepared = ed.prepare({**values, **changes}, slug, account, status=status, extras=extras)
    assert prepared.ok, prepared.errors
    ed.save(prepared, token, account, "bewerkt")


CASE = "herinrichting-groenewoud"


def test_with_four_eyes_the_case_form_saves_drafts_only(site):
    author = signed_in(site, "auteur")
    page = author.get(f"/beheer/casussen/{CASE}")
    assert 'value="opslaan"' not in page.text and "Opslaan als concept" in page.text
    assert "vier ogen" in page.text
    before = content_of(site)
    form = {**FORM, "title": "Groenewoud, nu met een getypte titel", "csrf_token": csrf_of(page.text),
            "versie": re.search(r'name="versie" value="([^"]*)"', page.text).group(1), "actie": "opslaan"}
    refused = author.post(f"/beheer/casussen/{CASE}", data=form)
    assert refused.status_code == 403 and "vier-ogenprincipe" in refused.text
    assert "Groenewoud, nu met een getypte titel" in refused.text  # the typed text comes back in the form
    assert content_of(site) == before
    record = [r for r in read_audit(site.config["TOOLBOX"]) if r.get("gebeurtenis") == "opslaan_geweigerd"][-1]
    assert record["status"] == 403 and record["reden"] == "vier ogen"
    preview = author.post(f"/beheer/casussen/{CASE}", data={**form, "actie": "voorbeeld"})
    assert preview.status_code == 200 and 'value="opslaan"' not in preview.text
    assert f"/beheer/concepten/casus?casus={CASE}" in preview.text


def test_with_four_eyes_archiving_and_restoring_are_proposals(site):
    author, reviewer = signed_in(site, "auteur"), signed_in(site, "beoordelaar")
    page = author.get(f"/beheer/casussen/{CASE}")
    assert "Archiveren voorstellen" in page.text
    before = content_of(site)
    proposed = author.post(f"/beheer/casussen/{CASE}/status",
                           data={"csrf_token": csrf_of(page.text), "status": "gearchiveerd", "bevestigen": "ja"})
    assert proposed.status_code == 303 and f"/beheer/concepten/casus/{CASE}" in proposed.headers["Location"]
    assert content_of(site) == before and author.get(f"/doc/casus/{CASE}").status_code == 200
    draft = author.get(proposed.headers["Location"])
    assert "archiveert de casus" in draft.text and "voorstel" in draft.text.lower()
    again = author.post(f"/beheer/casussen/{CASE}/status",
                        data={"csrf_token": csrf_of(page.text), "status": "gearchiveerd", "bevestigen": "ja"})
    assert again.status_code == 409 and "al een concept" in again.text  # never overwrites a draft
    author.post(f"/beheer/concepten/casus/{CASE}/indienen", data={"csrf_token": csrf_of(draft.text)})
    review_page = reviewer.get(f"/beheer/concepten/casus/{CASE}")
    done = reviewer.post(f"/beheer/concepten/casus/{CASE}/publiceren", data={"csrf_token": csrf_of(review_page.text)})
    assert done.status_code == 303
    text = (site.config["TOOLBOX"].content_dir / f"casussen/{CASE}.ttl").read_text()
    assert '"gearchiveerd"' in text and "tor:approver" in text
    assert author.get(f"/doc/casus/{CASE}").status_code in (404, 410)

    history = author.get(f"/beheer/casussen/{CASE}/geschiedenis").text
    stamp = re.search(rf"/beheer/casussen/{CASE}/geschiedenis/(\d{{8}}T\d+Z)", history).group(1)
    version = author.get(f"/beheer/casussen/{CASE}/geschiedenis/{stamp}")
    assert "Terugzetten voorstellen" in version.text
    restore = author.post(f"/beheer/casussen/{CASE}/geschiedenis/{stamp}/herstellen",
                          data={"csrf_token": csrf_of(version.text)})
    assert restore.status_code == 303 and author.get(f"/doc/casus/{CASE}").status_code in (404, 410)
    draft = author.get(restore.headers["Location"])
    assert "herstelt een eerdere versie" in draft.text
    author.post(f"/beheer/concepten/casus/{CASE}/indienen", data={"csrf_token": csrf_of(draft.text)})
    review_page = reviewer.get(f"/beheer/concepten/casus/{CASE}")
    assert reviewer.post(f"/beheer/concepten/casus/{CASE}/publiceren",
                         data={"csrf_token": csrf_of(review_page.text)}).status_code == 303
    assert author.get(f"/doc/casus/{CASE}").status_code == 200
    history = author.get(f"/beheer/casussen/{CASE}/geschiedenis").text
    newest = history.split('class="history-entry"')[1]
    assert "een eerdere versie teruggezet" in newest and "beoordeling door beoordelaar" in newest
    archived = history.split('class="history-entry"')[2]
    assert "gearchiveerd" in archived and "beoordeling door beoordelaar" in archived


def test_an_expired_session_on_a_draft_save_returns_to_the_form_with_the_text(site):
    author = signed_in(site, "auteur")
    page = author.get(f"/beheer/casussen/{CASE}")
    SessionStore(site.config["TOOLBOX"]).drop(author.get_cookie("toolbox_beheer", path="/beheer").value)
    before = content_of(site)
    form = {**FORM, "title": "Getypt Voor Het Concept", "csrf_token": csrf_of(page.text),
            "terug": f"/beheer/casussen/{CASE}"}
    lost = author.post(f"/beheer/concepten/casus?casus={CASE}", data=form)
    assert lost.status_code == 303 and "herstel%3D1" in lost.headers["Location"]
    assert f"/beheer/casussen/{CASE}" in lost.headers["Location"].replace("%2F", "/")
    assert content_of(site) == before and DraftStore(site.config["TOOLBOX"]).get("casus", CASE) is None
    assert login(author, "auteur").status_code == 303
    back = author.get(f"/beheer/casussen/{CASE}?herstel=1")
    assert 'value="Getypt Voor Het Concept"' in back.text and "staat weer in het formulier" in back.text


def test_a_new_knelpunt_is_proposed_reviewed_and_then_offered_in_the_case_form(site):
    author, reviewer = signed_in(site, "auteur"), signed_in(site, "beoordelaar")
    overview = author.get("/beheer/").text
    assert "/beheer/voorstellen/knelpunt/nieuw" in overview and "Nieuwe tool voorstellen" in overview
    page = author.get("/beheer/voorstellen/knelpunt/nieuw")
    assert page.status_code == 200 and "Nieuw knelpunt voorstellen" in page.text and 'value="dimensie/a"' in page.text
    before = content_of(site)
    first = author.post("/beheer/voorstellen/knelpunt/nieuw",
                        data={"csrf_token": csrf_of(page.text), "naam": "Beheergeld komt te laat"})
    assert first.status_code == 303
    assert "/beheer/concepten/knelpunt/beheergeld-komt-te-laat" in first.headers["Location"]
    draft = author.get(first.headers["Location"])
    assert "Vul omschrijving in." in draft.text and "kies een bron of vul een link in" in draft.text
    assert content_of(site) == before
    saved = author.post("/beheer/voorstellen/knelpunt/beheergeld-komt-te-laat",
                        data={"csrf_token": csrf_of(draft.text), "naam": "Beheergeld komt te laat",
                              "omschrijving": "Het budget voor beheer komt pas vrij als het project al klaar is.",
                              "dimensie": ["dimensie/b", "dimensie/d"], "bron": ["bron/probleemanalyse"]})
    assert saved.status_code == 303
    draft = author.get(saved.headers["Location"])
    assert "problemen" not in draft.text.split("Status van het concept")[1].split("</section>")[0]
    preview = author.get("/beheer/concepten/knelpunt/beheergeld-komt-te-laat/voorbeeld")
    assert preview.status_code == 200 and "Voorbeeld van een concept" in preview.text
    assert "Beheergeld komt te laat" in preview.text and "Het budget voor beheer" in preview.text
    assert content_of(site) == before  # a preview writes nothing
    author.post("/beheer/concepten/knelpunt/beheergeld-komt-te-laat/indienen",
                data={"csrf_token": csrf_of(draft.text)})
    review_page = reviewer.get("/beheer/concepten/knelpunt/beheergeld-komt-te-laat")
    assert "Inhoud van het voorstel" in review_page.text and "Het budget voor beheer" in review_page.text
    done = reviewer.post("/beheer/concepten/knelpunt/beheergeld-komt-te-laat/publiceren",
                         data={"csrf_token": csrf_of(review_page.text)})
    assert done.status_code == 303
    text = (site.config["TOOLBOX"].content_dir / "knelpunten/beheergeld-komt-te-laat.ttl").read_text()
    assert "tor:approver" in text and "probleemanalyse" in text
    assert reviewer.get("/doc/knelpunt/beheergeld-komt-te-laat").status_code == 200
    assert 'value="knelpunt/beheergeld-komt-te-laat"' in author.get("/beheer/casussen/nieuw").text


def test_proposals_of_unknown_kinds_or_by_a_forged_form_change_nothing(site):
    author = signed_in(site, "auteur")
    assert author.get("/beheer/voorstellen/casus/nieuw").status_code == 404
    page = author.get("/beheer/voorstellen/tool/nieuw")
    assert "Nieuwe tool voorstellen" in page.text and "Tegeltekst" in page.text
    before = content_of(site)
    forged = author.post("/beheer/voorstellen/tool/nieuw", data={"csrf_token": "vals", "naam": "Iets"})
    assert forged.status_code == 403 and content_of(site) == before
    assert DraftStore(site.config["TOOLBOX"]).get("tool", "iets") is None
