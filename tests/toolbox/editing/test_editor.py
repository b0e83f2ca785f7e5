"""Editing cases: form values to Turtle, validation with the project's shapes, atomic writes, history, conflicts.

Never touches the real content/: every test works on a copy in tmp_path.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from toolbox.config import REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor, atomic_write
from toolbox.editing.form import (
    Conflict,
    Invalid,
    NotEditable,
    empty_values,
    size_errors,
    slugify,
    token_of,
    values_to_graph,
)
from toolbox.editing.turtle import serialize_case
from toolbox.graph.content import load_content
from toolbox.graph.validate import shacl_problems
from toolbox.namespaces import TOR

ACCOUNT = "acc-0badc0de"
CASUS = "https://toolbox-openbare-ruimte.nl/id/casus/"


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> CaseEditor:
    root = tmp_path_factory.mktemp("editing")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance")
    return CaseEditor(settings)


@pytest.fixture(scope="module")
def site_editor(tmp_path_factory, real_store, real_settings) -> CaseEditor:
    """An editor as the site makes it: the classes of linked things come from the site's graph model."""
    from toolbox.graph.model import GraphModel

    root = tmp_path_factory.mktemp("editing-site")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance",
                        base_uri=real_settings.base_uri)
    model = GraphModel.from_store(real_store, real_settings.base_uri)
    return CaseEditor(settings, known=lambda: model)


@pytest.fixture(params=["uit de bestanden", "uit het model van de site"])
def either_editor(request, editor, site_editor) -> CaseEditor:
    return editor if request.param == "uit de bestanden" else site_editor


def new_values(**changes) -> dict:
    values = empty_values()
    values.update({
        "title": "Proeftuin Groene Kade",
        "municipality": ["gemeente/leiden"],
        "scale": "schaal/wijk",
        "theme": ["thema/woningbouw", "thema/mobiliteit"],
        "abstract": "Een wijk die de kade vergroent.\n\n- eerst de riolering\n- dan het groen",
        "source": ["bron/werkboek"],
        "knelpunt": ["knelpunt/tactisch-gat", "knelpunt/sectorale-organisatie"],
        "top_knelpunt": ["knelpunt/tactisch-gat"],
        "used_tool": ["tool/ambitieweb"],
        "used_step": ["stap/gebieds-wijkplan"],
        "start_year": "2021",
        "end_year": "2024",
        "url": "https://example.org/groene-kade",
    })
    values.update(changes)
    return values


def case_files(editor) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(editor.folder.iterdir())}


# ---------------------------------------------------------------------------
# Turtle

def test_every_existing_case_round_trips_through_the_form(editor):
    """Loading a case into the form and saving it unchanged keeps every statement (only provenance changes)."""
    for path in sorted(editor.folder.glob("*.ttl")):
        slug = path.stem
        original = Graph().parse(path)
        values, status, token, extras = editor.load(slug)
        prepared = editor.prepare(values, slug, ACCOUNT, status=status, extras=extras)
        assert prepared.ok, (slug, prepared.errors, prepared.general)
        again = Graph().parse(data=prepared.text, format="turtle")
        uri = URIRef(CASUS + slug)
        top = set(original.objects(uri, TOR.topKnelpunt))

        def essence(g, top=top):
            return {(s, p, o) for s, p, o in g if p not in (DCTERMS.modified, PROV.wasAttributedTo)
                    and not (p == TOR.reportsKnelpunt and o in top)}

        assert essence(again) == essence(original), slug
        assert (uri, PROV.wasAttributedTo, URIRef(
            "https://toolbox-openbare-ruimte.nl/id/account/" + ACCOUNT)) in again


def test_turtle_is_deterministic_and_in_house_style(editor):
    graph, errors = values_to_graph(new_values(), "groene-kade", "actief", "2026-01-02T03:04:05Z", ACCOUNT)
    assert not errors
    uri = URIRef(CASUS + "groene-kade")
    text = serialize_case(graph, uri)
    assert text == serialize_case(graph, uri)
    assert text.startswith("@prefix tor:        <https://toolbox-openbare-ruimte.nl/def/tor#> .\n")
    assert "@prefix organisatietype: <" in text
    assert "\ncasus:groene-kade a tor:Case ;\n    skos:prefLabel \"Proeftuin Groene Kade\"@nl ;\n" in text
    assert 'dcterms:abstract """Een wijk die de kade vergroent.\n\n- eerst de riolering\n- dan het groen"""@nl' in text
    assert "tor:topKnelpunt knelpunt:tactisch-gat ;" in text
    assert "tor:reportsKnelpunt knelpunt:sectorale-organisatie ;" in text  # top 3 is not repeated
    assert "prov:wasAttributedTo <https://toolbox-openbare-ruimte.nl/id/account/acc-0badc0de> ." in text
    assert text.index("tor:municipality") < text.index("tor:theme") < text.index("dcterms:abstract") \
        < text.index("dcterms:source") < text.index("dcterms:modified")


