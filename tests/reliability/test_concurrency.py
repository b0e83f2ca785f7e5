"""Concurrency: editors saving at the same moment against a real `toolbox serve`, over loopback.

Two editors on the same case: one save wins, the other gets 409 with the newest version, the diff and its
own input, and nothing is lost (the loser can save again on purpose; the winner's version is then in the
history). Twenty editors on twenty different cases at once: all saved, all valid, history complete.
"""

from __future__ import annotations

import threading

import pytest
import requests

from .live_site import Editor, Site, case_values, record_figures
from .test_faults import _abstract, _marker

pytestmark = [pytest.mark.reliability, pytest.mark.server]

ROUNDS = 8
EDITORS = 20


def _at_once(calls):
    """Run the calls in threads released together; their results in order (exceptions as results)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return results


@pytest.fixture(scope="module")
def pair_site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("pair"), editors=2)
    site.start()
    yield site
    site.stop()


def test_two_editors_on_one_case_one_wins_the_other_gets_409_and_keeps_its_input(pair_site):
    site = pair_site
    a, b = (Editor(site, name) for name in site.editor_names)
    a.login()
    b.login()
    slug = "samen"
    assert a.save(None, dict(case_values("Samen", _abstract("begin")), slug=slug)).status_code == 303
    versions = ["begin"]
    outcomes = {"rounds": ROUNDS, "one_303_one_409": 0, "other": 0, "conflict_pages_with_diff_and_input": 0,
                "resaved_after_409": 0, "lost_updates": 0}
    for round_ in range(ROUNDS):
        forms = [editor.open_form(slug) for editor in (a, b)]
        assert forms[0][1] == forms[1][1]  # both based on the same version
        mine = {"a": f"a-{round_}", "b": f"b-{round_}"}
        values = {k: case_values("Samen", _abstract(v)) for k, v in mine.items()}
        results = _at_once([lambda v=values, f=forms: a.post(slug, v["a"], *f[0]),
                            lambda v=values, f=forms: b.post(slug, v["b"], *f[1])])
        statuses = sorted(r.status_code for r in results)
        if statuses != [303, 409]:
            outcomes["other"] += 1
        assert statuses == [303, 409], results
        winner, loser = ("a", "b") if results[0].status_code == 303 else ("b", "a")
        conflict = results[0] if loser == "a" else results[1]
        on_disk = _marker(site.case_file(slug).read_text(encoding="utf-8"))
        assert on_disk == mine[winner]
        versions.append(mine[winner])
        outcomes["one_303_one_409"] += 1
        # The 409 page: the newest version, the diff, and the loser's own input still in the form.
        assert "Iemand anders heeft deze casus gewijzigd" in conflict.text
        assert "nieuwste versie (opgeslagen)" in conflict.text and "jouw versie (niet opgeslagen)" in conflict.text
        assert f"[{mine[loser]}]" in conflict.text and f"[{mine[winner]}]" in conflict.text
        outcomes["conflict_pages_with_diff_and_input"] += 1
        if round_ % 2 == 0:  # the loser saves again from the 409 page: a conscious overwrite
            import re

            token = re.search(r'name="versie" value="([^"]*)"', conflict.text).group(1)
            csrf = re.search(r'name="csrf_token" value="([^"]*)"', conflict.text).group(1)
            editor = a if loser == "a" else b
            assert editor.post(slug, values[loser], csrf, token).status_code == 303
            versions.append(mine[loser])
            outcomes["resaved_after_409"] += 1
    current = _marker(site.case_file(slug).read_text(encoding="utf-8"))
    kept = {_marker(p.read_text(encoding="utf-8")) for p in site.history_files(slug)}
    lost = set(versions[:-1]) - kept
    outcomes["lost_updates"] = len(lost)
    record_figures("two_editors_one_case", outcomes)
    assert current == versions[-1]
    assert not lost, lost


@pytest.fixture(scope="module")
def crowd_site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("crowd"), editors=EDITORS)
    site.start()
    yield site
    site.stop()


def test_twenty_editors_on_twenty_cases_at_once_all_saved_valid_with_history(crowd_site):
    site = crowd_site
    editors = [Editor(site, name) for name in site.editor_names]
    for editor in editors:
        editor.login()
    slugs = [f"drukte-{i:02d}" for i in range(EDITORS)]

    created = _at_once([lambda e=e, s=s: e.save(None, dict(case_values(f"Drukte {s}", _abstract(f"{s}-nieuw")),
                                                          slug=s)) for e, s in zip(editors, slugs, strict=True)])
    assert [getattr(r, "status_code", r) for r in created] == [303] * EDITORS
    forms = [e.open_form(s) for e, s in zip(editors, slugs, strict=True)]
    edited = _at_once([lambda e=e, s=s, f=f: e.post(s, case_values(f"Drukte {s}", _abstract(f"{s}-bewerkt")), *f)
                       for e, s, f in zip(editors, slugs, forms, strict=True)])
    assert [getattr(r, "status_code", r) for r in edited] == [303] * EDITORS
    figures = {"editors": EDITORS, "created": 0, "edited": 0, "history_complete": 0, "served": 0}
    for slug in slugs:
        assert _marker(site.case_file(slug).read_text(encoding="utf-8")) == f"{slug}-bewerkt"
        figures["edited"] += 1
        history = [_marker(p.read_text(encoding="utf-8")) for p in site.history_files(slug)]
        assert history == [f"{slug}-nieuw"]
        figures["created"] += 1
        figures["history_complete"] += 1
        page = requests.get(f"{site.base}/doc/casus/{slug}", timeout=30)  # the site shows every last save
        assert page.status_code == 200 and f"{slug}-bewerkt" in page.text
        figures["served"] += 1
    result = site.validate(owl=True)
    figures["validate_exit"] = result.returncode
    record_figures("twenty_editors_twenty_cases", figures)
    assert result.returncode == 0, result.stdout + result.stderr
