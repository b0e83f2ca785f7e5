"""Faults: the server killed during saves, a failing write, a killed SPARQL worker, a broken build/.

Everything runs against a real `toolbox serve` (Granian) on a private copy of the minimal fixture,
over loopback, except the write failures: those are injected in-process at the write layer (the
real atomic writer runs and `os.open`/`os.replace` fail for the case folder with ENOSPC or EROFS,
as a full disk or a read-only mount would make them fail; a chmod does not stop root, and a real
tiny file system needs a loop device the test machine does not have).
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.namespace import DCTERMS

from bench.processes import _descendants
from toolbox.config import REPO_ROOT

from .live_site import Editor, Site, case_values, record_figures

pytestmark = [pytest.mark.reliability, pytest.mark.server]

CASES = 4
SAVES = 100
KILL_CHANCE = 0.12
SEED = int(os.environ.get("TOOLBOX_RELIABILITY_SEED", "20261122"))


def _marker(text: str) -> str:
    """The version marker ('versie-042') in a case file's abstract; raises when the file is not whole Turtle."""
    graph = Graph()
    graph.parse(data=text, format="turtle", publicID="https://toolbox-openbare-ruimte.nl/")
    abstracts = [str(o) for o in graph.objects(None, DCTERMS.abstract)]
    assert len(abstracts) == 1, abstracts
    return abstracts[0].split("[", 1)[1].split("]", 1)[0]


def _abstract(marker: str) -> str:
    return f"Deze wijk pakt riool en groen samen aan. [{marker}]"


# --------------------------------------------------------------------------- SIGKILL during 100 saves
def test_sigkill_during_saves_leaves_each_case_old_or_new_with_history(tmp_path):
    rng = random.Random(SEED)
    site = Site(tmp_path / "site")
    site.start()
    editor = Editor(site, site.editor_names[0])
    editor.login()
    slugs = [f"kill-{i}" for i in range(CASES)]
    committed: dict[str, list[str]] = {}
    for slug in slugs:
        response = editor.save(None, dict(case_values(f"Casus {slug}", _abstract(f"{slug}-begin")), slug=slug))
        assert response.status_code == 303, response.text[:400]
        committed[slug] = [f"{slug}-begin"]

    figures = {"saves": SAVES, "kills": 0, "interrupted": 0, "landed_new": 0, "kept_old": 0,
               "completed_before_kill": 0, "invalid_files": 0, "lost_versions": 0, "restart_s": []}
    try:
        for i in range(SAVES):
            slug = slugs[i % CASES]
            marker = f"versie-{i:03d}"
            values = case_values(f"Casus {slug}", _abstract(marker))
            csrf, version = editor.open_form(slug)
            if rng.random() >= KILL_CHANCE:
                response = editor.post(slug, values, csrf, version)
                assert response.status_code == 303, response.text[:400]
                committed[slug].append(marker)
                continue
            # Kill the whole server tree at a random moment of this save (a save takes 0.5-1 s here).
            outcome: list = []

            def send(values=values, csrf=csrf, version=version, slug=slug, outcome=outcome):
                try:
                    outcome.append(editor.post(slug, values, csrf, version).status_code)
                except requests.RequestException as exc:
                    outcome.append(type(exc).__name__)

            sender = threading.Thread(target=send)
            sender.start()
            time.sleep(rng.uniform(0.0, 1.0))
            site.kill()
            sender.join(60)
            figures["kills"] += 1
            figures["restart_s"].append(round(site.start(), 2))
            text = site.case_file(slug).read_text(encoding="utf-8")
            on_disk = _marker(text)  # whole Turtle, or this raises
            if outcome == [303]:
                figures["completed_before_kill"] += 1
                assert on_disk == marker, "a confirmed save was lost"
                committed[slug].append(marker)
            else:
                figures["interrupted"] += 1
                assert on_disk in (committed[slug][-1], marker), f"{slug} is neither old nor new: {on_disk}"
                if on_disk == marker:
                    figures["landed_new"] += 1
                    committed[slug].append(marker)
                else:
                    figures["kept_old"] += 1
            # The restarted site serves what is on disk, not a stale build.
            page = requests.get(f"{site.base}/doc/casus/{slug}", timeout=30)
            assert page.status_code == 200 and on_disk in page.text
        site.stop()
        for slug in slugs:
            current = _marker(site.case_file(slug).read_text(encoding="utf-8"))
            assert current == committed[slug][-1]
            kept = [_marker(p.read_text(encoding="utf-8")) for p in site.history_files(slug)]
            missing = set(committed[slug][:-1]) - set(kept)
            figures["lost_versions"] += len(missing)
            assert not missing, f"history of {slug} lost {sorted(missing)}"
            assert set(kept) <= set(committed[slug]), "history holds a version that was never the case"
        leftovers = sorted(p.name for p in (site.content / "casussen").iterdir() if not p.name.endswith(".ttl"))
        figures["temporary_files_left"] = len(leftovers)
        result = site.validate(owl=True)
        figures["validate_exit"] = result.returncode
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        site.stop()
        figures["seed"] = SEED
        record_figures("sigkill_during_saves", figures)
    assert figures["kills"] >= 5  # the seed gives enough kills to mean something


