"""One gate: the site's quick check of a case gives exactly the verdict of `toolbox validate`.

Cases are generated over every form field, with valid references and invalid ones of every kind
(an unknown slug in every segment a field accepts, a valid and an unknown value together; the
form makes links only under the segments a field accepts, and each segment holds one class),
missing required values, too many top-3 knelpunten, years the wrong way round. Each is checked
by the editor (`CaseEditor.prepare`, both ways the site can find the classes of linked things)
and, written as a file, by the full validation; any difference in verdict or in messages fails.
A deliberately weakened shapes file must make the comparison fail, so the test can tell a gap
when there is one.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from tests.toolbox.editing.test_editor import ACCOUNT, new_values
from toolbox.config import CANONICAL_BASE, REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor
from toolbox.editing.form import FIELDS
from toolbox.editing.turtle import serialize_case
from toolbox.graph.content import load_content
from toolbox.graph.validate import validate_content

ID = CANONICAL_BASE + "/id/"


def _things_by_segment() -> dict[str, dict[str, set[str]]]:
    """segment -> slug -> classes, from the real content."""
    loaded = load_content(REPO_ROOT / "content")
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s, cls in loaded.graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(s).startswith(ID):
            segment, _, slug = str(s)[len(ID):].partition("/")
            if slug and "/" not in slug:
                found[segment][slug].add(str(cls))
    return found


def generated_cases() -> list[tuple[str, dict]]:
    """(what it tries, form values) for every reference field and kind of reference, and the rest."""
    things = _things_by_segment()
    cases: list[tuple[str, dict]] = [("geldig", new_values())]
    for f in FIELDS:
        if f.kind not in ("one", "many"):
            continue
        for segment in f.segments:
            known = sorted(things.get(segment, {}))
            for slug in known[:2]:
                value = f"{segment}/{slug}"
                cases.append((f"{f.name}: bestaand {value}", _with(f, value)))
            unknown = f"{segment}/bestaat-niet-" + f.name.replace("_", "-")
            cases.append((f"{f.name}: onbekend in {segment}", _with(f, unknown)))
            if known and f.kind == "many":
                cases.append((f"{f.name}: bestaand en onbekend", _with(f, f"{segment}/{known[0]}",
                                                                          f"{segment}/ook-niet")))
    cases += [
        ("geen gemeente", new_values(municipality=[])),
        ("geen schaal", new_values(scale="")),
        ("geen thema", new_values(theme=[])),
        ("geen samenvatting", new_values(abstract="")),
        ("geen titel", new_values(title="")),
        ("geen bron", new_values(source=[])),
        ("alleen een link als bron", new_values(source=[], source_urls="https://example.org/bron")),
        ("vier top-3-knelpunten", new_values(top_knelpunt=["knelpunt/tactisch-gat", "knelpunt/sectorale-organisatie",
                                                           "knelpunt/keuze-contractvorm",
                                                           "knelpunt/agenda-externe-partijen"])),
        ("begin na eind", new_values(start_year="2030", end_year="2020")),
        ("jaar dat geen jaar is", new_values(start_year="20x1")),
        ("alles leeg behalve de titel", {**{f.name: [] if f.kind == "many" else "" for f in FIELDS},
                                        "title": "Alleen een titel"}),
        ("korte samenvatting, andere namen, code, links", new_values(
            abstract="Kort.", alt_labels="Groene Kade\nKade", notation="Z9", url="https://example.org/a",
            what_is_new="Nieuw is de aanpak.", lessons="Les één.", challenges="Veel.", methods="Werkwijze.",
            task_type="Gebiedsontwikkeling")),
    ]
    return cases


def _with(f, *values: str) -> dict:
    changes = {f.name: list(values) if f.kind == "many" else values[0]}
    if f.name == "top_knelpunt":
        changes["knelpunt"] = []
    return new_values(**changes)


def quick_and_full(editor: CaseEditor, full_settings: Settings, content: Path) -> list[tuple]:
    """Every generated case through the quick check, then all of them as files through the full
    validation; the list of cases where the two differ (empty: one gate)."""
    quick: dict[str, set[str]] = {}
    tried: dict[str, str] = {}
    for i, (what, values) in enumerate(generated_cases()):
        prepared = editor.prepare({**values, "slug": f"gegenereerd-{i}"}, None, ACCOUNT)
        assert prepared.slug == f"gegenereerd-{i}", (what, prepared.errors)
        quick[prepared.slug] = {m for ms in prepared.errors.values() for m in ms} | set(prepared.general)
        tried[prepared.slug] = what
        (content / "casussen" / f"{prepared.slug}.ttl").write_text(
            serialize_case(prepared.graph, prepared.uri), encoding="utf-8")
    report = validate_content(full_settings, content_dir=content, owl=False)
    full: dict[str, set[str]] = defaultdict(set)
    for problem in report.problems:
        full[Path(problem.file).stem].add(problem.message)
    assert set(full) <= set(quick), "the full check found problems outside the generated cases"
    return [(tried[slug], sorted(quick[slug]), sorted(full.get(slug, ()))) for slug in quick
            if quick[slug] != full.get(slug, set())]


@pytest.fixture
def contents(tmp_path) -> tuple[Path, Path]:
    """The real content twice: one the editor works on, one the generated cases are written to."""
    shutil.copytree(REPO_ROOT / "content", tmp_path / "editor" / "content")
    shutil.copytree(REPO_ROOT / "content", tmp_path / "full" / "content")
    return tmp_path / "editor" / "content", tmp_path / "full" / "content"


def _editor(content: Path, tmp: Path, **settings) -> CaseEditor:
    return CaseEditor(Settings(content_dir=content, build_dir=tmp / "build", instance_dir=tmp / "instance",
                               **settings))


def test_the_generated_cases_cover_every_field_and_both_verdicts():
    cases = generated_cases()
    fields = {what.split(":")[0] for what, _ in cases}
    assert {f.name for f in FIELDS if f.kind in ("one", "many")} <= fields
    assert len(cases) > 40
    assert any("onbekend" in what for what, _ in cases) and any("bestaand" in what for what, _ in cases)


def test_the_quick_check_gives_the_verdict_of_the_full_validation(contents, tmp_path):
    editor_content, full_content = contents
    editor = _editor(editor_content, tmp_path / "editor")
    differences = quick_and_full(editor, Settings(), full_content)
    assert differences == []


def test_the_quick_check_with_the_site_model_gives_the_same_verdict(contents, tmp_path, real_store, real_settings):
    from toolbox.graph.model import GraphModel

    editor_content, full_content = contents
    model = GraphModel.from_store(real_store, real_settings.base_uri)
    editor = CaseEditor(Settings(content_dir=editor_content, build_dir=tmp_path / "b", instance_dir=tmp_path / "i",
                                 base_uri=real_settings.base_uri), known=lambda: model)
    full = Settings(base_uri=real_settings.base_uri)
    assert quick_and_full(editor, full, full_content) == []


def test_a_weakened_shape_in_the_quick_check_is_found(contents, tmp_path):
    """The comparison can fail: the editor's shapes without the check of a used tool let an unknown
    tool through, and the full validation (with the project's shapes) tells the difference."""
    editor_content, full_content = contents
    ontology = tmp_path / "zwakker"
    shutil.copytree(REPO_ROOT / "ontology", ontology)
    shapes = (ontology / "shapes.ttl").read_text(encoding="utf-8")
    strict = "sh:path tor:usedTool ;\n        sh:or ( [ sh:class tor:Tool ] [ sh:class tor:OtherAid ] ) ;"
    assert strict in shapes
    (ontology / "shapes.ttl").write_text(shapes.replace(strict, "sh:path tor:usedTool ;"), encoding="utf-8")
    editor = _editor(editor_content, tmp_path / "editor", ontology_dir=ontology)
    differences = quick_and_full(editor, Settings(), full_content)
    assert differences and all(what.startswith("used_tool") for what, _, _ in differences), differences
    assert any("bestaande tool" in m for _, quick, full in differences for m in full if m not in quick)
