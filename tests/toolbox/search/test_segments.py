"""The search index reads each whoosh segment once and keeps it across snapshots (after a save only the
new segment is read): the answers must be those of a reader that starts from nothing, for the new
snapshot and for the old one that still serves until the swap."""

from __future__ import annotations

import shutil

from whoosh import index as windex
from whoosh.writing import NO_MERGE

from toolbox.build.pipeline import artefact_paths
from toolbox.graph.store import EmbeddedStore
from toolbox.search.indexing import documents
from toolbox.search.searching import SearchIndex

QUERIES = ["ambitie", "wijk vergroenen", "beheer en onderhoud", "participatie bewoners", "riolering", "zwaluwstaart"]


def _answers(index: SearchIndex) -> list:
    return [index.search(q, limit=50) for q in QUERIES] + [index.search(q, type="casus") for q in QUERIES]


def _fresh(index_dir, tmp_path, name: str) -> SearchIndex:
    """The same index files under another folder: nothing of them is in the segment cache yet."""
    copy = tmp_path / name
    shutil.copytree(index_dir, copy)
    return SearchIndex(copy)


def test_an_update_reads_only_what_changed_and_answers_as_a_fresh_reader(built, tmp_path):
    index_dir = artefact_paths(built).index_dir
    before = _fresh(index_dir, tmp_path, "voor")
    old = SearchIndex(index_dir)
    old._snap()  # open before the update, asked only after the new snapshot filled the shared cache
    store = EmbeddedStore.from_file(built, artefact_paths(built).dataset)
    case = next(d for d in documents(built, store) if d["type"] == "casus")
    changed = {**case, "label": case["label"] + " zwaluwstaart",
               "text": case["text"] + " riolering vergroenen zwaluwstaart", "digest": "gewijzigd"}
    ix = windex.open_dir(str(index_dir))
    writer = ix.writer()
    writer.update_document(**changed)
    writer.commit(mergetype=NO_MERGE)

    new = SearchIndex(index_dir)
    answers = _answers(new)
    assert len(new._snap().leaves) == len(old._snap().leaves) + 1
    assert answers == _answers(_fresh(index_dir, tmp_path, "na"))
    assert any(h.uri == case["uri"] for h in new.search("zwaluwstaart").hits)
    assert any(h.uri == case["uri"] for h in new.search(case["label"]).hits)  # its postings now in the cache
    assert _answers(old) == _answers(before)  # the old snapshot does not see the update, nor lose the case
    assert not any(h.uri == case["uri"] for h in old.search("zwaluwstaart").hits)
    assert any(h.uri == case["uri"] for h in old.search(case["label"]).hits)
