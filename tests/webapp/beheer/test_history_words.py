"""The history screen in words, as an editor sees it; the public page says when a case last changed.

A hand-written case is saved twice through /beheer (by an editor, then by an administrator); the
editor's history screen then names every version's maker and time and its changes per field.
"""

from __future__ import annotations

import json
import re

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from tests.webapp.beheer.test_views import client_for, csrf_of, login, settings_of, site, version_of  # noqa: F401
from toolbox.editing.editor import CaseEditor
from webapp.filters import dutch_date, dutch_moment

SLUG = "sprenkelaar"
URL = f"/beheer/casussen/{SLUG}"


def form_of(app, **changes) -> dict:
    """The case's current form values (as the edit form holds them), with some fields changed."""
    values, _, _, _ = CaseEditor(settings_of(app)).load(SLUG)
    values.update(changes)
    return {k: v for k, v in values.items() if v not in ("", [])}


def save(client, app, **changes):
    page = client.get(URL).text
    response = client.post(URL, data={**form_of(app, **changes), "csrf_token": csrf_of(page),
                                      "versie": version_of(page)})
    assert response.status_code == 303, response.text[:2000]


def modified_of(app) -> str:
    graph = Graph().parse(settings_of(app).content_dir / "casussen" / f"{SLUG}.ttl")
    return str(graph.value(URIRef(f"https://toolbox-openbare-ruimte.nl/id/casus/{SLUG}"), DCTERMS.modified))


def test_editor_reads_who_changed_what_and_when(site):  # noqa: F811
    public = site.test_client()
    before = public.get(f"/doc/casus/{SLUG}")
    assert "Laatst gewijzigd op <time datetime=\"2026-11-22\">22 november 2026</time>." in before.text
    for other in ("/doc/tool/ambitieweb", "/doc/knelpunt/aansluiting-belevingswereld-bewoners"):
        assert "Laatst gewijzigd op <time datetime=\"2026-11-22\">22 november 2026</time>." in public.get(other).text

    editor = client_for(site)
    assert login(editor, "redacteur").status_code == 303
    values, _, _, _ = CaseEditor(settings_of(site)).load(SLUG)
    top = values["top_knelpunt"]
    save(editor, site, abstract=values["abstract"].replace("vitaal en prettig", "levendig en prettig", 1),
         top_knelpunt=[top[2], top[0], top[1]], theme=values["theme"] + ["thema/klimaatadaptatie"])
    first_made = modified_of(site)
    admin = client_for(site)
    assert login(admin, "beheerder").status_code == 303
    save(admin, site, title="Sprenkelaar: samen aan de slag")
    second_made = modified_of(site)

    page = editor.get(URL + "/geschiedenis")  # an editor, not an administrator
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    headings = re.findall(r"<h2 class=\"utrecht-heading-3\">(.*?)</h2>", text)
    assert headings[0] == f"Huidige versie van {dutch_moment(second_made)}, door beheerder"
    assert headings[1] == f"Versie van {dutch_moment(first_made)}, door redacteur"
    assert headings[2].endswith("door iemand buiten de site (met de hand in het bestand)")
    assert len(headings) == 3
    assert "<strong>Titel gewijzigd:</strong> <del>‘Sprenkelaar, samen aan de slag in de wijk!’</del> → " \
           "<ins>‘Sprenkelaar: samen aan de slag’</ins>" in text
    assert "<strong>Samenvatting gewijzigd</strong>" in text
    assert "<del>vitaal</del><ins>levendig</ins>" in text
    assert "<strong>Thema toegevoegd:</strong> <ins>Klimaatadaptatie</ins>" in text
    assert "<strong>Top-3-volgorde gewijzigd:</strong> eerder 1. " in text
    assert "modified" not in text and "wasAttributedTo" not in text
    # Each change is listed under the version that made it.
    current, middle = text.split("<h2", 3)[1:3]
    assert "Titel gewijzigd" in current and "Samenvatting" not in current
    assert "Samenvatting gewijzigd" in middle and "Titel gewijzigd" not in middle

    stamps = re.findall(r"/geschiedenis/(\d{8}T\d{12}Z)\"", page.text)
    version = editor.get(f"{URL}/geschiedenis/{stamps[0]}")
    assert version.status_code == 200
    assert "door redacteur" in version.text and "Wat er sindsdien veranderde" in version.text
    assert "Titel gewijzigd" in version.text
    meta = json.loads((settings_of(site).instance_dir / "history" / SLUG / f"{stamps[0]}.json").read_text())
    assert meta["made_by"] and meta["made_at"] == first_made

    after = public.get(f"/doc/casus/{SLUG}")
    assert f">{dutch_date(second_made)}</time>." in after.text
    twin = public.get(f"/doc/casus/{SLUG}?format=jsonld")
    assert second_made[:19] in twin.text


