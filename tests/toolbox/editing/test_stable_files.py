"""A web save of one field changes only that field's lines in the case file (issue 29, stable files).

For every case: load the form values, change one field, save through the real save code and look at
the diff of the file: every changed line must belong to that field, or be the save's own provenance
(`dcterms:modified`, `prov:wasAttributedTo`, each on a line of its own). Three fields per case, in
turn, so every editable field is changed in at least two cases.
"""

from __future__ import annotations

import difflib
import shutil

import pytest
from rdflib import RDF, URIRef
from rdflib.compare import isomorphic

from toolbox.config import CANONICAL_BASE, REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor
from toolbox.editing.form import FIELDS, PATH_FIELD
from toolbox.editing.turtle import serialize_case
from toolbox.graph.content import load_content, parse_turtle
from toolbox.namespaces import TOR

ACCOUNT = "acc-5tab1e00"
EDITABLE = [f for f in FIELDS if f.name != "slug"]
SLUGS = sorted(p.stem for p in (REPO_ROOT / "content" / "casussen").glob("*.ttl"))
PER_CASE = 3
PROVENANCE = {"dcterms:modified", "prov:wasAttributedTo"}


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> CaseEditor:
    root = tmp_path_factory.mktemp("stable")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance")
    return CaseEditor(settings)


@pytest.fixture(scope="module")
def choices() -> dict[str, list[str]]:
    """Every thing the pickers offer, per URI segment ('thema' -> ['thema/woningbouw', ...])."""
    graph = load_content(REPO_ROOT / "content").graph
    prefix = CANONICAL_BASE + "/id/"
    out: dict[str, list[str]] = {}
    for s in sorted(set(graph.subjects(RDF.type, None)), key=str):
        if isinstance(s, URIRef) and str(s).startswith(prefix) and str(s).count("/") == prefix.count("/") + 1:
            segment = str(s)[len(prefix):].split("/")[0]
            out.setdefault(segment, []).append(str(s)[len(prefix):])
    return out


def changed(f, values: dict, choices: dict) -> dict:
    """The form values with only field f changed, in a way the shapes accept."""
    new = {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}
    value = new[f.name]
    if f.kind == "text":
        new[f.name] = (value + "\n\n" if value else "") + "Aangevuld bij de proef op stabiele bestanden."
    elif f.kind == "label":
        new[f.name] = value + " (bijgewerkt)"
    elif f.kind == "short":
        new[f.name] = "Z9" if f.name == "notation" else (value + " en beheer").strip()
    elif f.kind == "year":
        new[f.name] = "2015" if f.name == "start_year" else "2045"
    elif f.kind == "one":
        options = [c for c in choices[f.segments[0]] if c != value]
        new[f.name] = options[0]
    elif f.kind in ("lines", "urls"):
        extra = "Werknaam bij de proef" if f.kind == "lines" else f"https://example.org/proef/{f.name}"
        new[f.name] = (value + "\n" if value else "") + extra
    elif f.name == "top_knelpunt" and len(value) >= 2:
        new[f.name] = list(reversed(value))  # only the ranking changes
    else:
        taken = set(value) | (set(new["knelpunt"]) if f.name == "top_knelpunt" else set())
        options = [c for segment in f.segments for c in choices.get(segment, []) if c not in taken]
        new[f.name] = value + [options[0]]
        if f.name == "top_knelpunt":
            new["knelpunt"] = new["knelpunt"] + [options[0]]
    return new


def statement_keys(text: str) -> list[str]:
    """For each line of a case file in the house format: the statement it belongs to.

    'prefix', 'blank', a predicate of the case ('tor:theme', or 'dcterms:source bron' / 'dcterms:source link'),
    or 'report' for the lines of the knelpunt reports."""
    keys, current, in_long, in_report = [], "prefix", False, False
    for line in text.split("\n"):
        if in_long:
            keys.append(current)
        elif not line.strip():
            keys.append("blank")
        elif line.startswith("@prefix"):
            keys.append("prefix")
        elif not line.startswith(" "):
            in_report = line.startswith("melding:")
            current = "report" if in_report else "case-head"
            keys.append(current)
        elif line.startswith("        "):
            keys.append(_source_key(current, line) if current.startswith("dcterms:source") else current)
        else:
            current = "report" if in_report else line.split()[0]
            current = _source_key(current, line) if current == "dcterms:source" else current
            keys.append(current)
        if line.count('"""') % 2:
            in_long = not in_long
    return keys