def test_quotes_backslashes_and_scripts_survive(editor):
    tricky = 'Titel met "aanhalingstekens", een \\ en <script>alert("x")</script>'
    text_value = 'Regel één met """ drie quotes\nen een tweede regel met \\n letterlijk.\t Tab.'
    graph, errors = values_to_graph(new_values(title=tricky, lessons=text_value), "lastig", "actief",
                                    "2026-01-02T03:04:05Z", ACCOUNT)
    assert not errors
    text = serialize_case(graph, URIRef(CASUS + "lastig"))  # raises if the round trip differs
    parsed = Graph().parse(data=text, format="turtle")
    assert str(parsed.value(URIRef(CASUS + "lastig"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))) \
        == tricky


def test_only_known_choices_become_links():
    values = new_values(municipality=["gemeente/leiden", "knelpunt/tactisch-gat", "gemeente/../../x"],
                        url="https://ok.example/a\njavascript:alert(1)\nhttps://met spatie.example")
    graph, errors = values_to_graph(values, "x", "actief", "2026-01-02T03:04:05Z", ACCOUNT)
    assert len(errors["municipality"]) == 2
    assert len(errors["url"]) == 2
    assert {str(o) for o in graph.objects(URIRef(CASUS + "x"), TOR.municipality)} == {
        "https://toolbox-openbare-ruimte.nl/id/gemeente/leiden"}


def test_size_limits_match_the_shapes():
    assert not size_errors(new_values(abstract="x" * 10000))
    assert "abstract" in size_errors(new_values(abstract="x" * 10001))
    assert "title" in size_errors(new_values(title="x" * 301))
    assert "url" in size_errors(new_values(url="\n".join(f"https://e.example/{i}" for i in range(40))))


def test_slugify():
    assert slugify("Één Straat, 2e fase (Zuid)!") == "een-straat-2e-fase-zuid"
    assert slugify("   ") == ""


# ---------------------------------------------------------------------------
# Validation

@pytest.mark.parametrize("changes,field,message", [
    ({"municipality": []}, "municipality", "Een casus heeft een gemeente nodig."),
    ({"start_year": "2025", "end_year": "2020"}, "end_year", "Het beginjaar ligt na het eindjaar"),
    ({"knelpunt": ["knelpunt/bestaat-niet"]}, "knelpunt", "Een gemeld knelpunt moet een bestaand knelpunt zijn."),
    ({"top_knelpunt": ["knelpunt/ook-niet"]}, "top_knelpunt", "Een gemeld knelpunt moet een bestaand knelpunt zijn."),
    ({"title": "   "}, "title", "Een naam is verplicht."),
    ({"scale": ""}, "scale", "Een casus heeft precies één schaal"),
    ({"theme": []}, "theme", "Een casus heeft minstens één thema nodig."),
    ({"abstract": ""}, "abstract", "Een casus heeft één samenvatting nodig."),
    ({"source": []}, "source", "Vermeld de bron"),
    ({"start_year": "20x1"}, "start_year", "Het beginjaar is één jaartal van vier cijfers."),
    ({"top_knelpunt": ["knelpunt/tactisch-gat", "knelpunt/sectorale-organisatie", "knelpunt/keuze-contractvorm",
                       "knelpunt/agenda-externe-partijen"]}, "top_knelpunt", "hooguit drie"),
    ({"used_step": ["stap/bestaat-niet"]}, "used_step", "Een doorlopen stap moet een bestaande processtap zijn."),
])
def test_invalid_input_is_reported_at_the_field_in_dutch(either_editor, changes, field, message):
    editor = either_editor
    before = case_files(editor)
    prepared = editor.prepare(new_values(**changes), None, ACCOUNT)
    assert not prepared.ok
    assert any(message in m for m in prepared.errors.get(field, [])), prepared.errors
    with pytest.raises(Invalid):
        editor.save(prepared, "nieuw", ACCOUNT, "aangemaakt")
    assert case_files(editor) == before


