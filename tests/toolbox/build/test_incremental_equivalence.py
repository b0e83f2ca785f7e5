"""Proof that a save published in place gives what a full rebuild of the same content gives.

A seeded series of 200 random case edits (create, change each kind of field, archive, restore) goes
through `LivePublisher.publish` one by one; after the series and at checkpoints, the dataset
(canonical N-Quads), the search index (its documents and its answers to fixed queries), the graph
model and rendered public pages are compared with a full rebuild of the same content folder.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from toolbox.build.pipeline import build, build_store
from toolbox.config import REPO_ROOT, Settings
from toolbox.graph.canonical import canonical_quads
from toolbox.graph.model import GraphModel
from toolbox.graph.store import EmbeddedStore
from toolbox.guide.ranker import SituationRanker
from toolbox.namespaces import TOR
from toolbox.publishing.content_cache import ContentCache
from toolbox.publishing.gate import approve, approved_digests
from toolbox.publishing.publish import LivePublisher
from toolbox.search.indexing import build_index, documents
from toolbox.search.searching import SearchIndex

EDITS = 200
CHECKPOINTS = {1, 70, 140, EDITS}
SEED = 20261207
QUERIES = ["ambitie", "wijk vergroenen", "beheer en onderhoud", "laakhavens", "participatie bewoners",
           "riolering vervangen", "budget", "programmeren", "variant", "gemeente"]
WORDS = ["groen", "water", "wijk", "budget", "bewoners", "ontwerp", "beheer", "regie", "klimaat", "fiets"]
CASE_DIR = "casussen"


def _case_files(settings: Settings) -> list[Path]:
    return sorted((settings.content_dir / CASE_DIR).glob("*.ttl"))


def _case_of(graph: Graph) -> URIRef:
    return next(s for s in graph.subjects(predicate=None, object=TOR.Case) if isinstance(s, URIRef))


class Edits:
    """Seeded random edits on the case files, each written as the editor writes a save (and approved)."""

    def __init__(self, settings: Settings, seed: int):
        self.settings, self.rng, self.tick, self.created = settings, random.Random(seed), 0, 0
        self.pools: dict[URIRef, list] = {}
        for path in _case_files(settings):
            g = Graph().parse(path, format="turtle")
            case = _case_of(g)
            for p, o in g.predicate_objects(case):
                if isinstance(o, URIRef) and p != URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"):
                    self.pools.setdefault(p, [])
                    if o not in self.pools[p]:
                        self.pools[p].append(o)

    def one(self) -> str:
        rng = self.rng
        path = rng.choice(_case_files(self.settings))
        g = Graph().parse(path, format="turtle")
        case = _case_of(g)
        kind = rng.choices(["create", "field", "archive", "restore"], weights=[1, 14, 2, 2])[0]
        if kind == "create":
            self.created += 1
            slug = f"nieuwe-casus-{self.created}"
            text = path.read_text(encoding="utf-8").replace(str(case).rsplit("/", 1)[-1], slug)
            path = path.with_name(slug + ".ttl")
            data = text.encode()
        else:
            if kind in ("archive", "restore"):
                g.set((case, TOR.status, Literal("gearchiveerd" if kind == "archive" else "actief")))
            else:
                kind = self._field(g, case)
            data = g.serialize(format="turtle", encoding="utf-8")
        self._write(path, data)
        return kind

    def _field(self, g: Graph, case: URIRef) -> str:
        rng = self.rng
        props = sorted({p for p in g.predicates(case) if p not in (TOR.status,)} - {
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")})
        p = rng.choice(props)
        values = sorted(g.objects(case, p))
        value = rng.choice(values)
        if isinstance(value, Literal):
            if value.datatype and str(value.datatype).endswith("gYear"):
                new = Literal(str(rng.randint(2015, 2030)), datatype=value.datatype)
            elif value.datatype:
                new = value
            else:
                new = Literal(f"{value} {rng.choice(WORDS)}" if rng.random() < 0.7 else rng.choice(WORDS).title(),
                              lang=value.language)
            g.remove((case, p, value))
            g.add((case, p, new))
            return f"field {p.n3(g.namespace_manager)}"
        pool = self.pools.get(p, [value])
        choice = rng.random()
        if choice < 0.4 and len(values) > 1:
            g.remove((case, p, value))
        elif choice < 0.7:
            g.add((case, p, rng.choice(pool)))
        else:
            g.remove((case, p, value))
            g.add((case, p, rng.choice(pool)))
        return f"link {p.n3(g.namespace_manager)}"

    def _write(self, path: Path, data: bytes) -> None:
        path.write_bytes(data)
        self.tick += 1  # seconds apart, as saves by hand are (the content cache reads mtime and size)
        stamp = 1_900_000_000_000_000_000 + self.tick * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))
        approve(data)


def _nquads(store) -> set[str]:
    return {str(q) for q in canonical_quads(store)}


def _model_view(model: GraphModel) -> dict:
    """The model with blank nodes named by what they say, so two loads compare."""
    def name(node: str) -> str:
        return model.stable_id(node) if node.startswith("_:") else node

    out = {name(s): {p: [(name(v.value) if v.kind == "bnode" else v.value, v.kind, v.lang, v.datatype)
                         for v in values] for p, values in props.items()} for s, props in model.out.items()}
    inc = {name(o): {p: [name(s) for s in subs] for p, subs in props.items()} for o, props in model.inc.items()}
    by_class = {c: [name(s) for s in items] for c, items in model.by_class.items() if items}
    types = {name(s): sorted(t) for s, t in model.types.items()}
    return {"out": out, "inc": inc, "by_class": by_class, "types": types}


SITUATIONS = ["We willen riolering vervangen en tegelijk vergroenen in de wijk",
              "Het bestek moet de deur uit en de aannemer wil weten wat de netbeheerder doet",
              "Welke buurten zijn de komende tien jaar aan de beurt voor rioolvervanging",
              "bewoners praten mee over het ontwerp van het plein", "budget regie klimaat fiets"]


def ranker_view(ranker: SituationRanker) -> dict:
    """What a ranker knows, in plain values (two rankers of the same content compare equal), and what it
    answers to a few situations."""
    def bags(b) -> dict:
        return {"things": {uri: (b.labels[n], b.bodies[n]) for uri, n in b.number.items()}, "idf": b.idf,
                "posted": {t: sorted(b.uris[n] for n in ids) for t, ids in b.postings.items()}}

    index = ranker.step_index
    answers = []
    for text in SITUATIONS:
        a = ranker.place(text)
        answers.append((a.ranking, [p.reason for p in a.steps], a.tools, a.knelpunten, a.cases, a.roles))
    return {"profiles": {u: (p.weights, p.sources, p.surface, p.phrases) for u, p in index.profiles.items()},
            "idf": index.idf, "levels": {u: p.weights for u, p in ranker.level_index.profiles.items()},
            "surface": ranker.vocabulary.surface, "grams": ranker.grams.postings, "known": ranker.sorted_terms,
            "synonyms": ranker.synonyms, "answers": answers,
            **{name: bags(getattr(ranker.around, name)) for name in ("cases", "knelpunten", "tools", "roles")}}


def _answers(index: SearchIndex) -> list:
    found = []
    for q in QUERIES:
        r = index.search(q, limit=30)
        found.append((q, r.total, [(h.uri, h.score, h.snippet) for h in r.hits], r.facets, r.suggestions))
    return found


def _full(settings: Settings, root: Path):
    """A full rebuild of the content folder as it is now."""
    raw, _ = build_store(settings, ContentCache(settings).content_nt())
    store = EmbeddedStore(settings, raw)
    index_dir = root / "index-full"
    build_index(settings, store, index_dir)
    return raw, store, GraphModel.from_store(store, settings.base_uri), SearchIndex(index_dir)


# The reader forms under each page carry a token signed with the second it was made (docs/deployment.md):
# two renders of the same content a second apart differ there and nowhere else.
READER_TOKEN = re.compile(rb'name="token" value="\d+\.[0-9a-f]+"')


def _pages(settings: Settings, model, search, store, version: str, uris: list[str]) -> dict[str, bytes]:
    from webapp import create_app
    from webapp.state import SiteState

    app = create_app(settings)
    app.extensions["toolbox"] = SiteState(settings, store, model, search, version)
    client = app.test_client()
    paths = ["/casussen", "/knelpunten", "/zoeken?q=wijk", *(f"/doc/casus/{u.rsplit('/', 1)[-1]}" for u in uris)]
    return {p: READER_TOKEN.sub(b'name="token" value="(getekend)"', client.get(p).data) for p in paths}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("incremental")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance")
    build(settings, owl=False)
    cache = ContentCache.kept(settings)  # as the site's warm-up after a start keeps it
    cache.content_nt()
    cache.keep()
    return settings


def test_200_random_edits_published_in_place_equal_a_full_rebuild(site):
    settings = site
    publisher = LivePublisher.start(settings)
    index_dir = settings.build_dir / "index"
    edits = Edits(settings, SEED)
    kinds: dict[str, int] = {}
    bounded = 0
    ranker = SituationRanker(publisher.model)
    for n in range(1, EDITS + 1):
        kind = edits.one()
        kinds[kind.split()[0]] = kinds.get(kind.split()[0], 0) + 1
        made = publisher.publish(set(approved_digests()), index_dir)
        assert not made.problems
        ranker = SituationRanker(made.model, ranker, made.changed)  # as the site does after each save
        bounded += not made.applied.full_inference
        incremental_index = SearchIndex(index_dir)  # as the site does after each save: what the segments
        asked = _answers(incremental_index)  # it read before stay read (toolbox/search/searching.py)
        if n not in CHECKPOINTS:
            continue
        raw, store, model, search = _full(settings, settings.build_dir.parent)
        live = publisher.live.store
        mine_quads, full_quads = _nquads(live), _nquads(raw)
        assert mine_quads == full_quads, (f"dataset differs after edit {n} ({kind}): "
                                          f"{sorted(mine_quads - full_quads)[:3]} / "
                                          f"{sorted(full_quads - mine_quads)[:3]}")
        mine = {d["uri"]: d["digest"] for d in documents(settings, EmbeddedStore(settings, live))}
        assert mine == {d["uri"]: d["digest"] for d in documents(settings, store)}
        assert {d.uri for d in incremental_index._snap().docs.values()} == set(mine)
        for mine_answer, full_answer in zip(asked, _answers(search), strict=True):
            assert mine_answer == full_answer, f"search answers differ after edit {n}"
        assert _model_view(made.model) == _model_view(model), f"model differs after edit {n} ({kind})"
        assert ranker_view(ranker) == ranker_view(SituationRanker(model)), f"ranker differs after edit {n}"
        cases = [c for c in model.by_class.get(str(TOR.Case), [])][:: max(1, len(model.by_class[str(TOR.Case)]) // 8)]
        assert _pages(settings, made.model, incremental_index, EmbeddedStore(settings, live), made.version, cases) == \
            _pages(settings, model, search, store, made.version, cases), f"pages differ after edit {n}"
    assert kinds.get("create") and kinds.get("archive") and kinds.get("restore")
    assert kinds.get("field", 0) >= 40 and kinds.get("link", 0) >= 40
    assert bounded >= EDITS * 0.9  # case edits stay within the one-premise rules: no full recompute


def test_a_change_the_rules_cannot_bound_recomputes_every_inference(site):
    """A content file with schema in it (a subproperty) takes the full path of the inferences."""
    from toolbox.build.delta import LiveGraph

    raw, _ = build_store(site, ContentCache(site).content_nt())
    live = LiveGraph(raw, site.base_uri)
    p, q = ox.NamedNode(str(TOR) + "theme"), ox.NamedNode("urn:test:q")
    sub = ox.Triple(p, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"), q)
    from toolbox.build.delta import Unbounded

    with pytest.raises(Unbounded):
        live.apply(set(), {sub})
    applied = live.recompute(set(), {sub})
    assert applied.full_inference
    some_case = next(iter(raw.quads_for_pattern(None, p, None, live.content)))
    assert next(iter(raw.quads_for_pattern(some_case.subject, q, some_case.object, live.inferred)), None)


@pytest.fixture
def fresh(tmp_path) -> Settings:
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    settings = Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build",
                        instance_dir=tmp_path / "instance")
    build(settings, owl=False)
    cache = ContentCache.kept(settings)
    cache.content_nt()
    cache.keep()
    return settings


def test_a_triple_another_file_still_states_stays_and_blank_nodes_take_the_full_path(fresh):
    from toolbox.publishing.publish import Unpublishable

    site = fresh
    publisher = LivePublisher.start(site)
    first, second = _case_files(site)[:2]
    g = Graph().parse(first, format="turtle")
    case = _case_of(g)
    label = next(g.objects(case, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    line = f"<{case}> <http://www.w3.org/2004/02/skos/core#prefLabel> {label.n3()} .\n"
    data = second.read_bytes() + b"\n" + line.encode()
    Edits(site, 1)._write(second, data)  # the second file states the first case's label too
    publisher.publish(set(approved_digests()), site.build_dir / "index")
    g.remove((case, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), label))
    Edits(site, 2)._write(first, g.serialize(format="turtle", encoding="utf-8"))
    made = publisher.publish(set(approved_digests()), site.build_dir / "index")
    assert made.model.text(str(case), "skos:prefLabel") == str(label)  # still stated by the second file
    raw, _, _, _ = _full(site, site.build_dir.parent)
    assert _nquads(publisher.live.store) == _nquads(raw)
    Edits(site, 3)._write(second, data + b'\n<urn:x:a> <urn:x:b> _:n1 .\n')
    with pytest.raises(Unpublishable):
        publisher.publish(set(approved_digests()), site.build_dir / "index")



def test_the_guide_after_a_change_to_a_step_and_a_theme_equals_one_made_afresh(fresh):
    """The ranker keeps what a save did not read; a step's search words and a theme's name are read
    by profiles of other things too (a theme by every step whose cases have it)."""
    site = fresh
    publisher = LivePublisher.start(site)
    ranker = SituationRanker(publisher.model)
    step_file = site.content_dir / "stappen" / "gebieds-wijkplan.ttl"
    themes = site.content_dir / "lijsten" / "themas.ttl"
    edits = [(step_file, step_file.read_bytes().replace(b'"wijkprogramma"@nl', b'"buurtkaravaan"@nl')),
             (themes, themes.read_bytes().replace(b'"Woningbouw en verdichting"@nl', b'"Inbreiding en kavels"@nl'))]
    for n, (path, data) in enumerate(edits, 1):
        Edits(site, n)._write(path, data)
        made = publisher.publish(set(approved_digests()), site.build_dir / "index")
        previous, ranker = ranker, SituationRanker(made.model, ranker, made.changed)
        assert ranker_view(ranker) == ranker_view(SituationRanker(made.model)), f"differs after {path.name}"
        kept = [s for s in ranker.steps if ranker.made[s] is previous.made[s]]
        assert 0 < len(kept) < len(ranker.steps)  # some profiles made anew, most kept
    assert ranker.place("buurtkaravaan").steps[0].step.endswith("/gebieds-wijkplan")
