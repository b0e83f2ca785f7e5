"""FROM clauses may only name this dataset's graphs; a property whose name ends in 'From' is no FROM."""

from __future__ import annotations

import pytest

from toolbox.sparql.errors import QueryError
from toolbox.sparql.graphs import check_dataset_clauses

BASE = "https://toolbox-openbare-ruimte.nl"


def test_a_property_ending_in_from_followed_by_an_iri_is_not_a_from_clause():
    check_dataset_clauses("PREFIX prov: <http://www.w3.org/ns/prov#>\nSELECT ?r WHERE { ?r prov:wasDerivedFrom "
                          "<https://toolbox-openbare-ruimte.nl/id/bronplaats/toolbox-stap-richting-do> }", BASE)


def test_from_with_a_foreign_graph_is_still_refused():
    with pytest.raises(QueryError):
        check_dataset_clauses("SELECT * FROM <http://elders.example/g> WHERE { ?s ?p ?o }", BASE)
    check_dataset_clauses(f"SELECT * FROM <{BASE}/graph/inhoud> WHERE {{ ?s ?p ?o }}", BASE)