# --------------------------------------------------------------------------- write failures
@pytest.fixture
def app_site(tmp_path):
    from toolbox.build.pipeline import build
    from webapp import create_app

    site = Site(tmp_path / "site")
    build(site.settings, owl=False)
    app = create_app(site.settings)
    app.config["TESTING"] = True
    yield site, app
    from toolbox.publishing.publish import wait_for_publication

    wait_for_publication()


def _client_login(app, name):
    import re

    client = app.test_client()
    page = client.get("/beheer/inloggen")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text).group(1)
    from .live_site import PASSWORD

    assert client.post("/beheer/inloggen", data={"csrf_token": token, "naam": name,
                                                   "wachtwoord": PASSWORD}).status_code == 303
    return client


def _form_tokens(client, path):
    import re

    page = client.get(path)
    return (re.search(r'name="csrf_token" value="([^"]*)"', page.text).group(1),
            re.search(r'name="versie" value="([^"]*)"', page.text).group(1))


def _fail_writes_in(folder: Path, monkeypatch, code: int, call: str):
    """Make the real atomic writer fail for files in `folder`: at os.open of its temporary file (as a
    read-only mount does) or at os.replace (as a full disk can, after the data went to the cache)."""
    folder = str(folder.resolve())
    real_open, real_replace = os.open, os.replace
    hits = []

    def inside(path) -> bool:
        return str(Path(path).resolve().parent) == folder

    def failing_open(path, flags, *args, **kwargs):
        if call == "open" and flags & os.O_CREAT and inside(path):
            hits.append(path)
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    def failing_replace(src, dst, *args, **kwargs):
        if call == "replace" and inside(dst):
            hits.append(dst)
            raise OSError(code, os.strerror(code), str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    monkeypatch.setattr(os, "replace", failing_replace)
    return hits


@pytest.mark.parametrize("code,call,status,words", [
    (errno.ENOSPC, "replace", 507, "schijf van de server is vol"),
    (errno.EROFS, "open", 503, "kan de inhoud nu niet schrijven"),
])
def test_a_failing_write_keeps_the_file_and_the_input(app_site, monkeypatch, code, call, status, words):
    site, app = app_site
    client = _client_login(app, site.editor_names[0])
    values = dict(case_values("Schrijffout", _abstract("oud")), slug="schrijffout")
    csrf, version = _form_tokens(client, "/beheer/casussen/nieuw")
    assert client.post("/beheer/casussen/nieuw", data=dict(values, csrf_token=csrf, versie=version)).status_code == 303
    before = site.case_file("schrijffout").read_bytes()
    history_before = site.history_files("schrijffout")

    hits = _fail_writes_in(site.content / "casussen", monkeypatch, code, call)
    typed = "Een nieuwe tekst die de redacteur net heeft getypt en niet kwijt mag raken. [nieuw]"
    csrf, version = _form_tokens(client, "/beheer/casussen/schrijffout")
    response = client.post("/beheer/casussen/schrijffout",
                           data=dict(values, abstract=typed, csrf_token=csrf, versie=version))
    assert hits, "the injected failure was not reached"
    assert response.status_code == status
    assert words in response.text and "niet opgeslagen" in response.text
    assert typed in response.text  # the form keeps what was typed
    assert f'name="versie" value="{version}"' in response.text  # and can be sent again as it is
    assert site.case_file("schrijffout").read_bytes() == before
    assert site.history_files("schrijffout") == history_before  # no version recorded that never happened
    assert not [p for p in (site.content / "casussen").iterdir() if p.name.endswith(".tmp")]
    assert client.get("/doc/casus/schrijffout").status_code == 200

    monkeypatch.undo()  # the disk has room again: the same form goes through
    response = client.post("/beheer/casussen/schrijffout",
                           data=dict(values, abstract=typed, csrf_token=csrf, versie=version))
    assert response.status_code == 303
    assert "[nieuw]" in site.case_file("schrijffout").read_text(encoding="utf-8")


def test_a_failing_build_write_after_the_save_keeps_the_site_up(app_site, monkeypatch):
    """The case file is written, then writing build/ fails (full disk): the save stands, the editor is
    told the site shows it after a restart, and the site keeps serving (no 500)."""
    site, app = app_site
    client = _client_login(app, site.editor_names[0])
    values = dict(case_values("Bouwfout", _abstract("eerste")), slug="bouwfout")
    hits = _fail_writes_in(site.build, monkeypatch, errno.ENOSPC, "replace")
    csrf, version = _form_tokens(client, "/beheer/casussen/nieuw")
    response = client.post("/beheer/casussen/nieuw", data=dict(values, csrf_token=csrf, versie=version),
                           follow_redirects=True)
    assert hits
    assert response.status_code == 200
    assert "opgeslagen" in response.text and "herstart" in response.text
    assert "[eerste]" in site.case_file("bouwfout").read_text(encoding="utf-8")
    assert client.get("/").status_code == 200
    monkeypatch.undo()


# --------------------------------------------------------------------------- a SPARQL worker killed
def _sparql_workers(site: Site) -> set[int]:
    workers = set()
    for pid in _descendants(site.process.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "spawn_main" in cmdline:
            workers.add(pid)
    return workers


def test_a_killed_sparql_worker_is_replaced_and_the_other_queries_answer(tmp_path):
    site = Site(tmp_path / "site", editors=0, env={"TOOLBOX_QUERY_WORKERS": "2", "TOOLBOX_QUERY_THREADS": "2",
                                                    "TOOLBOX_QUERY_TIMEOUT": "10"})
    site.start()
    try:
        endpoint = site.base + "/sparql"
        accept = {"Accept": "application/sparql-results+json"}
        assert requests.get(endpoint, params={"query": "ASK {}"}, headers=accept, timeout=60).status_code == 200
        deadline = time.monotonic() + 30
        while len(_sparql_workers(site)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        before = _sparql_workers(site)
        assert len(before) == 2
        statuses: list[int | str] = []
        stop = threading.Event()
        counter = iter(range(10**6))

        def client():
            while not stop.is_set():
                query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f }} # {next(counter)}"
                try:
                    statuses.append(requests.get(endpoint, params={"query": query}, headers=accept,
                                                 timeout=90).status_code)
                except requests.RequestException as exc:
                    statuses.append(type(exc).__name__)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(2.0)  # all four slots busy with queries
        victim = sorted(before)[0]
        os.kill(victim, signal.SIGKILL)
        killed_at = len(statuses)
        time.sleep(4.0)
        stop.set()
        for t in threads:
            t.join(120)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            after = _sparql_workers(site)
            if len(after) == 2 and victim not in after:
                break
            time.sleep(0.1)
        after = _sparql_workers(site)
        assert victim not in after and len(after) == 2, (before, after)
        assert len(statuses) > killed_at + 2  # queries were answered after the kill
        assert statuses and all(s == 200 for s in statuses), statuses
        answer = requests.get(endpoint, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                              headers=accept, timeout=60)
        assert answer.status_code == 200
        record_figures("sparql_worker_killed", {"queries": len(statuses), "non_200": 0,
                                                "after_kill": len(statuses) - killed_at, "replaced": True})
    finally:
        site.stop()


# --------------------------------------------------------------------------- a broken build/ at start-up
def _break_dataset(build: Path) -> None:
    (build / "graph.nq").write_bytes(b"<https://x> <https://y> \"half a line")


def _break_store(build: Path) -> None:
    from toolbox.graph.store import disk_store

    files = [p for p in disk_store(build / "graph.nq").rglob("*") if p.is_file()]  # as the site made it
    assert files
    for path in files:
        path.write_bytes(b"\0" * 64)


def _break_manifest(build: Path) -> None:
    (build / "manifest.json").write_text("{ kapot", encoding="utf-8")


def _break_index(build: Path) -> None:
    files = list((build / "index").iterdir())
    assert files
    for path in files:
        path.write_bytes(b"\0" * 16)


def _remove_build(build: Path) -> None:
    shutil.rmtree(build)


@pytest.mark.parametrize("damage", [_remove_build, _break_manifest, _break_dataset, _break_store, _break_index],
                         ids=["missing", "manifest", "dataset", "store", "index"])
def test_a_broken_build_at_start_up_is_rebuilt(tmp_path, damage):
    site = Site(tmp_path / "site", editors=0)
    subprocess.run([sys.executable, "-m", "toolbox.cli", "build", "--no-owl"], cwd=REPO_ROOT, env=site.env(),
                   check=True, capture_output=True, timeout=300)
    damage(site.build)
    site.start()
    try:
        assert requests.get(site.base + "/doc/casus/toetswijk", timeout=30).status_code == 200
        assert "Toetswijk" in requests.get(site.base + "/zoeken", params={"q": "toetswijk"}, timeout=30).text
        answer = requests.get(site.base + "/sparql", params={"query": "ASK { ?s a ?t }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        site.stop()
    log = site.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
