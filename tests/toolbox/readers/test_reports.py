"""Readers' reports in the instance folder: the checks, the states, nothing lost, no address kept."""

from __future__ import annotations

import json

import pytest

from toolbox.readers.reports import (
    BUSY,
    CLOSED,
    DONE,
    MAX_TEXT,
    NEW,
    ReportError,
    ReportStore,
    UsefulCounts,
    check_report,
)


def test_a_good_report_passes_and_bad_fields_get_a_dutch_message_each():
    assert check_report("fout", "De gemeente van deze casus klopt niet.", "") == {}
    assert check_report("casus", "Wij hebben een vergelijkbare wijkaanpak.", "redactie@gemeente.nl") == {}
    errors = check_report("spam", "", "geen-adres")
    assert set(errors) == {"soort", "tekst", "email"}
    assert "Schrijf" in errors["tekst"][0]
    assert "e-mailadres" in errors["email"][0]
    assert "minstens" in check_report("fout", "kort", "")["tekst"][0]
    assert "maximum" in check_report("fout", "x" * (MAX_TEXT + 1), "")["tekst"][0]


def test_a_report_is_kept_as_one_file_with_only_what_the_reader_gave(tmp_path):
    store = ReportStore(tmp_path)
    report = store.add("/doc/casus/laakhavens", "Laakhavens", "fout", "  De periode klopt niet.  ", "")
    files = list((tmp_path / "meldingen").glob("*.json"))
    assert [f.stem for f in files] == [report.id]
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert data["text"] == "De periode klopt niet."
    assert data["email"] == "" and data["state"] == NEW
    assert not {"ip", "adres", "address"} & set(data)
    assert files[0].stat().st_mode & 0o077 == 0  # readable by the site only


def test_close_needs_a_reason_and_changes_nothing_without_one(tmp_path):
    store = ReportStore(tmp_path)
    report = store.add("/doc/tool/ambitieweb", "Ambitieweb", "aanvulling", "Er is een nieuwe versie van dit web.")
    before = (tmp_path / "meldingen" / f"{report.id}.json").read_bytes()
    with pytest.raises(ReportError, match="waarom"):
        store.close(report.id, "redacteur", "   ")
    assert (tmp_path / "meldingen" / f"{report.id}.json").read_bytes() == before
    closed = store.close(report.id, "redacteur", "Al aangepast in de inhoud.")
    assert closed.state == CLOSED and closed.steps[-1].reason == "Al aangepast in de inhoud."
    with pytest.raises(ReportError):
        store.close(report.id, "redacteur", "Nog een keer")  # closed stays closed
    with pytest.raises(ReportError):
        store.start(report.id, "redacteur", "laakhavens")


def test_a_report_moves_from_new_to_busy_to_done_and_keeps_its_steps(tmp_path):
    store = ReportStore(tmp_path)
    report = store.add("/doc/casus/laakhavens", "Laakhavens", "fout", "De periode klopt niet helemaal.")
    with pytest.raises(ReportError):
        store.done(report.id, "redacteur", "laakhavens")  # not turned into an edit yet
    store.start(report.id, "redacteur", "laakhavens")
    done = store.done(report.id, "redacteur", "laakhavens")
    assert done.state == DONE
    assert [s.state for s in store.get(report.id).steps] == [NEW, BUSY, DONE]
    assert store.all()[0].id == report.id


def test_report_ids_cannot_reach_outside_the_folder(tmp_path):
    store = ReportStore(tmp_path)
    for bad in ("../audit", "20261207T101010-abcdef/../x", "", "x" * 30):
        with pytest.raises(ReportError):
            store.get(bad)


def test_useful_counts_per_page(tmp_path):
    counts = UsefulCounts(tmp_path)
    counts.add("/doc/tool/ambitieweb", True)
    counts.add("/doc/tool/ambitieweb", True)
    counts.add("/doc/tool/ambitieweb", False)
    counts.add("/doc/casus/laakhavens", False)
    assert counts.read() == {"/doc/tool/ambitieweb": {"ja": 2, "nee": 1}, "/doc/casus/laakhavens": {"ja": 0, "nee": 1}}


def test_reports_are_in_the_backup(tmp_path, minimal_copy):
    import tarfile

    from toolbox.config import Settings
    from toolbox.operations.backup import backup

    settings = Settings(content_dir=minimal_copy, build_dir=tmp_path / "build", instance_dir=tmp_path / "instance",
                        sparql_endpoint=None)
    report = ReportStore(settings.instance_dir).add("/doc/casus/x", "X", "fout", "Een melding die blijft.")
    UsefulCounts(settings.instance_dir).add("/doc/casus/x", True)
    backup(settings, tmp_path / "kopie.tar.gz")
    with tarfile.open(tmp_path / "kopie.tar.gz") as archive:
        names = set(archive.getnames())
    assert {f"instance/meldingen/{report.id}.json", "instance/meldingen/nuttig.json"} <= names


def test_a_damaged_report_file_is_skipped_in_the_list_and_named_on_its_own(tmp_path):
    store = ReportStore(tmp_path)
    good = store.add("/doc/casus/x", "X", "fout", "Een melding die heel blijft.")
    (tmp_path / "meldingen" / "20260101T000000-abcdef.json").write_text('{"id": 1}', encoding="utf-8")
    assert [r.id for r in store.all()] == [good.id]
    with pytest.raises(ReportError, match="beschadigd"):
        store.get("20260101T000000-abcdef")
