"""The benchmark's content generator: valid, ~N times the cases, deterministic. No timing assertions."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from bench.generate import generate
from toolbox.config import REPO_ROOT, Settings
from toolbox.graph.content import load_content
from toolbox.graph.validate import validate_content
from toolbox.namespaces import TOR

SOURCE = REPO_ROOT / "content"


def _count(graph: Graph, cls) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


@pytest.fixture(scope="module")
def content_10x(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("bench") / "content-10x"
    generate(SOURCE, target, 10)
    return target


def test_10x_content_passes_validation(content_10x):
    settings = Settings.from_env(content_dir=content_10x, sparql_endpoint=None)
    report = validate_content(settings, owl=False)
    assert report.ok, "\n".join(p.line_text() for p in report.problems[:20])


def test_10x_content_has_ten_times_the_cases_knelpunten_and_tools(content_10x):
    real = load_content(SOURCE).graph
    scaled = load_content(content_10x).graph
    for cls in (TOR.Case, TOR.Tool):
        assert _count(scaled, cls) == 10 * _count(real, cls)
    # a few knelpunt files hold other things (aanbevelingen, richtvragen) and are not copied
    assert 9 * _count(real, TOR.Knelpunt) <= _count(scaled, TOR.Knelpunt) <= 10 * _count(real, TOR.Knelpunt)
    assert len(scaled) > 3 * len(real)


def test_twins_link_within_their_copy_and_to_real_entities(content_10x):
    scaled = load_content(content_10x).graph
    base = "https://toolbox-openbare-ruimte.nl/id/"
    twin = next(s for s in scaled.subjects(RDF.type, TOR.Case) if str(s).endswith("-v7"))
    knelpunten = {str(k) for k in scaled.objects(twin, TOR.reportsKnelpunt)}
    assert knelpunten and all(k.endswith("-v7") for k in knelpunten)
    assert all(not str(m).endswith(tuple(f"-v{k}" for k in range(2, 11)))
               for m in scaled.objects(twin, TOR.municipality))
    assert all(str(m).startswith(base + "gemeente/") for m in scaled.objects(twin, TOR.municipality))


def test_generation_is_deterministic(tmp_path):
    a = generate(SOURCE, tmp_path / "a", 2, seed=7)
    b = generate(SOURCE, tmp_path / "b", 2, seed=7)
    assert a.counts == b.counts
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*-v2.ttl"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*-v2.ttl"))
    assert files_a == files_b and files_a
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_factor_one_is_a_plain_copy(tmp_path):
    summary = generate(SOURCE, tmp_path / "one", 1)
    assert summary.files == 0
    assert len(list((tmp_path / "one").rglob("*.ttl"))) == len(list(SOURCE.rglob("*.ttl")))


def test_refuses_to_replace_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    with pytest.raises(SystemExit):
        generate(SOURCE, tmp_path / "mine", 2, force=True)
    assert (tmp_path / "mine" / "keep.txt").exists()