def _source_key(current: str, line: str) -> str:
    value = line.split()[-2] if line.rstrip().endswith((";", ",", ".")) else line.split()[-1]
    return "dcterms:source " + ("link" if value.startswith("<") else "bron")


def allowed_keys(f) -> set[str]:
    if f.name == "source":
        return {"dcterms:source bron"}
    if f.name == "source_urls":
        return {"dcterms:source link"}
    if f.name in ("knelpunt", "top_knelpunt"):
        return {"tor:reportsKnelpunt", "tor:topKnelpunt", "report", "blank"}
    from toolbox.editing.turtle import _term

    return {_term(URIRef(next(p for p, name in PATH_FIELD.items() if name == f.name)))}


def touched(before: str, after: str) -> set[str]:
    old, new = before.split("\n"), after.split("\n")
    old_keys, new_keys = statement_keys(before), statement_keys(after)
    out = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            out |= set(old_keys[i1:i2]) | set(new_keys[j1:j2])
    return out


def save(editor, slug: str, values: dict, status: str, extras, token: str) -> str:
    prepared = editor.prepare(values, slug, ACCOUNT, status=status, extras=extras)
    assert prepared.ok, (slug, prepared.errors, prepared.general)
    editor.save(prepared, token, ACCOUNT, "gewijzigd")
    return editor.read(slug).decode("utf-8")


def test_every_case_file_is_in_the_house_format():
    """Hand-written files are exactly what the writer makes of their graph (brought over once)."""
    for slug in SLUGS:
        text = (REPO_ROOT / "content" / "casussen" / f"{slug}.ttl").read_text("utf-8")
        graph, problem = parse_turtle(text, slug, CANONICAL_BASE)
        assert problem is None
        assert serialize_case(graph, URIRef(f"{CANONICAL_BASE}/id/casus/{slug}")) == text, slug


@pytest.mark.parametrize("index,slug", list(enumerate(SLUGS)))
def test_a_one_field_save_changes_only_that_fields_lines(editor, choices, index, slug):
    for step in range(PER_CASE):
        f = EDITABLE[(index * PER_CASE + step) % len(EDITABLE)]
        values, status, token, extras = editor.load(slug)
        before = editor.read(slug).decode("utf-8")
        after = save(editor, slug, changed(f, values, choices), status, extras, token)
        lines = touched(before, after)
        assert lines - PROVENANCE <= allowed_keys(f), (slug, f.name, lines)
        assert lines & allowed_keys(f), (slug, f.name, "het veld zelf is niet veranderd")
        modified = [line for line in after.split("\n") if "dcterms:modified" in line]
        assert len(modified) == 1 and modified[0].split()[0] == "dcterms:modified"


def test_an_unchanged_save_changes_only_the_provenance(editor):
    slug = SLUGS[0]
    values, status, token, extras = editor.load(slug)
    before = editor.read(slug).decode("utf-8")
    after = save(editor, slug, values, status, extras, token)
    assert touched(before, after) <= PROVENANCE
    old, _ = parse_turtle(before, "voor", CANONICAL_BASE)
    new, _ = parse_turtle(after, "na", CANONICAL_BASE)
    assert not isomorphic(old, new)  # the time of the save differs, nothing else (checked above)


def test_the_top_three_keeps_the_order_the_editor_gave(editor):
    slug = "sprenkelaar"
    values, status, token, extras = editor.load(slug)
    assert values["top_knelpunt"] == ["knelpunt/tactisch-gat", "knelpunt/projectopdracht-zonder-integrale-afweging",
                                      "knelpunt/kaders-voor-keuzes-ontbreken"]  # rank 1, 2, 3 in the file
    values["top_knelpunt"] = [values["top_knelpunt"][i] for i in (2, 0, 1)]
    text = save(editor, slug, values, status, extras, token)
    top_line = next(line for line in text.split("\n") if line.strip().startswith("tor:topKnelpunt"))
    assert top_line.split()[1] == "knelpunt:kaders-voor-keuzes-ontbreken"
    again, _, _, _ = editor.load(slug)
    assert again["top_knelpunt"] == values["top_knelpunt"]
    graph, _ = parse_turtle(text, slug, CANONICAL_BASE)
    ranks = {str(graph.value(r, TOR.reportedKnelpunt)).rsplit("/", 1)[1]: int(graph.value(r, TOR.rank))
             for r in graph.subjects(TOR.rank, None)}
    assert ranks == {"kaders-voor-keuzes-ontbreken": 1, "tactisch-gat": 2,
                     "projectopdracht-zonder-integrale-afweging": 3}
