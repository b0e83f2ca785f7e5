"""Backups that always restore (issue 24): a backup taken while the content was not valid restores,
with its problems named by file and line, and the site keeps what it had (the last good build)."""

from __future__ import annotations

import shutil

from tests.conftest import MINIMAL
from toolbox.accounts.registry import read_audit
from toolbox.build.pipeline import build
from toolbox.build.recovery import open_built
from toolbox.config import Settings
from toolbox.operations.backup import backup, restore


def _site(root) -> Settings:
    shutil.copytree(MINIMAL, root / "content")
    return Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance")


def test_a_backup_of_invalid_content_restores_with_its_problems_and_the_site_keeps_what_it_had(tmp_path):
    source = _site(tmp_path / "bron")
    case = source.content_dir / "casus.ttl"
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if "tor:status" in line)
    lines[broken] = lines[broken].replace(" ;", " ;;; ]", 1)
    case.write_text("".join(lines), encoding="utf-8")
    (source.content_dir / "mensen.ttl").write_bytes((source.content_dir / "mensen.ttl").read_text(
        encoding="utf-8").replace("@nl", "@nl é", 1).encode("cp1252"))
    archive = tmp_path / "kopie.tar.gz"
    backup(source, archive)  # taken while the content is not valid

    target = _site(tmp_path / "doel")
    build(target, owl=False)  # the site there serves the minimal content
    served = (target.build_dir / "graph.nq").read_bytes()
    summary = restore(target, archive)
    assert (target.content_dir / "casus.ttl").read_bytes() == case.read_bytes()  # restored as it was
    files = {(p.file, p.line) for p in summary.problems}
    assert ("content/casus.ttl", broken + 1) in files
    assert any(f == "content/mensen.ttl" and line for f, line in files)
    assert any("UTF-8" in p.message for p in summary.problems)
    assert read_audit(target)[0]["gebeurtenis"] == "hersteld"

    # A restart: the last good build, with the problems, never less than before the restore
    artefacts = open_built(target, lambda found: found)
    assert artefacts.dataset.read_bytes() == served
    assert {p.file for p in artefacts.problems} >= {"content/casus.ttl", "content/mensen.ttl"}
    aside = [p for p in (tmp_path / "doel").iterdir() if ".voor-herstel-" in p.name]
    assert len(aside) == 2  # the previous content and instance, kept


def test_the_restore_command_reports_the_problems_and_succeeds(tmp_path, capsys):
    from types import SimpleNamespace

    from toolbox.operations.backup import restore_command

    source = _site(tmp_path / "bron")
    (source.content_dir / "proces.ttl").write_text("@prefix x: <https://x/> .\nx:a x:b \"kapot\n", encoding="utf-8")
    archive = tmp_path / "kopie.tar.gz"
    backup(source, archive)
    target = _site(tmp_path / "doel")
    assert restore_command(target, SimpleNamespace(file=str(archive))) == 0
    out = capsys.readouterr()
    assert "content/proces.ttl:2" in out.out and "Turtle-syntaxis" in out.out
    assert "Let op: de teruggezette inhoud is niet geldig" in out.err and "Traceback" not in out.err
