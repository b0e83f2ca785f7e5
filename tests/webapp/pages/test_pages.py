"""Every route and format through the Flask test client, on the real content."""

from __future__ import annotations

import csv
import io
import json

import pytest

ID = "https://toolbox-openbare-ruimte.nl/id/"

PAGES = [
    "/", "/over", "/doc/niveau/tactisch", "/doc/stap/opdrachtformulering", "/doc/stap/vitale-systemen",
    "/doc/tool/ambitieweb", "/tools", "/tools?categorie=afwegen-op-criteria&niveau=uitvoering",
    "/doc/checklist/opdrachtbrief", "/samenwerkingswaaier", "/doc/rol/projectleider", "/knelpunten",
    "/doc/knelpunt/tactisch-gat", "/casussen", "/casussen?thema=klimaatadaptatie", "/doc/casus/laakhavens",
    "/doc/thema/klimaatadaptatie", "/doc/organisatietype/netbeheerder", "/gids", "/gids?niveau=uitvoering",
    "/gids?stap=opdrachtformulering", "/gids?knelpunt=tactisch-gat", "/gids?situatie=opdrachtbrief", "/zoeken",
    "/zoeken?q=participatie",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert 'href="#inhoud"' in html  # skip link
    assert "<main" in html


def test_every_entity_page_renders(client, app):
    model = app.extensions["toolbox"].model
    count = 0
    for segment in ("stap", "tool", "rol", "knelpunt", "casus", "checklist", "niveau", "competentie",
                    "randvoorwaarde", "hulpmiddel", "dimensie", "projecttype", "gemeente", "cluster", "ontwikkelteam"):
        for uri in [u for u in model.out if u.startswith(f"{ID}{segment}/")]:
            response = client.get(f"/doc/{segment}/{uri.rsplit('/', 1)[1]}")
            assert response.status_code == 200, uri
            count += 1
    assert count > 200


def test_unknown_ids_give_friendly_404(client):
    for path in ("/doc/stap/bestaat-niet", "/doc/onzin/x", "/nergens", "/gids?stap=bestaat-niet"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_jsonld_twin_by_negotiation_and_parameter(client):
    for response in (client.get("/doc/tool/ambitieweb", headers={"Accept": "application/ld+json"}),
                     client.get("/doc/tool/ambitieweb?format=jsonld")):
        assert response.status_code == 200
        assert response.mimetype == "application/ld+json"
        data = json.loads(response.data)
        assert "ambitieweb" in json.dumps(data)
    html = client.get("/doc/tool/ambitieweb").get_data(as_text=True)
    assert f'<link rel="canonical" href="{ID}tool/ambitieweb">' in html


@pytest.mark.parametrize("path", ["/", "/tools?categorie=afwegen-op-criteria", "/samenwerkingswaaier", "/knelpunten",
                                  "/casussen?thema=klimaatadaptatie"])
def test_list_pages_have_jsonld_twins(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'rel="alternate" type="application/ld+json"' in html
    response = client.get(path, headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    data = json.loads(response.data)
    items = [e["schema:item"]["@id"] for e in data["schema:itemListElement"]]
    assert data["schema:numberOfItems"] == len(items) == len(set(items)) > 0
    assert all(i.startswith(ID) for i in items)


def test_tool_page_lists_related_tools(client):
    html = client.get("/doc/tool/ambitieweb").get_data(as_text=True)
    assert "Verwante tools" in html


def test_step_page_shows_tools_with_why_and_checklist(client):
    html = client.get("/doc/stap/opdrachtformulering").get_data(as_text=True)
    assert "Relevante tools en waarom" in html and "Ambitieweb" in html
    assert "Checklist opdrachtbrief" in html
    assert "Check vooraf" in html and "Check achteraf" in html
    assert "Analyse" in html  # next step link


def test_library_filters_and_json(client):
    data = client.get("/tools?format=json").get_json()
    assert data["total"] == 24
    filtered = client.get("/tools?format=json&categorie=afwegen-op-criteria").get_json()
    assert 0 < filtered["total"] < 24
    assert filtered["facets"]["categorie"]["afwegen-op-criteria"] == filtered["total"]


def test_case_filters_and_similar_cases(client):
    data = client.get("/casussen?format=json").get_json()
    assert data["total"] >= 19
    gemeente = next(iter(data["facets"]["gemeente"]))
    narrowed = client.get(f"/casussen?format=json&gemeente={gemeente}").get_json()
    assert narrowed["total"] == data["facets"]["gemeente"][gemeente]
    html = client.get("/doc/casus/laakhavens").get_data(as_text=True)
    assert "Vergelijkbare casussen" in html


def test_checklist_export_markdown_and_csv(client):
    md = client.get("/doc/checklist/opdrachtbrief?format=md&v=1&v=2")
    assert md.mimetype == "text/markdown"
    text = md.get_data(as_text=True)
    assert text.startswith("# Checklist") and text.count("- [x]") == 2
    body = client.get("/doc/checklist/opdrachtbrief?format=csv&v=1").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["nummer", "aspect", "vraag", "afgevinkt"]
    assert sum(1 for r in rows[1:] if r[3] == "ja") == 1 and len(rows) > 10


def test_search_json_twin_matches_html_order(client):
    q = "ik schrijf een opdrachtbrief voor een rioolvervanging die we willen verbreden"
    data = client.get("/zoeken", query_string={"q": q, "format": "json"}).get_json()
    assert set(data) >= {"query", "total", "results", "facets"}
    top = [r["label"] for r in data["results"][:5]]
    assert "Opdrachtformulering" in top and "Checklist opdrachtbrief" in top
    assert any(r["type"] == "tool" for r in data["results"][:6])
    for r in data["results"]:
        assert set(r) >= {"uri", "type", "label", "snippet", "score", "url"}
    accept = client.get("/zoeken", query_string={"q": q}, headers={"Accept": "application/json"}).get_json()
    assert [r["uri"] for r in accept["results"]] == [r["uri"] for r in data["results"]]
    html = client.get("/zoeken", query_string={"q": q}).get_data(as_text=True)
    results = html[html.index('<ol class="results"'):]  # the list, below the situation block
    positions = [results.find(f"<strong>{r['label']}</strong>") for r in data["results"][:5]]
    assert -1 not in positions and positions == sorted(positions)


def test_search_without_hits_or_query_gives_suggestions(client):
    html = client.get("/zoeken?q=qqqqzzzz").get_data(as_text=True)
    assert "Geen resultaten gevonden" in html
    assert client.get("/zoeken").status_code == 200
    assert client.get("/zoeken?q=ambitiweb&format=json").get_json()["results"][0]["label"] == "Ambitieweb"


def test_guide_json_states(client):
    data = client.get("/gids?stap=opdrachtformulering&format=json").get_json()
    assert data["checklist"] == [f"{ID}checklist/opdrachtbrief"]
    assert data["tools"] and all(t["reason"] for t in data["tools"])
    assert data["next"] == [f"{ID}stap/analyse-richting-vo"]
    k = client.get("/gids?knelpunt=tactisch-gat&format=json").get_json()
    assert k["remedies"]


def test_output_is_escaped(client):
    html = client.get("/zoeken?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_server_error_gives_friendly_500(real_settings, app):
    from webapp import create_app

    broken = create_app(real_settings, state=app.extensions["toolbox"])

    def fail():
        raise RuntimeError("kapot")

    broken.add_url_rule("/kapot", "kapot", fail)
    response = broken.test_client().get("/kapot")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.get_data(as_text=True)
    assert "kapot" not in response.get_data(as_text=True)
    answer = broken.test_client().get("/kapot", headers={"Accept": "application/json"})
    assert answer.status_code == 500
    assert {k: answer.get_json()[k] for k in ("status", "error")} == {"status": 500, "error": "internal_error"}
    assert "kapot" not in answer.get_data(as_text=True)


# ---------------------------------------------------------------------------
# "Waar sta ik?" for a described situation, and search for sentences

SENTENCE = "we willen riolering vervangen en tegelijk vergroenen"


def test_guide_places_a_described_situation(client):
    response = client.get("/gids", query_string={"situatie": SENTENCE})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Je staat waarschijnlijk hier" in html
    assert "Je noemt" in html and "‘riolering’" in html
    assert "Klopt dit niet?" in html and "/gids?niveau=" in html
    for heading in ("Wat komt hierna?", "Checklist om door te lopen", "Rollen om te betrekken",
                    "Casussen die hierop lijken", "Tools die helpen, en waarom"):
        assert heading in html, heading
    assert f">{SENTENCE}</textarea>" in html  # the situation stays in the form, to refine it


def test_guide_situation_json_twin(client):
    data = client.get("/gids", query_string={"situatie": SENTENCE, "format": "json"}).get_json()
    assert data["situation"] == SENTENCE and data["placed"]
    assert 1 <= len(data["steps"]) <= 3
    first = data["steps"][0]
    assert first["reason"] and first["url"].startswith("/doc/stap/") and first["guide"].startswith("/gids?stap=")
    assert data["step"] == first["uri"]
    assert data["next"] and data["next"][0]["relation"]
    assert data["tools"] and all(t["reason"] for t in data["tools"])
    assert data["cases"]
    assert abs(sum(s["share"] for s in data["steps"]) - 1) < 0.01


def test_guide_shows_knelpunten_that_resemble_the_situation(client):
    text = "de straat gaat steeds opnieuw open omdat netbeheerders en aannemer hun werk niet afstemmen"
    html = client.get("/gids", query_string={"situatie": text}).get_data(as_text=True)
    assert "Lijkt op deze knelpunten" in html and "Wat helpt:" in html


def test_guide_steps_without_tools_show_what_helps_instead(client):
    html = client.get("/gids?stap=visievorming").get_data(as_text=True)
    assert "Geen tools aanbevolen" not in html
    assert "De bronnen noemen bij deze stap geen tools. Dit helpt wel:" in html
    assert "Tools die passen bij het strategisch niveau" in html and "Vragen om mee te beginnen" in html
    html = client.get("/gids?stap=uitvoering-gebruik").get_data(as_text=True)
    assert "Tools van de vorige stap, Voorbereiding en aanbesteding" in html and "hulpmiddel" in html
    data = client.get("/gids?stap=uitvoering-gebruik&format=json").get_json()
    assert not data["tools"] and {g["kind"] for g in data["aids"]} >= {"aid", "neighbour-tool"}
    answer = client.get("/gids", query_string={"situatie": "de aannemer is bezig en de straat ligt open",
                                                "format": "json"}).get_json()
    assert answer["step"].endswith("/stap/uitvoering-gebruik") and answer["aids"] and not answer["tools"]


@pytest.mark.parametrize("text", ["", "   ", "de het een", "we gaan het maken"])
def test_guide_empty_submit_explains_what_to_write(client, text):
    response = client.get("/gids", query_string={"situatie": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # free text, as in search: explained, not refused
    assert "Je beschrijving is leeg of zegt nog niets over je situatie." in html
    assert "Bijvoorbeeld:" in html and html.count('href="/gids?situatie=') >= 3
    assert 'aria-invalid="true"' in html
    data = client.get("/gids", query_string={"situatie": text, "format": "json"}).get_json()
    assert data["placed"] is False and data["message"] and len(data["examples"]) == 3


def test_guide_examples_are_placed(client):
    from webapp.pages.guide import EXAMPLES

    for example in EXAMPLES:
        assert client.get("/gids", query_string={"situatie": example, "format": "json"}).get_json()["placed"]


def test_guide_asks_when_unsure_and_the_answer_is_a_link(client):
    # Close between the tender and the assignment (where the contract form is first weighed).
    text = "inkoopstrategie bepalen"
    data = client.get("/gids", query_string={"situatie": text, "format": "json"}).get_json()
    question = data["question"]
    assert question and 2 <= len(question["choices"]) <= 3
    html = client.get("/gids", query_string={"situatie": text}).get_data(as_text=True)
    assert question["text"] in html
    assert f'<input type="hidden" name="situatie" value="{text}">' in html
    assert html.count('name="keuze"') == len(question["choices"])
    chosen = question["choices"][-1]
    assert chosen["url"].startswith("/gids?") and "keuze=" in chosen["url"]
    answered = client.get(chosen["url"] + "&format=json").get_json()
    assert answered["question"] is None and answered["choice"]
    assert answered["steps"][0]["reason"].startswith("Je koos deze stap zelf.")
    page = client.get(chosen["url"]).get_data(as_text=True)
    assert question["text"] not in page and "Je koos deze stap zelf." in page


def test_guide_refuses_a_wrong_choice(client):
    response = client.get("/gids", query_string={"situatie": "aannemer zoeken", "keuze": "stap:bestaat-niet"})
    assert response.status_code == 400 and "De keuze klopt niet" in response.get_data(as_text=True)
    response = client.get("/gids", query_string={"situatie": "aannemer zoeken", "keuze": "wijk", "format": "json"})
    assert response.status_code == 400


def test_guide_situation_that_says_nothing(client):
    html = client.get("/gids", query_string={"situatie": "qqqq zzzz"}).get_data(as_text=True)
    assert "konden we geen stap vinden" in html
    assert "1. Kies je niveau" in html  # the picker is there to choose yourself
    data = client.get("/gids", query_string={"situatie": "qqqq zzzz", "format": "json"}).get_json()
    assert data["placed"] is False and data["steps"] == []


def test_search_answers_a_sentence_with_the_situation_block(client):
    html = client.get("/zoeken", query_string={"q": SENTENCE}).get_data(as_text=True)
    assert "Je staat waarschijnlijk hier" in html and "Alle resultaten" in html
    assert html.index("Je staat waarschijnlijk hier") < html.index("resultaten voor")
    assert "/gids?situatie=" in html
    data = client.get("/zoeken", query_string={"q": SENTENCE, "format": "json"}).get_json()
    assert data["situation"]["steps"] and data["results"]


def test_search_for_a_keyword_has_no_situation_block(client):
    html = client.get("/zoeken?q=ambitieweb").get_data(as_text=True)
    assert "Je staat waarschijnlijk hier" not in html
    assert client.get("/zoeken?q=ambitieweb&format=json").get_json()["situation"] is None
    # a filtered or later page of a sentence is a plain list again
    assert "Je staat waarschijnlijk hier" not in client.get(
        "/zoeken", query_string={"q": SENTENCE, "type": "casus"}).get_data(as_text=True)


def test_search_page_has_one_search_box_and_readable_facets(client):
    html = client.get("/zoeken?q=participatie").get_data(as_text=True)
    assert html.count('type="search"') == 1
    assert ">Processtap</a>" in html  # type facet by its Dutch name, not the URI segment
    assert client.get("/").get_data(as_text=True).count('type="search"') == 1


def test_steps_checklists_and_tools_lead_equal_lists(app):
    from toolbox.search.searching import TYPE_BOOST

    for kind in ("thema", "cluster", "dimensie", "projecttype"):
        assert TYPE_BOOST[kind] < min(TYPE_BOOST[k] for k in ("stap", "checklist", "tool"))
