"""The same site on two external engines: the Oxigraph server and OpenLink Virtuoso 7, against the embedded store.

Each engine is started by the project's own means (`oxigraph serve-read-only`; `scripts/virtuoso.sh`, which
installs Debian's virtuoso-opensource-7 and loads the build), bound to 127.0.0.1. Every page type, its twin,
the downloads and a set of SPARQL answers must come out the same as on the embedded store, apart from the
few lines docs/deployment.md names ("Verschillen tussen stores"). A stock Virtuoso (row cap, system graphs
in the default graph) must be refused at start with one Dutch line; vendor functions and pragmas must be
refused before they reach any store.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.conftest import MINIMAL
from tests.webapp.sparql.test_server import free_port, serve_app
from toolbox.config import REPO_ROOT

pytestmark = pytest.mark.server

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_SCRIPT = REPO_ROOT / "scripts" / "virtuoso.sh"
ID = "https://toolbox-openbare-ruimte.nl/id/"

# Lines that differ by design with an external store (docs/deployment.md, "Verschillen tussen stores"):
# the build line of /over and /data/ (there is no build).
DOCUMENTED = [
    re.compile(r'<p class="meta">Inhoudsversie [^<]*</p>'),
    re.compile(r"; gebouwd op \d{4}-\d{2}-\d{2}"),
    re.compile(r'name="token" value="\d+\.[0-9a-f]+"'),  # the reader forms: signed with the time and the site's key
]

ANSWERS = [  # (query, Accept) – answers compared after reading them as sets of RDF terms
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    ("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?s ?label",
     "application/sparql-results+json"),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
     "application/sparql-results+json"),
    ("SELECT ?s ?o WHERE { ?s <https://toolbox-openbare-ruimte.nl/def/tor#order> ?o } ORDER BY ?s",
     "application/sparql-results+json"),
    ("SELECT ?b WHERE { ?s ?p ?b FILTER(isBlank(?b)) } LIMIT 3", "application/sparql-results+json"),
    ("ASK { ?s a <https://toolbox-openbare-ruimte.nl/def/tor#Tool> }", "application/sparql-results+json"),
    ("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }", "application/n-triples"),
]


def _need(program: str):
    if shutil.which(program) or Path(program).exists():
        return
    message = f"{program} ontbreekt (scripts/bootstrap.sh test installeert het)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _wait_for(url: str, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"store at {url} did not start")


@pytest.fixture(scope="module")
def dataset(minimal_settings, minimal_store) -> Path:
    return minimal_settings.build_dir / "graph.nq"


@pytest.fixture(scope="module")
def oxigraph_store(dataset, tmp_path_factory):
    _need(str(OXIGRAPH))
    location = tmp_path_factory.mktemp("oxigraph-engine")
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(dataset)],
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    process = subprocess.Popen([str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "10"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_for(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def _virtuoso(dataset: Path, folder: Path, mode: str, **env: str):
    _need("virtuoso-t")
    http, sql = free_port(), free_port()
    started = subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "start", str(folder), str(http), str(sql), str(dataset),
                              mode], capture_output=True, text=True, timeout=180, env={**os.environ, **env})
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip().splitlines()[-1]
    _wait_for(url)
    return url


def _stop_virtuoso(folder: Path) -> None:
    """Stop the server started in `folder`, and check that it is gone (the pid file names the server itself)."""
    pid_file = folder / "server.pid"
    pid = int(pid_file.read_text()) if pid_file.exists() else None
    subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "stop", str(folder)], timeout=30)
    if pid is not None:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in _state_of(pid), f"Virtuoso {pid} draait nog"


def _state_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


@pytest.fixture(scope="module")
def virtuoso_store(dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("virtuoso-tuned")
    try:
        yield _virtuoso(dataset, folder, "tuned")
    finally:
        _stop_virtuoso(folder)


@pytest.fixture(scope="module")
def sites(oxigraph_store, virtuoso_store, minimal_settings, tmp_path_factory):
    """The embedded site and one site per engine, all on the minimal content."""
    with serve_app(minimal_settings.build_dir) as (embedded, _), \
            serve_app(tmp_path_factory.mktemp("b-ox"), TOOLBOX_SPARQL_ENDPOINT=oxigraph_store) as (ox_site, _), \
            serve_app(tmp_path_factory.mktemp("b-vi"), TOOLBOX_SPARQL_ENDPOINT=virtuoso_store) as (vi_site, _):
        yield {"embedded": embedded, "oxigraph": ox_site, "virtuoso": vi_site}


def _paths(dataset: Path) -> list[str]:
    """Every page of the minimal content and its twin, the lists with their twins, and the downloads."""
    things = sorted({q.subject.value for q in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS)
                     if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID)})
    docs = ["/doc/" + thing[len(ID):] for thing in things]
    lists = ["/", "/over", "/gids", "/gids?niveau=uitvoering", "/gids?situatie=we+vervangen+het+riool+in+de+wijk",
             "/tools", "/casussen", "/knelpunten", "/samenwerkingswaaier", "/zoeken?q=toets", "/def/tor", "/sparql",
             "/data/"]
    twins = [p + ("&" if "?" in p else "?") + "format=json" for p in ("/tools", "/casussen", "/knelpunten",
                                                                       "/zoeken?q=toets")]
    downloads = [f"/data/toolbox-openbare-ruimte.{ext}" for ext in ("ttl", "nt", "nq", "jsonld", "ttl.gz")]
    return lists + twins + downloads + docs + [d + "?format=jsonld" for d in docs]


def _same_bytes(body: bytes, base: str) -> bytes:
    text = body.replace(base.encode(), b"http://SITE")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        return text
    for pattern in DOCUMENTED:
        decoded = pattern.sub("", decoded)
    return decoded.encode("utf-8")


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_every_page_twin_and_download_is_the_same_as_on_the_embedded_store(sites, dataset, engine):
    paths = _paths(dataset)
    assert len(paths) > 40
    different = []
    for path in paths:
        mine = requests.get(sites["embedded"] + path, headers={"Accept": "text/html"}, timeout=60)
        theirs = requests.get(sites[engine] + path, headers={"Accept": "text/html"}, timeout=60)
        a, b = _same_bytes(mine.content, sites["embedded"]), _same_bytes(theirs.content, sites[engine])
        if mine.status_code != theirs.status_code or a != b:
            first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            different.append(f"{path} ({mine.status_code}/{theirs.status_code}): {a[first - 60:first + 60]!r} / "
                             f"{b[first - 60:first + 60]!r}")
    assert different == []


def _terms(response) -> object:
    """An answer as comparable data: blank nodes all alike, everything else as the store spelled it."""
    if "json" in response.headers["Content-Type"]:
        body = response.json()
        if "boolean" in body:
            return body["boolean"]
        cell = lambda c: ("bnode",) if c["type"] == "bnode" else tuple(sorted(c.items()))  # noqa: E731
        return sorted(json.dumps([cell(row[v]) if v in row else None for v in body["head"]["vars"]])
                      for row in body["results"]["bindings"])
    lines = response.text.splitlines()
    return sorted(re.sub(r"_:\S+", "_:b", line) for line in lines)


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
@pytest.mark.parametrize("query, accept", ANSWERS)
def test_sparql_answers_are_the_same_on_every_engine(sites, engine, query, accept):
    mine = requests.get(sites["embedded"] + "/sparql", params={"query": query}, headers={"Accept": accept})
    theirs = requests.get(sites[engine] + "/sparql", params={"query": query}, headers={"Accept": accept})
    assert (mine.status_code, theirs.status_code) == (200, 200), theirs.text
    assert _terms(mine) == _terms(theirs)


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        _Listener.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"geheim van de interne server")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("site", ["embedded", "oxigraph", "virtuoso"])
def test_vendor_functions_and_pragmas_never_reach_a_store(sites, site):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{server.server_port}/bif"
    try:
        for query in [
            f'SELECT (bif:http_get("{target}") AS ?x) WHERE {{}}',
            f'PREFIX bif: <bif:> SELECT (bif:http_get("{target}") AS ?x) WHERE {{}}',
            f'PREFIX sql: <sql:> SELECT * WHERE {{ ?s ?p ?o FILTER(sql:fetch("{target}")) }}',
            'define input:same-as "no" INSERT DATA { <urn:a> <urn:b> <urn:c> }',
            'define sql:signal-void-variables 1 SELECT * WHERE { ?s ?p ?o }',
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        ]:
            for send in (lambda q: requests.get(sites[site] + "/sparql", params={"query": q}),
                         lambda q: requests.post(sites[site] + "/sparql", data=q.encode(),
                                                 headers={"Content-Type": "application/sparql-query"})):
                response = send(query)
                assert response.status_code == 400, (query, response.status_code, response.text[:300])
                assert "geheim" not in response.text
        assert _Listener.hits == []
    finally:
        server.shutdown()


def _refused_start(build: Path, endpoint: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update({"TOOLBOX_CONTENT": str(MINIMAL), "TOOLBOX_BUILD": str(build), "TOOLBOX_SPARQL_ENDPOINT": endpoint})
    done = subprocess.run([sys.executable, "-m", "toolbox.cli", "serve", "--port", str(free_port())], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    return done.stderr


def test_a_stock_virtuoso_is_refused_at_start_with_the_setting_to_change(dataset, tmp_path):
    url = _virtuoso(dataset, tmp_path / "stock", "stock")
    try:
        message = _refused_start(tmp_path / "build", url)
        assert "standaardgraaf" in message and "grafenrechten" in message
    finally:
        _stop_virtuoso(tmp_path / "stock")


def test_a_store_that_caps_results_is_refused_at_start(dataset, tmp_path):
    quads = sum(1 for _ in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS))
    url = _virtuoso(dataset, tmp_path / "capped", "tuned", VIRTUOSO_MAX_ROWS=str(quads // 2))
    try:
        message = _refused_start(tmp_path / "build", url)
        assert "kapt resultaten af" in message and "ResultSetMaxRows" in message
    finally:
        _stop_virtuoso(tmp_path / "capped")
