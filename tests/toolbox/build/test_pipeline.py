"""Inferences materialised at build time, base URI rewriting, and the search index."""

from __future__ import annotations

from tests.conftest import MINIMAL
from toolbox.build.pipeline import build
from toolbox.config import Settings
from toolbox.graph.store import EmbeddedStore
from toolbox.search.searching import SearchIndex

TOR = "https://toolbox-openbare-ruimte.nl/def/tor#"
ID = "https://toolbox-openbare-ruimte.nl/id/"


def ask(store, pattern: str) -> bool:
    return store.ask(f"PREFIX tor: <{TOR}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ASK {{ {pattern} }}")


def test_inferences(minimal_store):
    s = minimal_store
    assert ask(s, f"<{ID}stap/opdracht> tor:relevantTool <{ID}tool/ambitieweb>")
    assert ask(s, f"<{ID}tool/ambitieweb> tor:usedInStep <{ID}stap/opdracht>")
    assert ask(s, f"<{ID}stap/ontwerp> tor:previousStep <{ID}stap/opdracht>")
    assert ask(s, f"<{ID}rol/projectleider> tor:actsInStep <{ID}stap/opdracht>")  # via ambitionGuardian
    assert ask(s, f"<{ID}knelpunt/geen-budget> tor:addressedBy <{ID}stap/opdracht>")
    assert ask(s, f"<{ID}knelpunt/geen-budget> tor:reportedByCase <{ID}casus/toetswijk>")  # via topKnelpunt
    assert ask(s, f"<{ID}checklistvraag/opdrachtbrief-01> tor:itemOf <{ID}checklist/opdrachtbrief>")
    assert ask(s, f"<{ID}niveau/tactisch> a skos:Concept")


def test_base_uri_is_configurable(tmp_path):
    settings = Settings.from_env(content_dir=MINIMAL, build_dir=tmp_path, base_uri="https://example.org/tb")
    artefacts = build(settings, owl=False)
    store = EmbeddedStore.from_file(settings, artefacts.dataset)
    assert ask(store, "<https://example.org/tb/id/tool/ambitieweb> a tor:Tool")
    assert not ask(store, f"<{ID}tool/ambitieweb> ?p ?o")


def test_search_finds_partial_words_typos_and_accents(minimal_settings, minimal_store):
    from toolbox.build.pipeline import ensure_built

    index = SearchIndex(ensure_built(minimal_settings).index_dir)
    assert index.search("ambitieweb").hits[0].label == "Ambitieweb"
    assert index.search("ambitiweb").hits[0].label == "Ambitieweb"  # typo
    assert index.search("ambit").hits[0].label == "Ambitieweb"  # partial word
    assert any(h.label == "Toetswijk" for h in index.search("tóétswijk").hits)  # accents folded
    assert index.search("").hits == []
    assert index.search("de het een").hits == []  # only stop words
