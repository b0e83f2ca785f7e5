"""The faults a phone walk-through found (issue 27), through the Flask test client on the real content."""

from __future__ import annotations

import re
from html import unescape

import pytest


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_no_filter_is_lost_when_nothing_matches(client):
    path = "/tools?categorie=afwegen-op-criteria&niveau=strategisch&stap=uitvoering-gebruik"
    html = client.get(path).get_data(as_text=True)
    assert "<strong>0</strong>" in html
    for name, value in (("categorie", "afwegen-op-criteria"), ("niveau", "strategisch"),
                        ("stap", "uitvoering-gebruik")):
        assert re.search(rf'name="{name}" value="{value}" checked', html), name
    summary = _text(re.search(r"<summary>(.*?)</summary>", html, re.S).group(1))
    assert "Niveau: Strategisch niveau" in summary and "Processtap: Uitvoering en gebruik" in summary


def test_unknown_filter_value_is_not_invented(client):
    html = client.get("/tools?categorie=bestaat-niet").get_data(as_text=True)
    assert 'value="bestaat-niet"' not in html


def test_case_filters_fold_and_name_the_chosen_ones(client):
    html = client.get("/casussen?thema=klimaatadaptatie").get_data(as_text=True)
    assert '<details class="filter-panel fold">' in html
    assert html.index("<details") < html.index('id="casussen"')  # one line, then the results
    assert "Thema: Klimaatadaptatie" in _text(re.search(r"<summary>(.*?)</summary>", html, re.S).group(1))


def test_space_before_the_data_link_on_doc_pages(client):
    text = _text(client.get("/doc/tool/ambitieweb").get_data(as_text=True))
    assert "Gegevens (JSON-LD)" in text
    assert not re.search(r"\.Gegevens", text)


def test_knelpunten_say_what_helps_and_count_in_the_right_number(client):
    text = _text(client.get("/knelpunten").get_data(as_text=True))
    assert "Wat helpt:" in text
    assert not re.search(r"\b1 (aanpakken|casussen)\b", text)
    assert re.search(r"\b1 casus meldde dit\b", text) or "casussen meldden dit" in text


def test_guide_level_lists_steps_in_process_order_and_marks_the_level(client):
    html = client.get("/gids?niveau=uitvoering").get_data(as_text=True)
    order = ["Ontwerpen en participeren", "Opdrachtformulering", "Analyse en richting VO", "Richting DO",
             "Voorbereiden en uitvoeren", "Voorbereiding en aanbesteding", "Uitvoering en gebruik"]
    positions = [html.index(f">{label}</a>") for label in order]
    assert positions == sorted(positions)
    assert re.search(r'href="/gids\?niveau=uitvoering" aria-current="true"', html)


def test_guide_without_a_step_points_to_the_choice_not_beside_it(client):
    text = _text(client.get("/gids?situatie=qqqq zzzz").get_data(as_text=True))
    assert "hiernaast" not in text and "kies je niveau" in text


def test_plate_bars_come_before_their_phases(client):
    html = client.get("/").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    links = re.findall(r"<title>([^<]+)</title>", svg)
    assert links.index("Ontwerpen en participeren") < links.index("Opdrachtformulering")
    assert links.index("Richting DO") < links.index("Voorbereiden en uitvoeren")
    assert links.index("Voorbereiden en uitvoeren") < links.index("Voorbereiding en aanbesteding")


def test_print_view_is_a_page_for_paper(client):
    html = client.get("/doc/checklist/opdrachtbrief?weergave=print&v=1&v=3").get_data(as_text=True)
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert "<form" not in html and "Ctrl+P" not in html
    assert html.count("☑") == 2
    assert re.search(r'id="voortgang">2 van \d+ vragen afgevinkt', html)
    assert 'id="afdrukken"' in html
    normal = client.get("/doc/checklist/opdrachtbrief").get_data(as_text=True)
    assert 'class="site-header"' in normal and "<form" in normal


def test_fan_answers_json_like_the_other_lists(client):
    response = client.get("/samenwerkingswaaier?format=json")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert set(data) == {"organisatietypen", "randvoorwaarden", "notities", "rollen", "competenties"}
    assert data["rollen"] and all(r["url"].startswith("/doc/rol/") for r in data["rollen"])


@pytest.mark.parametrize("path", ["/", "/tools", "/doc/tool/omgevingswijzer"])
def test_pages_declare_dutch_for_hyphenation(client, path):
    assert '<html lang="nl">' in client.get(path).get_data(as_text=True)


def test_outside_links_show_words_not_long_urls(client):
    from webapp.filters import link_text

    assert link_text("https://www.omgevingswijzer.org/toelichting/toepassingen/") == \
        "Toepassingen (omgevingswijzer.org)"
    assert link_text("https://www.pianoo.nl/media/Handreiking-Aanpak-DGWW.pdf") == \
        "Handreiking Aanpak DGWW (pdf, pianoo.nl)"
    assert link_text("https://www.duurzaamgww.nl/") == "duurzaamgww.nl"
    assert link_text("https://example.org/tool/838a38c9-81c7-4409-bbac-b1640f8bcb91/201078") == \
        "Tool (example.org)"
    html = client.get("/doc/tool/omgevingswijzer").get_data(as_text=True)
    shown = re.findall(r'rel="external">([^<]+)</a>', html)
    assert shown and not any(s.startswith(("http", "www.")) for s in shown)