def test_old_versions_without_a_sidecar_are_still_read(site):  # noqa: F811
    folder = settings_of(site).instance_dir / "history" / SLUG
    for sidecar in folder.glob("*.json"):
        sidecar.unlink()
    editor = client_for(site)
    assert login(editor, "redacteur").status_code == 303
    page = editor.get(URL + "/geschiedenis")
    assert page.status_code == 200
    assert "Versie van " in page.text and "door redacteur" in page.text
    assert "Thema toegevoegd" in page.text


def browser_form(html: str) -> list[tuple[str, str]]:
    """The fields a browser sends for this edit form, in page order (a select sends its chosen options so)."""
    import html as html_module

    data: list[tuple[str, str]] = []
    for tag in re.finditer(r"<(input|textarea|select)\b([^>]*)>(.*?)(?=<(?:input|textarea|select)\b|$)", html, re.S):
        kind, attrs, rest = tag.groups()
        name = re.search(r'\bname="([^"]*)"', attrs)
        if not name or re.search(r'type="(submit|button|checkbox|radio)"', attrs):
            continue
        if kind == "textarea":
            data.append((name.group(1), html_module.unescape(rest.split("</textarea>", 1)[0])))
        elif kind == "select":
            body = rest.split("</select>", 1)[0]
            data += [(name.group(1), html_module.unescape(v))
                     for v in re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', body)]
        else:
            value = re.search(r'\bvalue="([^"]*)"', attrs)
            data.append((name.group(1), html_module.unescape(value.group(1)) if value else ""))
    for box in re.finditer(r'<input\b[^>]*type="checkbox"[^>]*>', html):
        if " checked" in box.group(0):
            data.append((re.search(r'name="([^"]*)"', box.group(0)).group(1),
                         html_module.unescape(re.search(r'value="([^"]*)"', box.group(0)).group(1))))
    return data


def test_saving_the_form_as_a_browser_sends_it_keeps_the_top_three_ranking(site):  # noqa: F811
    from werkzeug.datastructures import MultiDict

    slug = "wallengebied-integrale-ontwerpaanpak"
    path = settings_of(site).content_dir / "casussen" / f"{slug}.ttl"
    before = path.read_text(encoding="utf-8")
    editor = client_for(site)
    assert login(editor, "redacteur").status_code == 303
    form = editor.get(f"/beheer/casussen/{slug}").text
    data = browser_form(form)
    assert [v for k, v in data if k == "top_knelpunt"] == [
        "knelpunt/tactisch-gat", "knelpunt/koppeling-fysiek-sociaal-ontbreekt", "knelpunt/marktpartijen-weinig-ruimte"]
    saved = editor.post(f"/beheer/casussen/{slug}", data=MultiDict(data + [("actie", "opslaan")]))
    assert saved.status_code == 303, saved.text[:2000]
    after = path.read_text(encoding="utf-8")
    changed = {line.split()[0] for line in set(before.split("\n")) ^ set(after.split("\n")) if line.strip()}
    assert changed <= {"dcterms:modified", "prov:wasAttributedTo"}, changed
    assert "\n    tor:topKnelpunt knelpunt:tactisch-gat ,\n" in after
