"""The site's copy of an external store's data: fetched whole, checked against the store's own counts.

With TOOLBOX_SPARQL_ENDPOINT set, researchers' queries go to the external store, but the pages, the
search index, the guide and the downloads are made from one local copy of the toolbox's three graphs,
read from that store at start-up (build/remote/graph.nq, opened like the embedded store). The pages
are then the same as on the embedded store by construction, whatever the engine. Two things would
make the copy silently wrong, and both refuse the start with one Dutch line naming the setting to
change:

- the store caps results (Virtuoso: 10 000 rows unless `ResultSetMaxRows` is raised), so the copy
  would hold less than the store;
- the store's default graph holds more than the toolbox's graphs (Virtuoso's system graphs, other
  datasets), so researchers' queries without GRAPH would see other data than the downloads describe.
"""

from __future__ import annotations

import pyoxigraph as ox

from toolbox.files import atomic_write
from toolbox.graph.canonical import canonical_quads
from toolbox.graph.store import EmbeddedStore, RemoteStore, StoreError


class StoreContractError(RuntimeError):
    """The external store does not give what the site needs; the message says what to change (Dutch)."""


def _count(store: RemoteStore, query: str) -> int:
    rows = store.select_terms(query)
    try:
        return int(rows[0]["n"].value)
    except (IndexError, KeyError, AttributeError, TypeError, ValueError) as exc:
        raise StoreContractError(f"De store gaf geen telling terug op: {query}") from exc


def _values(graphs: list[str]) -> str:
    return "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " }"


def checked_quads(store: RemoteStore) -> list[ox.Quad]:
    """The three graphs of the external store, read whole; StoreContractError when capped or widened.

    Opens no store of its own, so `toolbox serve` can check before Granian forks its worker (an open
    on-disk Oxigraph store does not survive a fork)."""
    graphs = list(store.graph_names().values())
    values = _values(graphs)
    try:
        expected = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }}")
        rows = store.select_terms(f"SELECT ?g ?s ?p ?o WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }}")
        distinct = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
                                 f"{{ {values} GRAPH ?g {{ ?s ?p ?o }} }} }}")
        default = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    except StoreError as exc:
        raise StoreContractError(f"De externe store ({store.endpoint}) gaf een fout: {exc}") from exc
    if expected == 0:
        raise StoreContractError(
            f"De externe store ({store.endpoint}) bevat geen van de grafen {', '.join(graphs)}: laad eerst "
            "build/graph.nq (zie docs/deployment.md).")
    if len(rows) != expected:
        raise StoreContractError(
            f"De externe store gaf {len(rows)} van de {expected} gegevens terug: hij kapt resultaten af. Verhoog "
            "de rijlimiet van de store (Virtuoso: ResultSetMaxRows en MaxSortedTopRows onder [SPARQL] in "
            "virtuoso.ini; zie docs/deployment.md).")
    if default != distinct:
        what = "meer" if default > distinct else "minder"
        raise StoreContractError(
            f"De standaardgraaf van de externe store bevat {what} dan de drie grafen van de toolbox ({default} "
            f"tegen {distinct} triples). Maak de standaardgraaf de vereniging van precies die grafen (Oxigraph: "
            "--union-default-graph; Virtuoso: grafenrechten voor de SPARQL-gebruiker; zie docs/deployment.md).")
    return canonical_quads(ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows)


def remote_copy(store: RemoteStore) -> EmbeddedStore:
    """The checked copy, written as the build writes graph.nq and opened the same way, so the pages read it
    exactly as they read the embedded store (same kind of store, same evaluation order)."""
    quads = checked_quads(store)
    path = store.settings.build_dir / "remote" / "graph.nq"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b"")
    return EmbeddedStore.from_file(store.settings, path)
