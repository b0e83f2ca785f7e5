"""Last good version, never a gap: what a refresh publishes when a content file is damaged, not UTF-8,
invalid or removed outside the editor (issue 24, finding 2: the content cache left such files out)."""

from __future__ import annotations

import pytest

from toolbox.build.pipeline import artefact_paths
from toolbox.publishing import refresh
from toolbox.publishing.content_cache import ContentCache
from toolbox.publishing.refresh import RefreshFailed

CASE = "https://toolbox-openbare-ruimte.nl/id/casus/toetswijk"
TOOL = "https://toolbox-openbare-ruimte.nl/id/tool/ambitieweb"


def refreshed(settings):
    return refresh.make_state(settings, artefact_paths(settings).index_dir)


def labels(made, uri) -> set[str]:
    return {v.value for v in made.model.values(uri, "skos:prefLabel")}


def used_tools(made) -> set[str]:
    return set(made.model.objects(CASE, "tor:usedTool"))


def test_a_file_with_a_syntax_error_keeps_its_last_good_version(built):
    first = refreshed(built)
    assert first.problems == [] and labels(first, CASE) == {"Toetswijk"}
    path = built.content_dir / "casus.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if "tor:status" in line)
    lines[broken] = lines[broken].replace(" ;", " ;;; ]", 1)
    path.write_text("".join(lines), encoding="utf-8")
    made = refreshed(built)
    assert labels(made, CASE) == {"Toetswijk"}  # still there: the last good version of the file
    assert [p.file for p in made.problems] == ["content/casus.ttl"]
    assert made.problems[0].line == broken + 1 and "Turtle-syntaxis" in made.problems[0].message
    # and it stays so in the next refresh, from the cache kept in build/
    again = refreshed(built)
    assert labels(again, CASE) == {"Toetswijk"} and [p.file for p in again.problems] == ["content/casus.ttl"]


def test_a_file_that_is_not_utf8_keeps_its_last_good_version(built):
    refreshed(built)
    path = built.content_dir / "proces.ttl"
    path.write_bytes(path.read_text(encoding="utf-8").replace('"Ambitieweb"@nl', '"Ambitieweb é"@nl')
                     .encode("cp1252"))
    made = refreshed(built)
    assert labels(made, TOOL) == {"Ambitieweb"}
    (problem,) = made.problems
    assert problem.file == "content/proces.ttl" and "geen geldige UTF-8: byte" in problem.message and problem.line


def test_a_file_changed_outside_the_editor_that_breaks_a_link_is_held_back(built):
    refreshed(built)
    path = built.content_dir / "casus.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("tor:usedTool tool:ambitieweb",
                                                             "tor:usedTool tool:ambitieweb, tool:ambitiewiel"),
                    encoding="utf-8")
    made = refreshed(built)
    assert used_tools(made) == {TOOL}  # not the unknown tool: the last good version
    files = {p.file for p in made.problems}
    assert "content/casus.ttl" in files
    assert any("bestaande tool" in p.message for p in made.problems)
    assert any("Niet gepubliceerd" in p.message for p in made.problems)
    # fixed on disk: published, and the problems are gone
    path.write_text(path.read_text(encoding="utf-8").replace(", tool:ambitiewiel", ""), encoding="utf-8")
    fixed = refreshed(built)
    assert fixed.problems == [] and used_tools(fixed) == {TOOL}


def test_a_removed_file_that_others_need_comes_back_until_the_content_is_valid_without_it(built):
    refreshed(built)
    (built.content_dir / "mensen.ttl").unlink()  # holds the knelpunt the case reports
    made = refreshed(built)
    assert labels(made, "https://toolbox-openbare-ruimte.nl/id/knelpunt/geen-budget") == {"Geen gezamenlijk budget"}
    assert any(p.file == "content/mensen.ttl" and "Niet gepubliceerd" in p.message for p in made.problems)


def test_a_valid_change_outside_the_editor_is_published(built):
    refreshed(built)
    path = built.content_dir / "proces.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('"Ambitieweb"@nl', '"Ambitieweb twee"@nl'),
                    encoding="utf-8")
    made = refreshed(built)
    assert made.problems == [] and labels(made, TOOL) == {"Ambitieweb twee"}


def test_without_any_good_version_of_a_damaged_file_nothing_is_published(built):
    """No cache in build/ and a file that never parsed: publishing would leave out what it held."""
    ContentCache.path(built).unlink(missing_ok=True)
    path = built.content_dir / "casus.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n kapot .\n", encoding="utf-8")
    before = artefact_paths(built).dataset.read_bytes()
    with pytest.raises(RefreshFailed) as failed:
        refreshed(built)
    assert "content/casus.ttl" in str(failed.value)
    assert artefact_paths(built).dataset.read_bytes() == before