def test_focused_validation_finds_what_a_full_validation_finds(either_editor, tmp_path):
    """The save validates only the case (plus everything it refers to); CI validates all. Same verdict."""
    editor = either_editor
    values = new_values(municipality=[], knelpunt=["knelpunt/bestaat-niet"], start_year="2030", end_year="2020")
    prepared = editor.prepare(values, None, ACCOUNT)
    focused = sorted(m for ms in prepared.errors.values() for m in ms)
    content = tmp_path / "content"
    shutil.copytree(editor.settings.content_dir, content)
    (content / "casussen" / f"{prepared.slug}.ttl").write_text(serialize_case(prepared.graph, prepared.uri))
    loaded = load_content(content)
    full = sorted({p.message for p in shacl_problems(loaded.graph, editor.settings, loaded)})
    assert focused == full


def test_validation_reads_the_case_and_what_it_links_to_not_a_copy_of_everything(editor, monkeypatch):
    """At 100x content copying the whole graph for SHACL took most of a save (issue 11's soak)."""
    seen = {}
    original = editor.shacl

    def spy(data, focus, case_graph):
        seen["size"], seen["case"] = len(data), len(case_graph)
        return original(data, focus, case_graph)

    monkeypatch.setattr(editor, "shacl", spy)
    prepared = editor.prepare(new_values(), None, ACCOUNT)
    assert prepared.ok
    whole = Graph().parse(data=editor.cache.content_nt(), format="nt")
    assert seen["case"] < seen["size"] < seen["case"] + 50 < len(whole)
    preview = editor.preview_model(prepared)  # the preview still sees everything, with inferences
    case = str(editor.uri(prepared.slug, canonical=False))
    assert preview.exists(case) and preview.exists(str(editor.uri("laakhavens", canonical=False)))
    knelpunt = f"{editor.settings.base_uri}/id/knelpunt/tactisch-gat"
    assert case in preview.objects(knelpunt, "tor:reportedByCase")  # an inference over the case


def test_content_cache_keeps_n_triples_not_parsed_graphs(tmp_path):
    """At 100x content the parsed graphs held 600 MB; blank nodes of two files must stay two."""
    import pyoxigraph as ox

    from toolbox.publishing.content_cache import ContentCache

    for name in ("a", "b"):
        (tmp_path / f"{name}.ttl").write_text(
            "@prefix tor: <https://toolbox-openbare-ruimte.nl/def/tor#> .\n"
            f"<https://toolbox-openbare-ruimte.nl/id/tool/{name}> a tor:Tool ; tor:remedy _:r .\n"
            "_:r tor:reason \"zelfde\"@nl .\n", encoding="utf-8")
    (tmp_path / "kapot.ttl").write_text("dit is geen turtle", encoding="utf-8")
    cache = ContentCache(Settings.from_env(content_dir=tmp_path))
    store = ox.Store()
    store.load(cache.content_nt(), format=ox.RdfFormat.N_TRIPLES)
    remedies = {q.object for q in store.quads_for_pattern(None, ox.NamedNode(str(TOR.remedy)), None)}
    assert len(remedies) == 2
    assert all(not isinstance(v, Graph) for entry in cache._files.values() for v in vars_of(entry))
    assert len(store) == 6  # the broken file is left out (validation reports it)
    _, defined = cache.neighbourhood(Graph(), exclude=tmp_path / "a.ttl")
    assert {str(u).rsplit("/", 1)[-1] for u in defined} == {"a", "b"}


def vars_of(entry) -> list:
    return [getattr(entry, name) for name in entry.__slots__]


def test_a_valid_case_passes_with_the_classes_from_the_site_model_without_reading_the_content(site_editor,
                                                                                               monkeypatch):
    """Under load every file call of the site waits for the interpreter lock: a save reads no content files."""
    import toolbox.publishing.content_cache as content_cache

    monkeypatch.setattr(content_cache, "content_files", lambda *a: pytest.fail("the content folder was read"))
    prepared = site_editor.prepare(new_values(), None, ACCOUNT)
    assert prepared.ok, prepared.errors


def test_an_address_the_site_already_knows_is_not_free(site_editor):
    """A case IRI defined in some other file (here: its own file is gone) cannot be taken by a new case."""
    path = site_editor.folder / "laakhavens.ttl"
    kept = path.read_bytes()
    path.unlink()
    try:
        prepared = site_editor.prepare(new_values(slug="laakhavens"), None, ACCOUNT)
    finally:
        path.write_bytes(kept)
    assert any("al in gebruik door" in m for m in prepared.errors["slug"]), prepared.errors


