"""Who made each kept version and when (the sidecar next to it), and reading versions without one."""

from __future__ import annotations

import os
import shutil

import pytest
from rdflib.namespace import DCTERMS

from toolbox.config import REPO_ROOT, Settings
from toolbox.editing.editor import CaseEditor

SLUG = "toekomstproof-reyeroord"


@pytest.fixture
def editor(tmp_path) -> CaseEditor:
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    return CaseEditor(Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build",
                               instance_dir=tmp_path / "instance"))


def _save(editor, account: str, **changes):
    values, status, token, extras = editor.load(SLUG)
    values.update(changes)
    prepared = editor.prepare(values, SLUG, account, status=status, extras=extras)
    assert prepared.ok, prepared.errors
    editor.save(prepared, token, account, "gewijzigd")
    return prepared


def test_each_kept_version_says_who_made_it_and_when(editor):
    _save(editor, "acc-een", title="Reyeroord, eerste versie")
    first = _save(editor, "acc-twee", title="Reyeroord, tweede versie")
    newest, oldest = editor.history(SLUG)
    # The hand-written file: nobody on the site made it; its own date says when.
    assert (oldest.made_by, oldest.made_at) == ("", "2026-11-22")
    assert oldest.replaced_by == "acc-een"
    assert newest.made_by == "acc-een" and newest.replaced_by == "acc-twee"
    entries = editor.entries(SLUG)
    assert [e.made_by for e in entries] == ["acc-twee", "acc-een", ""]
    assert entries[0].made_at == str(first.graph.value(first.uri, DCTERMS.modified))
    assert [c.summary for c in entries[0].changes] == ["Titel gewijzigd"]
    assert entries[-1].first and entries[-1].changes == []


def test_versions_without_or_with_a_damaged_sidecar_are_read_from_their_turtle(editor):
    _save(editor, "acc-een", title="Reyeroord, eerste versie")
    _save(editor, "acc-twee", title="Reyeroord, tweede versie")
    folder = editor.history_dir(SLUG)
    newest, oldest = sorted(folder.glob("*.json"), reverse=True)
    newest.unlink()
    oldest.write_text("{kapot", encoding="utf-8")
    versions = editor.history(SLUG)
    assert versions[0].made_by == "acc-een" and versions[0].made_at == versions[0].modified
    assert versions[1].made_by == "" and versions[1].made_at == versions[1].modified  # its own date


def test_a_hand_written_file_without_a_date_gets_the_time_of_the_file(editor):
    path = editor.path_for(SLUG)
    path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").split("\n")
                              if not line.startswith("    dcterms:modified")).replace(
        "    dcterms:source bron:werkboek ;\n", "    dcterms:source bron:werkboek .\n"), encoding="utf-8")
    os.utime(path, (1764547200, 1764547200))  # 2025-12-01 00:00 UTC
    values, status, token, extras = editor.load(SLUG)
    prepared = editor.prepare(values, SLUG, "acc-een", status=status, extras=extras)
    assert prepared.ok, prepared.errors
    editor.save(prepared, token, "acc-een", "gewijzigd")
    [kept] = editor.history(SLUG)
    assert (kept.made_by, kept.made_at, kept.modified) == ("", "2025-12-01T00:00:00+00:00", "")
