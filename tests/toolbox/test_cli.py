"""The `toolbox` command: exit codes and output for valid, invalid and malformed content."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import rdflib

from tests.conftest import MINIMAL


def run(*args, env_extra=None, tmp_build=None):
    import os

    env = dict(os.environ)
    if tmp_build:
        env["TOOLBOX_BUILD"] = str(tmp_build)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "toolbox.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_validate_valid_exits_0():
    result = run("validate", "--content", str(MINIMAL))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Geldig")


def test_validate_invalid_prints_one_line_per_violation(minimal_copy):
    path = minimal_copy / "casus.ttl"
    path.write_text(path.read_text().replace("tor:municipality gemeente:toetsstad ; ", ""), encoding="utf-8")
    result = run("validate", "--content", str(minimal_copy))
    assert result.returncode == 1
    lines = [line.split("\t") for line in result.stdout.strip().splitlines()]
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("casus:toetswijk"))
    assert [f"content/casus.ttl:{line}", "https://toolbox-openbare-ruimte.nl/id/casus/toetswijk", "tor:municipality",
            "Een casus heeft een gemeente nodig."] in lines  # issue 24: every content error names file and line


def test_validate_malformed_reports_file_and_line_without_traceback(minimal_copy):
    (minimal_copy / "kapot.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b .\n", encoding="utf-8")
    result = run("validate", "--content", str(minimal_copy))
    assert result.returncode == 1
    assert "content/kapot.ttl:2" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["validate", "build", "stats"])
def test_a_file_that_is_not_utf8_is_named_with_line_and_byte_without_traceback(minimal_copy, tmp_path, command):
    """Issue 24: a file saved as Windows-1252 ended validate, build and stats in a UnicodeDecodeError."""
    path = minimal_copy / "mensen.ttl"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if '"' in line and not line.startswith("@"))
    lines[target] = lines[target].replace('"', '"café ', 1)
    data = "".join(lines).encode("cp1252")
    path.write_bytes(data)
    offset = data.index("é".encode("cp1252"))
    result = run(command, "--content", str(minimal_copy), tmp_build=tmp_path / "build")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert f"content/mensen.ttl:{target + 1}" in out
    assert f"geen geldige UTF-8: byte {offset} (0xe9) op regel {target + 1}" in out
    assert "Traceback" not in out and "UnicodeDecodeError" not in out


def test_validate_json(minimal_copy):
    result = run("validate", "--content", str(MINIMAL), "--json", "--no-owl")
    assert json.loads(result.stdout) == {"valid": True, "problems": []}


def test_stats_json_and_export_nt(tmp_path):
    result = run("stats", "--json", "--content", str(MINIMAL), tmp_build=tmp_path)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["classes"]["tor:Case"] == 1
    assert stats["classes"]["tor:ProcessStep"] == 2
    assert stats["relations"]["tor:relevantTool"] == 1
    assert stats["orphans"] == []
    out = tmp_path / "graph.nt"
    result = run("export", "--format", "nt", "-o", str(out), "--content", str(MINIMAL), tmp_build=tmp_path)
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(out, format="nt")
    assert len(graph) == stats["triples"] or len(graph) > 200


def test_query_table_and_json(tmp_path):
    q = "PREFIX tor: <https://toolbox-openbare-ruimte.nl/def/tor#> SELECT ?s WHERE { ?s a tor:Tool }"
    result = run("query", q, "--content", str(MINIMAL), tmp_build=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tool/ambitieweb" in result.stdout
    result = run("query", q, "--json", "--content", str(MINIMAL), tmp_build=tmp_path)
    assert json.loads(result.stdout) == [{"s": "https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb"}]
    result = run("query", "DROP ALL", "--content", str(MINIMAL), tmp_build=tmp_path)
    assert result.returncode == 1 and "alleen-lezen" in result.stderr


def test_build_keeps_the_content_cache_so_a_save_after_the_start_publishes_in_place(tmp_path):
    from toolbox.config import Settings
    from toolbox.publishing.content_cache import ContentCache
    from toolbox.publishing.publish import LivePublisher

    result = run("build", "--no-owl", "--content", str(MINIMAL), tmp_build=tmp_path)
    assert result.returncode == 0, result.stderr
    settings = Settings(content_dir=MINIMAL, build_dir=tmp_path)
    assert ContentCache.path(settings).exists() and "Inhoudscache bewaren" in result.stderr
    publisher = LivePublisher.start(settings)  # would raise Unpublishable with a cache of another version
    assert len(publisher.files) == len(list(MINIMAL.rglob("*.ttl")))
