"""The refresh child process: it makes what the site loads after a save, fails loudly, and dies with the site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from toolbox.build.pipeline import artefact_paths, content_version, read_manifest
from toolbox.graph.model import GraphModel
from toolbox.graph.store import EmbeddedStore
from toolbox.guide.ranker import SituationRanker
from toolbox.publishing import refresh
from toolbox.publishing.content_cache import ContentCache

SENTENCE = "We willen met de buurt een ambitieweb invullen voor de opdracht in de wijk"  # "maken" is filler



def test_the_child_makes_the_same_model_and_ranker_as_the_site_would(built):
    made = refresh.make_state(built, artefact_paths(built).index_dir)
    assert made.version == read_manifest(built)["version"]  # nothing changed since the build
    here = GraphModel.from_store(EmbeddedStore.from_file(built, artefact_paths(built).dataset), built.base_uri)
    assert _statements(made.model) == _statements(here)
    assert made.triples > 100 and made.inferred
    assert made.ranker.m is made.model  # one model, shared, not two copies
    ours = SituationRanker(here).place(SENTENCE)
    theirs = made.ranker.place(SENTENCE)
    assert theirs.placed and theirs.ranking == ours.ranking and theirs.tools == ours.tools
    assert not list(built.build_dir.glob(".refresh-*"))  # the hand-over folder is gone
    kept = ContentCache.kept(built)  # and the content cache is kept for the next save
    assert kept._files
    assert isomorphic(Graph().parse(data=kept.content_nt(), format="nt"),
                      Graph().parse(data=ContentCache(built).content_nt(), format="nt"))


def test_the_child_parses_only_the_files_that_changed_since_the_last_refresh(built, monkeypatch):
    before = refresh.make_state(built, artefact_paths(built).index_dir).version
    kept = ContentCache.kept(built)
    changed = next(p for p in kept._files if '"Ambitieweb"@nl' in p.read_text(encoding="utf-8"))
    changed.write_text(changed.read_text(encoding="utf-8").replace('"Ambitieweb"@nl', '"Ambitieweb nieuw"@nl'),
                       encoding="utf-8")
    import toolbox.publishing.content_cache as module

    parsed = []
    real = module.parse_turtle
    monkeypatch.setattr(module, "parse_turtle", lambda text, name, base: parsed.append(name) or real(text, name, base))
    assert b"Ambitieweb nieuw" in kept.content_nt()
    assert parsed == [kept.display(changed)]
    made = refresh.make_state(built, artefact_paths(built).index_dir)
    assert any(v.value == "Ambitieweb nieuw" for props in made.model.out.values()
               for values in props.values() for v in values)
    assert made.version == content_version(built) != before  # from the cache, as a build would count it


def test_a_damaged_content_cache_is_read_afresh(built):
    ContentCache.path(built).write_bytes(b"geen pickle")
    assert ContentCache.kept(built)._files == {}
    made = refresh.make_state(built, artefact_paths(built).index_dir)
    assert made.version == read_manifest(built)["version"]
    assert ContentCache.kept(built)._files


def test_a_failing_child_says_why_and_leaves_the_build_as_it_was(built):
    before = read_manifest(built)
    dataset = artefact_paths(built).dataset.read_bytes()
    # Turtle rdflib reads but cannot write as N-Triples: the child stops before it writes anything.
    (built.content_dir / "onschrijfbaar.ttl").write_text(
        "<https://toolbox-openbare-ruimte.nl/id/tool/x> <https://toolbox-openbare-ruimte.nl/def/tor#see> "
        "<https://voorbeeld.nl/{x}> .\n", encoding="utf-8")
    with pytest.raises(refresh.RefreshFailed) as caught:
        refresh.make_state(built, artefact_paths(built).index_dir)
    assert "state: exit 1" in str(caught.value) and "does not look like a valid URI" in str(caught.value)
    assert read_manifest(built) == before
    assert artefact_paths(built).dataset.read_bytes() == dataset
    assert not list(built.build_dir.glob(".refresh-*"))


def test_a_child_whose_site_is_gone_stops_at_once(built, tmp_path):
    folder = tmp_path / "handover"
    folder.mkdir()
    gone = _a_pid_that_is_not_running()
    command = [sys.executable, "-m", "toolbox.publishing.refresh", "downloads", str(folder), "--parent", str(gone)]
    done = subprocess.run(command, env={**os.environ, **built.to_env()}, capture_output=True, timeout=60)
    assert done.returncode == 1 and b"de site is gestopt" in done.stderr


def test_a_child_dies_when_its_site_is_killed(built, tmp_path):
    """The stand-in site is a shell that starts the child and waits; SIGKILL on the shell takes the child too
    (which is still waiting for its content cache: a pipe nobody writes)."""
    folder = tmp_path / "handover"
    folder.mkdir()
    os.mkfifo(ContentCache.path(built))  # nobody writes it: the child waits for it until it is stopped
    log = tmp_path / "child.log"
    shell = subprocess.Popen(
        ["sh", "-c",
         f'"{sys.executable}" -m toolbox.publishing.refresh state "{folder}" --parent $$ 2>"{log}" & echo $!; wait'],
        env={**os.environ, **built.to_env()}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    child = int(shell.stdout.readline())
    time.sleep(1.0)
    assert _running(child), log.read_text()
    shell.send_signal(signal.SIGKILL)
    shell.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)
    assert not (folder / "state.pickle").exists()


def _statements(model: GraphModel) -> tuple[set, int]:
    """The model's statements between named things (in any order), and how many blank nodes it has
    (their names differ per parse)."""
    named = {(s, p, v) for s, props in model.out.items() if not s.startswith("_:")
             for p, values in props.items() for v in values if v.kind != "bnode"}
    return named, sum(s.startswith("_:") for s in model.out)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _a_pid_that_is_not_running() -> int:
    pid = os.getpid() + 100_000
    while _running(pid):
        pid += 1
    return pid
