"""Inline links through the editor (Flask test client): refused at the field when not http(s), shown as links
in the preview, stored as typed, rendered as links on the public page; and the /beheer/ list's parameters."""

from __future__ import annotations

import re

from tests.webapp.beheer.test_views import (  # noqa: F401  (fixtures)
    case_files,
    client_for,
    editor_client,
    post_new,
    settings_of,
    site,
)

LINKED = ("De wijk volgt [de leidraad van de gemeente](https://example.nl/leidraad?deel=1&versie=2) en "
          "https://example.nl/kaart.")


def test_a_javascript_link_is_refused_at_the_field_and_nothing_is_written(site, editor_client):  # noqa: F811
    before = case_files(site)
    response = post_new(editor_client, title="Scriptlink Plein",
                        lessons="Lees [dit](javascript:alert(document.cookie)) eerst.")
    assert response.status_code == 422
    assert re.search(r'id="err-lessons"[^>]*>[^<]*gaat niet naar een webadres', response.text)
    assert 'aria-describedby="hint-lessons err-lessons"' in response.text
    assert case_files(site) == before


def test_links_show_in_the_preview_and_on_the_public_page(site, editor_client):  # noqa: F811
    preview = post_new(editor_client, actie="voorbeeld", title="Linkrijk Plein", abstract=LINKED)
    assert preview.status_code == 200
    link = ('<a class="utrecht-link" href="https://example.nl/leidraad?deel=1&amp;versie=2" rel="external noopener">'
            'de leidraad van de gemeente</a>')
    assert link in preview.text and 'href="https://example.nl/kaart"' in preview.text
    saved = post_new(editor_client, title="Linkrijk Plein", abstract=LINKED)
    assert saved.status_code == 303
    text = (settings_of(site).content_dir / "casussen" / "linkrijk-plein.ttl").read_text()
    assert "[de leidraad van de gemeente](https://example.nl/leidraad?deel=1&versie=2)" in text
    reader = client_for(site)
    public = reader.get("/doc/casus/linkrijk-plein")
    assert public.status_code == 200 and link in public.text
    # Search and the short summary in the list read the text without the markup.
    listing = reader.get("/casussen").text
    assert "volgt de leidraad van de gemeente en" in listing and "](https://example.nl/leidraad" not in listing
    hits = reader.get("/zoeken?q=linkrijk+leidraad&format=json").json["results"]
    snippet = next(h for h in hits if h["uri"].endswith("/casus/linkrijk-plein"))["snippet"]
    assert "leidraad" in snippet and "](" not in snippet and "example.nl/leidraad" not in snippet


def test_the_list_takes_get_parameters_and_names_wrong_ones(site, editor_client):  # noqa: F811
    page = editor_client.get("/beheer/?q=laakhavens&status=actief&sorteer=gewijzigd")
    assert page.status_code == 200
    assert re.findall(r'<th scope="row"><a[^>]*>([^<]+)</a>', page.text) == [
        "Laakhavens: grote ambities, knellende ruimte"]
    assert 'aria-sort="descending"' in page.text
    by_cluster = editor_client.get("/beheer/?cluster=c").text
    rows = re.findall(r'<tr class="status-[a-z]+">\s*<th scope="row">.*?</tr>', by_cluster, re.S)
    assert rows and all("<td>C</td>" in r for r in rows)
    wrong = editor_client.get("/beheer/?status=weg&sorteer=kleur")
    assert wrong.status_code == 400
    assert "Kies een status uit de lijst" in wrong.text and "Sorteer op titel of op laatst gewijzigd" in wrong.text


def test_the_confirmation_page_of_an_unknown_case_is_not_found(site, editor_client):  # noqa: F811
    assert editor_client.get("/beheer/casussen/bestaat-niet/archiveren").status_code == 404
