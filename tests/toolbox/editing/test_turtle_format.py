"""The house format of case files (toolbox/editing/turtle.py, also `toolbox format`), on small graphs."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from toolbox.editing.turtle import format_case_file, serialize_case
from toolbox.namespaces import TOR

ID = "https://toolbox-openbare-ruimte.nl/id/"
CASE = URIRef(ID + "casus/proef")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def case_graph(ranks: dict[str, int | None]) -> Graph:
    g = Graph()
    g.add((CASE, RDF.type, TOR.Case))
    g.add((CASE, SKOS.prefLabel, Literal("Proef", lang="nl")))
    for theme in ("woningbouw", "mobiliteit", "klimaatadaptatie"):
        g.add((CASE, TOR.theme, URIRef(ID + "thema/" + theme)))
    g.add((CASE, DCTERMS.source, URIRef(ID + "bron/werkboek")))
    g.add((CASE, DCTERMS.source, URIRef("https://example.org/verslag")))
    g.add((CASE, DCTERMS.modified, Literal("2026-11-22", datatype=XSD_DATE)))
    for slug, rank in ranks.items():
        knelpunt = URIRef(ID + "knelpunt/" + slug)
        report = URIRef(ID + "melding/proef--" + slug)
        g.add((CASE, TOR.topKnelpunt, knelpunt))
        g.add((report, RDF.type, TOR.KnelpuntReport))
        g.add((report, TOR.reportingCase, CASE))
        g.add((report, TOR.reportedKnelpunt, knelpunt))
        if rank is not None:
            g.add((report, TOR.rank, Literal(rank)))
    return g


def lines_of(text: str, start: str) -> list[str]:
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.strip().startswith(start))
    out = [lines[i]]
    while not out[-1].rstrip().endswith((";", ".")):
        i += 1
        out.append(lines[i])
    return out


def test_top_three_is_written_in_rank_order_not_alphabetically():
    text = serialize_case(case_graph({"zeta": 1, "alfa": 3, "midden": 2}), CASE)
    assert lines_of(text, "tor:topKnelpunt") == [
        "    tor:topKnelpunt knelpunt:zeta ,", "        knelpunt:midden ,", "        knelpunt:alfa ;"]
    assert any(line.split()[:2] == ["tor:rank", "1"] for line in text.split("\n"))  # a plain number, as by hand


def test_unranked_top_three_is_sorted_and_ranked_ones_come_first():
    text = serialize_case(case_graph({"b": None, "a": None, "c": 1}), CASE)
    assert [line.split()[-2] for line in lines_of(text, "tor:topKnelpunt")] == [
        "knelpunt:c", "knelpunt:a", "knelpunt:b"]


def test_every_value_and_the_modification_time_on_a_line_of_their_own():
    text = serialize_case(case_graph({}), CASE)
    assert lines_of(text, "tor:theme") == [
        "    tor:theme thema:klimaatadaptatie ,", "        thema:mobiliteit ,", "        thema:woningbouw ;"]
    assert '    dcterms:modified "2026-11-22"^^xsd:date .' in text.split("\n")
    # sources of the project and outside links are two statements: adding a link leaves the other alone
    assert "    dcterms:source bron:werkboek ;" in text.split("\n")
    assert "    dcterms:source <https://example.org/verslag> ;" in text.split("\n")


def test_same_graph_same_bytes_whatever_the_order_it_was_built_in():
    one = case_graph({"zeta": 1, "alfa": 2})
    other = Graph()
    for triple in sorted(one, key=str, reverse=True):
        other.add(triple)
    assert serialize_case(one, CASE) == serialize_case(other, CASE)


def test_formatting_a_hand_written_file_keeps_its_graph(tmp_path):
    hand = tmp_path / "proef.ttl"
    hand.write_text(
        "@prefix tor: <https://toolbox-openbare-ruimte.nl/def/tor#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f"<{CASE}> a tor:Case ; skos:prefLabel \"Proef\"@nl ; tor:theme <{ID}thema/b> , <{ID}thema/a> .\n",
        encoding="utf-8")
    before = Graph().parse(hand)
    result = format_case_file(hand)
    assert result.changed and not result.problem
    assert isomorphic(before, Graph().parse(hand))
    assert format_case_file(hand).changed is False  # a second run changes nothing


def test_a_file_that_cannot_be_read_is_left_alone(tmp_path):
    broken = tmp_path / "kapot.ttl"
    broken.write_text("dit is geen turtle", encoding="utf-8")
    result = format_case_file(broken)
    assert result.problem and not result.changed
    assert broken.read_text(encoding="utf-8") == "dit is geen turtle"


def test_format_command_checks_and_fixes_case_files(tmp_path, capsys):
    import shutil

    from toolbox.cli import main
    from toolbox.config import REPO_ROOT

    shutil.copytree(REPO_ROOT / "content" / "casussen", tmp_path / "casussen")
    assert main(["format", "--check", "--content", str(tmp_path)]) == 0  # the shipped files are in the house format
    path = tmp_path / "casussen" / "laakhavens.ttl"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(" ;\n    ", " ; "), encoding="utf-8")  # squeezed by hand
    assert main(["format", "--check", "--content", str(tmp_path)]) == 1
    assert path.read_text(encoding="utf-8") != original  # --check writes nothing
    assert main(["format", "--content", str(tmp_path)]) == 0
    assert path.read_text(encoding="utf-8") == original
    assert "laakhavens.ttl: herschreven" in capsys.readouterr().out
