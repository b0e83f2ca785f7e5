"""Reading content files: every problem names the file and the line (issue 24)."""

from __future__ import annotations

from rdflib import URIRef

from toolbox.config import CANONICAL_BASE
from toolbox.graph.content import decode, definition_lines, load_content

TEXT = f"""@prefix dimensie: <{CANONICAL_BASE}/id/dimensie/> .
@prefix cluster:  <{CANONICAL_BASE}/id/cluster/> .

cluster:a a <urn:X> ;
    <urn:p> "dimensie:a" .
dimensie:a a <urn:Y> .
<{CANONICAL_BASE}/id/tool/t> a <urn:Z> .
"""


def test_the_line_of_each_thing_by_its_own_prefixes_also_under_another_base():
    base = "http://localhost:5000"
    found = definition_lines(TEXT, [URIRef(f"{base}/id/dimensie/a"), URIRef(f"{base}/id/cluster/a"),
                                    URIRef(f"{base}/id/tool/t")], base)
    assert found == {URIRef(f"{base}/id/cluster/a"): 4, URIRef(f"{base}/id/dimensie/a"): 6,
                     URIRef(f"{base}/id/tool/t"): 7}


def test_bytes_that_are_not_utf8_are_named_by_byte_and_line():
    data = "regel één\nregel twee met café\n".encode("cp1252")
    text, problem = decode(data, "content/x.ttl")
    assert text is None and problem.file == "content/x.ttl" and problem.line == 1
    assert "byte 6 (0xe9) op regel 1" in problem.message


def test_load_content_reports_a_utf16_file_without_raising(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.ttl").write_bytes(TEXT.encode("utf-16"))
    loaded = load_content(tmp_path / "content")
    (problem,) = loaded.problems
    assert problem.file == "content/a.ttl" and "geen geldige UTF-8" in problem.message


def test_common_syntax_errors_are_explained_in_dutch_with_their_line():
    from toolbox.graph.content import parse_turtle

    head = "@prefix x: <https://x/> .\n"
    for body, dutch in [("x:a x:b x:c\nx:d x:e x:f .\n", "eindigen met een punt"),
                        ("y:a x:b x:c .\n", "zonder @prefix-regel"),
                        ('x:a x:b "kapot\n', "loopt door over de regel")]:
        graph, problem = parse_turtle(head + body, "content/a.ttl", CANONICAL_BASE)
        assert graph is None and dutch in problem.message and problem.line in (2, 3), problem