def test_new_slug_must_be_free_and_safe(editor):
    assert "slug" in editor.prepare(new_values(slug="laakhavens"), None, ACCOUNT).errors
    assert "slug" in editor.prepare(new_values(slug="../../ontology/tor"), None, ACCOUNT).errors
    assert "slug" in editor.prepare(new_values(slug="Hoofdletters"), None, ACCOUNT).errors
    for bad in ("../x", "a/b", "", "x" * 200, ".hidden"):
        with pytest.raises(NotEditable):
            editor.path_for(bad)


def test_a_file_with_more_than_the_case_is_not_editable(editor):
    path = editor.folder / "samengesteld.ttl"
    path.write_text(textwrap.dedent("""\
        @prefix tor: <https://toolbox-openbare-ruimte.nl/def/tor#> .
        <https://toolbox-openbare-ruimte.nl/id/casus/samengesteld> a tor:Case .
        <https://toolbox-openbare-ruimte.nl/id/tool/stiekem> a tor:Tool .
        """))
    try:
        with pytest.raises(NotEditable):
            editor.load("samengesteld")
    finally:
        path.unlink()


@pytest.mark.parametrize("damage,where", [
    (lambda text: text.replace("@nl", "@nl é", 1).encode("cp1252"), "geen geldige UTF-8: byte"),
    (lambda text: text.replace(" ;", " ;;;", 1).replace(" .", " ", 1).encode(), "Ongeldige Turtle-syntaxis"),
])
def test_a_damaged_case_file_is_named_with_its_line_in_the_editor(editor, damage, where):
    """Issue 24: a case file saved as Windows-1252 gave the editor a traceback (500)."""
    path = editor.folder / "beschadigd.ttl"
    original = (editor.folder / "laakhavens.ttl").read_text(encoding="utf-8").replace("laakhavens", "beschadigd")
    path.write_bytes(damage(original))
    try:
        with pytest.raises(NotEditable) as refused:
            editor.load("beschadigd")
        message = str(refused.value)
        assert "content/casussen/beschadigd.ttl" in message and where in message
        assert "regel " in message
    finally:
        path.unlink()


# ---------------------------------------------------------------------------
# Saving, history, conflicts

def test_save_history_conflict_and_restore(editor):
    prepared = editor.prepare(new_values(title="Eerste titel"), None, ACCOUNT)
    assert prepared.ok, prepared.errors
    first = editor.save(prepared, "nieuw", ACCOUNT, "aangemaakt")
    slug = first.slug
    assert slug == "eerste-titel"
    path = editor.folder / f"{slug}.ttl"
    assert token_of(path.read_bytes()) == first.token
    assert (URIRef(CASUS + slug), TOR.status, None) in Graph().parse(data=editor.cache.content_nt(), format="nt")

    values, status, token, extras = editor.load(slug)
    assert token == first.token and values["title"] == "Eerste titel"
    second = editor.save(editor.prepare({**values, "title": "Tweede titel"}, slug, ACCOUNT, status, extras),
                         token, ACCOUNT, "bewerkt")

    # A form still based on the first version must not overwrite the second.
    stale = editor.prepare({**values, "title": "Verouderd"}, slug, ACCOUNT, status, extras)
    with pytest.raises(Conflict) as caught:
        editor.save(stale, first.token, ACCOUNT, "bewerkt")
    assert caught.value.current_token == second.token
    assert "Tweede titel" in caught.value.current_text
    assert "Tweede titel" in path.read_text()

    # Creating a case whose slug was taken meanwhile is a conflict too.
    with pytest.raises(Conflict):
        editor.save(editor.prepare(new_values(title="Iets", slug="iets"), None, ACCOUNT), "x", ACCOUNT, "aangemaakt")

    versions = editor.history(slug)
    assert len(versions) == 1 and versions[0].title == "Eerste titel" and versions[0].account == ACCOUNT
    history_file = editor.settings.instance_dir / "history" / slug / f"{versions[0].stamp}.ttl"
    assert history_file.exists()
    diff = editor.diff(slug, versions[0].stamp)
    assert ("removed", '-    skos:prefLabel "Eerste titel"@nl ;') in diff
    assert ("added", '+    skos:prefLabel "Tweede titel"@nl ;') in diff

    restored = editor.save(editor.prepare_restore(slug, versions[0].stamp, "acc-11111111"), second.token,
                           "acc-11111111", "hersteld")
    text = path.read_text()
    assert "Eerste titel" in text and "acc-11111111" in text
    assert len(editor.history(slug)) == 2
    assert restored.token != second.token

    retired = editor.save(editor.prepare_status(slug, "gearchiveerd", ACCOUNT), restored.token, ACCOUNT,
                          "gearchiveerd")
    assert 'tor:status "gearchiveerd"' in path.read_text()
    assert retired.slug == slug and path.exists()  # retired, not destroyed
    with pytest.raises(NotEditable):
        editor.history_text(slug, "../../etc/passwd")


