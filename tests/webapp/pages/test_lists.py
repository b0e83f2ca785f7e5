"""Paged lists, list filters that pages link to, archived cases, and the page cache."""

from __future__ import annotations

import re

import pytest

from toolbox.config import Settings
from webapp import create_app
from webapp.pages import lists, search, views


@pytest.fixture
def fresh_client(real_settings):
    """A new app (empty page cache) over the real content."""
    app = create_app(real_settings)
    app.config["TESTING"] = True
    return app.test_client()


def test_library_and_cases_are_paged(fresh_client, monkeypatch):
    monkeypatch.setitem(lists.PAGE_SIZES, "tools", 5)
    monkeypatch.setitem(lists.PAGE_SIZES, "cases", 6)
    first = fresh_client.get("/tools?format=json").get_json()
    assert (first["total"], first["pages"], len(first["results"])) == (24, 5, 5)
    assert first["next"] == "/tools?format=json&pagina=2"
    seen = [r["uri"] for r in first["results"]]
    for n in range(2, 6):
        page = fresh_client.get(f"/tools?format=json&pagina={n}").get_json()
        seen += [r["uri"] for r in page["results"]]
    assert len(seen) == len(set(seen)) == 24
    assert fresh_client.get("/tools?pagina=6").status_code == 404
    assert fresh_client.get("/tools?pagina=nul").status_code == 404

    html = fresh_client.get("/casussen?pagina=2").get_data(as_text=True)
    assert "7–12 op deze pagina" in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert len(re.findall(r'<li><h2 class="utrecht-heading-3"><a', html)) == 6


def test_paging_keeps_the_filters(fresh_client, monkeypatch):
    monkeypatch.setitem(lists.PAGE_SIZES, "tools", 2)
    data = fresh_client.get("/tools?format=json&niveau=uitvoering").get_json()
    assert data["total"] > 2
    assert data["next"] == "/tools?format=json&niveau=uitvoering&pagina=2"


