"""What follows a save without a full build: dataset, index and manifest at once, downloads after a pause."""

from __future__ import annotations

import json

from toolbox.build import pipeline as build_module
from toolbox.build.pipeline import artefact_paths, content_version, ensure_built, read_manifest
from toolbox.config import Settings
from toolbox.graph.store import EmbeddedStore, disk_store_path
from toolbox.publishing import publish
from toolbox.publishing.content_cache import ContentCache
from toolbox.search.indexing import update_index
from toolbox.search.searching import SearchIndex

NEW_NAME = "Ambitieweb hernoemd na opslaan"



def rename_tool(settings: Settings) -> None:
    """An edit as the editor makes it: one file changes on disk."""
    for path in settings.content_dir.rglob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        if '"Ambitieweb"@nl' in text:
            path.write_text(text.replace('"Ambitieweb"@nl', f'"{NEW_NAME}"@nl'), encoding="utf-8")
            return
    raise AssertionError("the minimal content has no Ambitieweb")


def dump_text(settings: Settings) -> str:
    return (settings.build_dir / "data" / "toolbox-openbare-ruimte.nt").read_text(encoding="utf-8")


def test_a_save_writes_dataset_index_and_manifest_at_once_and_downloads_after_a_pause(built, monkeypatch):
    monkeypatch.setattr(publish, "QUIET_SECONDS", 60.0)
    old_version = read_manifest(built)["version"]
    rename_tool(built)
    open_store, made = publish.refresh_build(built)
    version = made.version
    try:
        manifest = read_manifest(built)
        assert manifest["version"] == version == content_version(built) != old_version
        assert not disk_store_path(artefact_paths(built).dataset).exists()  # not made while saving
        assert open_store().select(f'SELECT ?t WHERE {{ ?t ?p "{NEW_NAME}"@nl }}')  # made when first asked for
        assert manifest["downloads"] == old_version  # still being written: a restart knows
        assert NEW_NAME in artefact_paths(built).dataset.read_text(encoding="utf-8")
        assert SearchIndex(artefact_paths(built).index_dir).search("hernoemd").hits[0].label == NEW_NAME
        assert NEW_NAME not in dump_text(built)
    finally:
        publish.wait_for_publication()  # skips the pause
    assert read_manifest(built)["downloads"] == version
    assert NEW_NAME in dump_text(built)


def test_saves_in_a_row_write_the_downloads_once(built, monkeypatch):
    monkeypatch.setattr(publish, "QUIET_SECONDS", 60.0)
    written = []
    from toolbox.publishing import refresh

    real = refresh.write_downloads
    monkeypatch.setattr(refresh, "write_downloads", lambda *a, **k: written.append(1) or real(*a, **k))
    rename_tool(built)
    for _ in range(3):
        publish.refresh_build(built)
    publish.wait_for_publication()
    assert written == [1]
    assert read_manifest(built)["downloads"] == content_version(built)


def test_a_restart_before_the_downloads_were_written_rewrites_only_them(built, monkeypatch):
    monkeypatch.setattr(publish, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(publish, "_publish_downloads", lambda *a: None)  # the site stops right after the save
    rename_tool(built)
    version = publish.refresh_build(built)[1].version
    assert read_manifest(built)["downloads"] != version

    def no_full_build(*args, **kwargs):
        raise AssertionError("a full build was started")

    monkeypatch.setattr(build_module, "build", no_full_build)
    said = []
    artefacts = ensure_built(built, progress=said.append)
    assert artefacts.version == version and any("Downloads bijwerken" in s for s in said)
    assert read_manifest(built)["downloads"] == version
    assert NEW_NAME in dump_text(built)
    assert ensure_built(built, progress=said.append).version == version and len(said) == 1  # now nothing to do


def test_after_a_restart_the_next_save_still_publishes_in_place(built, monkeypatch):
    """The content cache is kept at each publication's version, so a restarted site starts its publisher
    from build/ (before, it found the cache of the last full build and made everything anew)."""
    monkeypatch.setattr(publish, "QUIET_SECONDS", 60.0)
    from toolbox.publishing.refresh import fill_content_cache

    fill_content_cache(built)  # as `toolbox build` leaves it
    publish.forget_publisher(built)
    try:
        publish.live_publisher(built)
        rename_tool(built)
        publish.publish_change(built, artefact_paths(built).index_dir)
        publish.forget_publisher(built)  # a restart: nothing of it in memory
        restarted = publish.LivePublisher.start(built)  # raises Unpublishable when the cache lags behind
        assert restarted.version == read_manifest(built)["version"] == content_version(built)
        assert any(NEW_NAME.encode() in nt for nt in restarted.files.values())
    finally:
        publish.wait_for_publication()
        publish.forget_publisher(built)


def test_the_index_update_rewrites_only_documents_that_changed(built):
    paths = artefact_paths(built)
    store = EmbeddedStore.from_file(built, paths.dataset)
    assert update_index(built, store, paths.index_dir) == 0
    rename_tool(built)
    raw, _ = build_module.build_store(built, ContentCache(built).content_nt())
    written = update_index(built, EmbeddedStore(built, raw), paths.index_dir)
    assert 1 <= written < 10  # the tool and the things that show its name
    assert SearchIndex(paths.index_dir).search("hernoemd").hits[0].label == NEW_NAME


def test_an_index_of_an_older_schema_is_built_afresh(built):
    from whoosh import index as windex
    from whoosh.fields import ID, Schema

    paths = artefact_paths(built)
    for child in paths.index_dir.iterdir():
        child.unlink()
    windex.create_in(str(paths.index_dir), Schema(uri=ID(stored=True, unique=True)))
    store = EmbeddedStore.from_file(built, paths.dataset)
    assert update_index(built, store, paths.index_dir) > 20
    assert SearchIndex(paths.index_dir).search("ambitieweb").hits
    assert "digest" in json.dumps(windex.open_dir(str(paths.index_dir)).schema.names())


def test_a_save_approved_after_the_caller_read_the_approvals_gets_no_full_check(built, monkeypatch):
    """The approvals are read after the folder: an editor's save that lands between the two (every few
    seconds under a busy editor) is published as a save, not checked as a change from outside."""
    from toolbox.publishing import gate as gate_module
    from toolbox.publishing.gate import approve, approved_digests
    from toolbox.publishing.refresh import fill_content_cache

    fill_content_cache(built)
    publish.forget_publisher(built)
    try:
        publisher = publish.live_publisher(built)
        approvals_read_before = set(approved_digests())
        path = next(p for p in built.content_dir.rglob("*.ttl") if '"Ambitieweb"@nl' in p.read_text(encoding="utf-8"))
        data = path.read_text(encoding="utf-8").replace('"Ambitieweb"@nl', f'"{NEW_NAME}"@nl').encode()
        approve(data)  # as CaseEditor.save: approved, then written
        path.write_bytes(data)

        def no_full_check(*args, **kwargs):
            raise AssertionError("full check of an approved save")

        monkeypatch.setattr(gate_module, "full_check", no_full_check)
        made = publisher.publish(approvals_read_before, artefact_paths(built).index_dir)
        assert not made.problems
        assert SearchIndex(artefact_paths(built).index_dir).search("hernoemd").hits[0].label == NEW_NAME
    finally:
        publish.forget_publisher(built)