def test_atomic_write_replaces_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "casus.ttl"
    target.write_text("oud")
    atomic_write(target, b"nieuw")
    assert target.read_bytes() == b"nieuw"
    assert [p.name for p in tmp_path.iterdir()] == ["casus.ttl"]


CRASH_SCRIPT = """
import os, sys, time
from pathlib import Path
import toolbox.editing.editor as editing

def hang(*args, **kwargs):
    print("KLAAR", flush=True)
    time.sleep(120)

if sys.argv[3] == "voor-rename":
    os.replace = hang          # file written and fsynced, killed before the rename
else:
    os.fsync = hang            # killed while the data is being flushed
editing.atomic_write(Path(sys.argv[1]), Path(sys.argv[2]).read_bytes())
"""


@pytest.mark.parametrize("moment", ["voor-rename", "tijdens-fsync"])
def test_a_save_killed_halfway_leaves_the_previous_valid_file(editor, tmp_path, moment):
    content = tmp_path / "content"
    shutil.copytree(editor.settings.content_dir, content)
    target = content / "casussen" / "laakhavens.ttl"
    before = target.read_bytes()
    new = tmp_path / "nieuw.ttl"
    new.write_bytes(before.replace(b"Laakhavens: grote ambities", b"Half geschreven") + b"# " + b"x" * 100_000)
    proc = subprocess.Popen([sys.executable, "-c", CRASH_SCRIPT, str(target), str(new), moment],
                            stdout=subprocess.PIPE, cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    try:
        assert proc.stdout.readline().strip() == b"KLAAR"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == before
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".laakhavens.ttl.")]
    assert leftovers and all(name.endswith(".tmp") for name in leftovers)
    loaded = load_content(content)
    assert not loaded.problems
    assert all(not str(f).endswith(".tmp") for f in loaded.files)
    uri = URIRef(CASUS + "laakhavens")
    assert "Laakhavens: grote ambities" in str(loaded.graph.value(uri, URIRef(
        "http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert not shacl_problems(loaded.graph, editor.settings, loaded)


def test_stale_temporaries_are_tidied_on_save(editor):
    stale = editor.folder / ".oud.ttl.deadbeef.tmp"
    stale.write_text("half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    prepared = editor.prepare(new_values(title="Opruimen"), None, ACCOUNT)
    editor.save(prepared, "nieuw", ACCOUNT, "aangemaakt")
    assert not stale.exists()


def test_a_save_keeps_the_provenance_of_kept_links_and_marks_new_links_as_editorial(editor):
    """Knelpunt reports of links the editor keeps stay as they were; a link the editor adds is attributed to the
    editor's account with the moment of saving; a removed link takes its report along."""
    slug = "herinrichting-groenewoud"
    values, status, token, extras = editor.load(slug)
    kept, dropped = "knelpunt/stapeling-opgaven-pas-zichtbaar-op-kaart", "knelpunt/sectorale-rijksbudgetten"
    values["knelpunt"] = [k for k in values["knelpunt"] if k != dropped] + ["knelpunt/keuze-contractvorm"]
    prepared = editor.prepare(values, slug, ACCOUNT, status=status, extras=extras, modified="2026-12-07T08:00:00Z")
    assert prepared.ok, (prepared.errors, prepared.general)
    g = Graph().parse(data=prepared.text, format="turtle")
    melding = "https://toolbox-openbare-ruimte.nl/id/melding/" + slug + "--"
    old = URIRef(melding + kept.split("/")[1])
    assert (old, PROV.wasDerivedFrom,
            URIRef("https://toolbox-openbare-ruimte.nl/id/bronplaats/bijlagen-interviews-tilburg")) in g
    top = URIRef(melding + "tactisch-gat")
    assert int(g.value(top, TOR.rank)) == 1
    new = URIRef(melding + "keuze-contractvorm")
    assert (new, PROV.wasAttributedTo, URIRef("https://toolbox-openbare-ruimte.nl/id/account/" + ACCOUNT)) in g
    assert str(g.value(new, PROV.generatedAtTime)).startswith("2026-12-07T08:00:00")
    assert not list(g.predicate_objects(URIRef(melding + dropped.split("/")[1])))
