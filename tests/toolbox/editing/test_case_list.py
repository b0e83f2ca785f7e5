"""The editors' list of cases: search, filter and sort from GET parameters (toolbox/editing/case_list.py)."""

from __future__ import annotations

import pytest

from toolbox.editing.case_list import ListQuery, case_rows, choices, parse_query, select
from toolbox.graph.model import GraphModel


@pytest.fixture(scope="module")
def site_model(real_store, real_settings):
    return GraphModel.from_store(real_store, real_settings.base_uri)


def row(label, gemeenten, status="actief", cluster="", modified=""):
    return {"slug": label.lower().replace(" ", "-"), "label": label, "status": status, "modified": modified,
            "attributed": None, "municipalities": [g.title() for g in gemeenten],
            "municipality_slugs": list(gemeenten), "cluster": cluster,
            "cluster_label": f"{cluster.upper()}: cluster {cluster}" if cluster else ""}


ROWS = [
    row("Laakhavens", ["den-haag"], cluster="a", modified="2026-11-22"),
    row("Stadspark XXL", ["dordrecht"], cluster="a", modified="2026-12-07T09:00:00Z"),
    row("Groenewoud", ["tilburg"], cluster="c", modified="2026-12-01T10:00:00Z"),
    row("Oude Wijk", ["tilburg"], status="gearchiveerd", cluster="c", modified="2026-12-07T11:00:00Z"),
    row("Één Straat", ["apeldoorn"]),
]


def labels(rows):
    return [r["label"] for r in rows]


def test_by_title_active_first_and_without_accents():
    assert labels(select(ROWS, ListQuery())) == ["Één Straat", "Groenewoud", "Laakhavens", "Stadspark XXL",
                                                 "Oude Wijk"]


def test_by_last_change_newest_first_and_undated_last():
    assert labels(select(ROWS, ListQuery(sort="gewijzigd"))) == [
        "Oude Wijk", "Stadspark XXL", "Groenewoud", "Laakhavens", "Één Straat"]


def test_search_in_title_and_gemeente_every_word():
    assert labels(select(ROWS, ListQuery(text="tilburg"))) == ["Groenewoud", "Oude Wijk"]
    assert labels(select(ROWS, ListQuery(text="een straat"))) == ["Één Straat"]
    assert labels(select(ROWS, ListQuery(text="tilburg groen"))) == ["Groenewoud"]
    assert select(ROWS, ListQuery(text="rotterdam")) == []


def test_filters_combine():
    assert labels(select(ROWS, ListQuery(status="gearchiveerd"))) == ["Oude Wijk"]
    assert labels(select(ROWS, ListQuery(cluster="a", sort="gewijzigd"))) == ["Stadspark XXL", "Laakhavens"]
    assert labels(select(ROWS, ListQuery(gemeente="tilburg", status="actief"))) == ["Groenewoud"]


def test_parameters_are_read_and_wrong_ones_named_in_dutch():
    query, errors = parse_query({"q": "  stads   park ", "status": "actief", "gemeente": "dordrecht",
                                 "cluster": "a", "sorteer": "gewijzigd"}, ROWS)
    assert errors == {} and query == ListQuery("stads park", "actief", "dordrecht", "a", "gewijzigd")
    query, errors = parse_query({"status": "weg", "gemeente": "atlantis", "cluster": "z", "sorteer": "kleur",
                                 "q": "x" * 201}, ROWS)
    assert set(errors) == {"status", "gemeente", "cluster", "sorteer", "q"}
    assert query == ListQuery()
    assert "actief of gearchiveerd" in errors["status"]


def test_choices_are_the_values_that_occur():
    found = choices(ROWS)
    assert [slug for slug, _ in found["gemeente"]] == ["apeldoorn", "den-haag", "dordrecht", "tilburg"]
    assert [slug for slug, _ in found["cluster"]] == ["a", "c"]


def test_rows_from_the_real_model(site_model):
    rows = case_rows(site_model)
    assert len(rows) >= 20 and all(r["municipalities"] for r in rows)
    laak = next(r for r in rows if r["slug"] == "laakhavens")
    assert laak["cluster"] == "a" and laak["cluster_label"].startswith("A: ")
