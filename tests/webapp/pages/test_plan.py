""""Mijn aanpak" on the site: from the guide's answer or a step page to a plan carried by its link,
readable without JavaScript, exported as Markdown, CSV and JSON, and refused when the link is wrong."""

from __future__ import annotations

import re
from html import unescape

SENTENCE = "we willen de nutsbedrijven op tijd aan boord krijgen voor de aanbesteding"


def _form_query(html: str) -> list[tuple[str, str]]:
    """What the "Zet in mijn aanpak" form would send: its hidden fields and checked boxes."""
    form = html[html.index('id="maak-aanpak"'):]
    form = form[:form.index("</form>")]
    fields = [(n, unescape(v)) for n, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)]
    fields += re.findall(r'<input type="checkbox" name="(\w+)" value="([^"]+)"[^>]* checked>', form)
    return fields


def test_from_the_answer_to_a_plan_and_back_by_its_link(client):
    html = client.get("/gids", query_string={"situatie": SENTENCE}).get_data(as_text=True)
    assert "Maak hier mijn aanpak van" in html
    query = _form_query(html)
    names = {n for n, _ in query}
    assert {"stap", "tool", "rol", "knelpunt", "notitie"} <= names
    page = client.get("/aanpak", query_string=query)
    plan = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Voorbereiding en aanbesteding" in plan and "Knelpunten om op te letten" in plan
    assert f"Situatie: {SENTENCE}" in plan  # the note carries the situation
    assert 'name="v"' in plan and "Plan bijwerken" in plan and 'id="plan-link"' in plan
    data = client.get("/aanpak", query_string=query + [("format", "json")]).get_json()
    assert data["steps"][0]["checklist"] and data["link"].startswith("/aanpak?")
    assert client.get(data["link"] + "&format=json").get_json() == data  # the link is the plan


def test_a_step_page_offers_a_plan_from_that_step(client):
    html = client.get("/gids?stap=richting-do").get_data(as_text=True)
    link = unescape(re.search(r'href="(/aanpak\?[^"]+)"', html).group(1))
    assert "stap=richting-do" in link and "stap=voorbereiding-aanbesteding" in link
    assert client.get(link).status_code == 200


def test_plan_exports(client):
    base = "/aanpak?titel=Kerkstraat&stap=richting-do&v=richting-do:1&tool=ambitieweb"
    md = client.get(base + "&format=md")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert md.get_data(as_text=True).startswith("# Kerkstraat") and "attachment" in md.headers["Content-Disposition"]
    csv = client.get(base + "&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and ",ja" in csv.get_data(as_text=True)


def test_a_wrong_plan_link_is_refused(client):
    response = client.get("/aanpak?stap=bestaat-niet")
    assert response.status_code == 404 and "Onbekende stap" in response.get_data(as_text=True)
    assert client.get("/aanpak", query_string={"notitie": "x" * 2001}).status_code == 400
    assert client.get("/aanpak?stap=richting-do&format=pdf").status_code in (400, 406)


def test_an_empty_plan_page_explains_and_lets_you_choose_steps(client):
    html = client.get("/aanpak").get_data(as_text=True)
    assert "Maak mijn aanpak" in html and html.count('name="stap"') >= 14