def test_search_is_paged(fresh_client, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    one = fresh_client.get("/zoeken?q=riolering&format=json").get_json()
    two = fresh_client.get("/zoeken?q=riolering&format=json&pagina=2").get_json()
    assert one["total"] == two["total"] > 6
    assert [r["uri"] for r in one["results"]] != [r["uri"] for r in two["results"]]
    html = fresh_client.get("/zoeken?q=riolering&pagina=2").get_data(as_text=True)
    assert '<ol class="results" start="4">' in html


def test_step_links_to_its_cases_and_knelpunten(client):
    html = client.get("/doc/stap/opdrachtformulering").get_data(as_text=True)
    cases = client.get("/casussen?format=json&stap=opdrachtformulering").get_json()
    assert cases["total"] > 0
    for r in cases["results"]:
        assert r["label"] in html or cases["total"] > views.STEP_CASES_SHOWN
    all_k = client.get("/knelpunten?format=json").get_json()
    some_k = client.get("/knelpunten?format=json&stap=opdrachtformulering").get_json()
    count = sum(len(d["knelpunten"]) for d in some_k["dimensions"])
    assert 0 < count < sum(len(d["knelpunten"]) for d in all_k["dimensions"])
    assert client.get("/knelpunten?stap=bestaat-niet").status_code == 404


def test_case_filter_by_step_counts_agree(client):
    data = client.get("/casussen?format=json").get_json()
    for slug, n in list(data["facets"]["stap"].items())[:4]:
        assert client.get(f"/casussen?format=json&stap={slug}").get_json()["total"] == n


def test_archived_case_leaves_every_list(minimal_copy, tmp_path):
    case = (minimal_copy / "casus.ttl").read_text(encoding="utf-8")
    archived = case.split("gemeente:toetsstad a tor:Municipality")[0]
    archived = archived.replace("casus:toetswijk a", "casus:oudwijk a").replace('"Toetswijk"@nl', '"Oudwijk"@nl')
    archived = archived.replace('tor:status "actief"', 'tor:status "gearchiveerd"')
    prefixes = "".join(line + "\n" for line in case.splitlines() if line.startswith("@prefix"))
    body = archived[archived.index("casus:oudwijk"):]
    body += ("<https://toolbox-openbare-ruimte.nl/id/melding/oudwijk--geen-budget> a tor:KnelpuntReport ;\n"
             "    tor:reportingCase casus:oudwijk ; tor:reportedKnelpunt knelpunt:geen-budget ; tor:rank 1 ;\n"
             "    <http://www.w3.org/ns/prov#wasDerivedFrom> "
             "<https://toolbox-openbare-ruimte.nl/id/bronplaats/toets-stappagina> .\n")
    (minimal_copy / "oud.ttl").write_text(prefixes + body, encoding="utf-8")
    settings = Settings.from_env(content_dir=minimal_copy, build_dir=tmp_path / "build", sparql_endpoint=None)
    client = create_app(settings).test_client()
    assert client.get("/doc/casus/oudwijk").status_code == 404
    assert client.get("/doc/casus/oudwijk?archief=1").status_code == 200
    for path in ("/doc/stap/opdracht", "/doc/knelpunt/geen-budget", "/casussen", "/gids?stap=opdracht",
                 "/gids?knelpunt=geen-budget"):
        html = client.get(path).get_data(as_text=True)
        assert "Toetswijk" in html, path
        assert "Oudwijk" not in html, path
    guide = client.get("/gids?knelpunt=geen-budget&format=json").get_json()
    assert guide["cases"] and all("oudwijk" not in c for c in guide["cases"])


def test_public_pages_are_cached_with_etags(fresh_client):
    first = fresh_client.get("/doc/tool/ambitieweb")
    assert first.status_code == 200 and first.headers.get("ETag")
    again = fresh_client.get("/doc/tool/ambitieweb")
    assert again.headers.get("X-Toolbox-Cache") == "hit"
    assert again.get_data() == first.get_data()
    assert again.headers["Vary"] == first.headers["Vary"]
    unchanged = fresh_client.get("/doc/tool/ambitieweb", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    # The JSON-LD twin of the same URL is a separate entry.
    twin = fresh_client.get("/doc/tool/ambitieweb", headers={"Accept": "application/ld+json"})
    assert twin.mimetype == "application/ld+json"
    # Errors are never kept.
    assert fresh_client.get("/doc/tool/bestaat-niet").status_code == 404
    assert fresh_client.get("/doc/tool/bestaat-niet").headers.get("X-Toolbox-Cache") is None


def test_knelpunten_overview_shows_a_few_per_dimension_and_links_to_the_rest(fresh_client, monkeypatch):
    monkeypatch.setattr(lists, "KNELPUNTEN_PER_DIMENSION", 2)
    monkeypatch.setitem(lists.PAGE_SIZES, "knelpunten", 5)
    dimensions = fresh_client.get("/knelpunten?format=json").get_json()["dimensions"]
    biggest = max(dimensions, key=lambda d: len(d["knelpunten"]))
    slug = biggest["uri"].rsplit("/", 1)[1]
    total = len(biggest["knelpunten"])
    assert total > 5

    html = fresh_client.get("/knelpunten").get_data(as_text=True)
    section = html.split(f'id="dim-{slug}"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li>") == 2
    assert f'href="/knelpunten?dimensie={slug}"' in section and f"Alle {total} knelpunten" in section

    first = fresh_client.get(f"/knelpunten?dimensie={slug}").get_data(as_text=True)
    assert f"<strong>{total}</strong> knelpunten gevonden; 1–5 op deze pagina" in first
    assert 'rel="next"' in first and "Toon alle dimensies" in first
    shown = []
    for n in range(1, -(-total // 5) + 1):
        page = fresh_client.get(f"/knelpunten?dimensie={slug}&pagina={n}").get_data(as_text=True)
        shown += re.findall(r'<li><a class="utrecht-link" href="(/doc/knelpunt/[^"]+)"', page)
    assert sorted(shown) == sorted("/doc/knelpunt/" + k["uri"].rsplit("/", 1)[1] for k in biggest["knelpunten"])

    one = fresh_client.get(f"/knelpunten?dimensie={slug}&format=json").get_json()
    assert [d["uri"] for d in one["dimensions"]] == [biggest["uri"]]
    assert fresh_client.get("/knelpunten?dimensie=bestaat-niet").status_code == 404


def test_knelpunten_of_a_step_keep_the_step_in_the_dimension_links(fresh_client, monkeypatch):
    monkeypatch.setattr(lists, "KNELPUNTEN_PER_DIMENSION", 1)
    html = fresh_client.get("/knelpunten?stap=opdrachtformulering").get_data(as_text=True)
    links = re.findall(r'href="(/knelpunten\?dimensie=[^"]+)"', html)
    assert links and all("stap=opdrachtformulering" in link for link in links)
    narrowed = fresh_client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "Alleen de knelpunten waar" in narrowed
