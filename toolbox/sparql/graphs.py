"""Which graphs a query may name: only those of this dataset, so that `FROM <http://elders/>`,
`FROM NAMED` and the protocol's default-graph-uri / named-graph-uri can never point elsewhere.

The store would not fetch such a graph anyway (it would be empty); refusing it says so plainly
instead of answering with an empty result that looks like data.
"""

from __future__ import annotations

import re

from toolbox.namespaces import GRAPH_CONTENT, GRAPH_INFERRED, GRAPH_ONTOLOGY
from toolbox.sparql.errors import QueryError
from toolbox.sparql.protocol import _CODEPOINT, _EMPTIED, _LEXICAL

_FROM_BEFORE = re.compile(r"(?<![\w:?$])FROM\s+(?:NAMED\s+)?$", re.I)  # not prov:wasDerivedFrom
_FROM_NOT_IRI = re.compile(r"(?<![\w:?$])FROM\s++(?:NAMED\s++)?+(?!<)", re.I)


def dataset_graphs(base_uri: str) -> tuple[str, ...]:
    return tuple(base_uri + g for g in (GRAPH_CONTENT, GRAPH_ONTOLOGY, GRAPH_INFERRED))


def _refusal(iri: str, base_uri: str) -> QueryError:
    return QueryError(
        f"De graaf-IRI <{iri[:200]}> hoort niet bij deze dataset: dit endpoint haalt geen gegevens op bij andere "
        "servers. Gebruik een van " + ", ".join(f"<{g}>" for g in dataset_graphs(base_uri))
        + ", of laat FROM (of default-graph-uri / named-graph-uri) weg.")


def check_dataset_clauses(query: str, base_uri: str) -> bool:
    """Refuse (400) FROM / FROM NAMED with anything but the full IRI of one of this dataset's graphs.

    Returns whether the query has a dataset clause: then its FROM graphs form the default graph
    (SPARQL 1.1 Query §13.2) instead of the union the endpoint offers otherwise."""
    found = False
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    allowed = set(dataset_graphs(base_uri))
    skeleton, pos = [], 0
    for match in _LEXICAL.finditer(text):
        skeleton.append(text[pos:match.start()])
        pos = match.end()
        if match.lastgroup == "iri" and _FROM_BEFORE.search("".join(skeleton[-2:])[-40:]):
            iri = match.group()[1:-1]
            if iri not in allowed:
                raise _refusal(iri, base_uri)
            found = True
        skeleton.append(_EMPTIED[match.lastgroup])
    skeleton.append(text[pos:])
    if _FROM_NOT_IRI.search("".join(skeleton)):
        raise QueryError("Schrijf na FROM (NAMED) de volledige IRI van een graaf van deze dataset tussen < >: "
                         + ", ".join(f"<{g}>" for g in dataset_graphs(base_uri)) + ".")
    return found


def check_graph_parameters(default_graphs, named_graphs, base_uri: str) -> None:
    allowed = set(dataset_graphs(base_uri))
    for iri in [*default_graphs, *named_graphs]:
        if iri not in allowed:
            raise _refusal(iri, base_uri)
