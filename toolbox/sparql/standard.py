"""Only standard SPARQL reaches a store: each query is parsed with a real SPARQL 1.1 parser first.

A store may understand more than SPARQL 1.1, and some of that more is dangerous behind a public endpoint:
Virtuoso's `bif:http_get` fetches any URL the store can reach (a server-side request forgery), its
`define …` pragmas change how a query runs and slip past a check that looks at the first word. So a
query is forwarded (or run on the embedded store) only when rdflib's SPARQL 1.1 grammar accepts it as a
query, every prefix it uses is declared, and every function it calls is either a built-in or an XSD cast.
Updates in any spelling, SERVICE, pragmas and vendor functions are refused with a precise Dutch 400.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from toolbox.lru import LRUCache
from toolbox.process import RDFLIB_SPARQL
from toolbox.sparql.errors import QueryError

XSD = "http://www.w3.org/2001/XMLSchema#"
# Queries that passed, by their text: the check depends on nothing else, and rdflib's parser is slow
# (after a save every answer is new, and each query was parsed again while it ran, under the lock).
_ACCEPTED = LRUCache(max_entries=2048)


def _walk(node):
    """Every CompValue in a parse or algebra tree, depth first."""
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
        elif hasattr(item, "asList") and not isinstance(item, str):  # pyparsing ParseResults
            stack.extend(list(item))


def _parse_error(exc: Exception) -> QueryError:
    text = " ".join(str(exc).split())
    where = f" (regel {exc.lineno}, kolom {exc.col})" if isinstance(exc, ParseException) else ""
    found = re.search(r"found '([^']*)'", text)
    word = f" bij '{found.group(1)}'" if found else ""
    return QueryError(
        f"Geen geldige SPARQL 1.1-query{where}{word}: dit endpoint voert alleen standaard-SPARQL 1.1 uit "
        "(SELECT, ASK, CONSTRUCT of DESCRIBE), zonder pragma's of uitbreidingen van een bepaalde store. "
        f"Melding van de parser: {text[:300]}")


def _syntax_error(query: str) -> QueryError | None:
    """Oxigraph's own message for a query that is no SPARQL at all: it names what it expected where (its
    parser also knows SPARQL 1.2 extensions, so a query it accepts is refused by rdflib's verdict)."""
    try:
        ox.Store().query(query)  # an empty store: parsing is all the work there is
    except SyntaxError as exc:
        return QueryError(f"Syntaxfout in de query: {exc}")
    except (OSError, ValueError, RuntimeError):
        return None
    return None


def check_standard(query: str) -> None:
    """Raise QueryError (400) unless the query is plain SPARQL 1.1 with built-in and XSD functions only."""
    if _ACCEPTED.get(query):
        return
    with RDFLIB_SPARQL:  # rdflib's parser is not safe across threads (toolbox/process.py)
        try:
            _check(query)
            _ACCEPTED.put(query, True)
        except RecursionError:  # rdflib's parser recurses per level of nesting
            raise QueryError("De query is te diep genest om te controleren. Maak haar vlakker (minder "
                             "geneste accolades of OPTIONAL-blokken).") from None


def _check(query: str) -> None:
    try:
        parsed = parseQuery(query)
    except ParseException as exc:
        raise (_syntax_error(query) or _parse_error(exc)) from None
    for node in _walk(parsed):
        if node.name == "ServiceGraphPattern":
            raise QueryError("Federatieve queries (SERVICE) zijn niet toegestaan: dit endpoint haalt geen "
                             "gegevens op bij andere servers.")
    try:
        algebra = translateQuery(parsed)
    except Exception as exc:  # rdflib raises a bare Exception for an undeclared prefix
        message = " ".join(str(exc).split())
        prefix = re.match(r"Unknown namespace prefix\s*:\s*(\S+)", message)
        if prefix:
            raise QueryError(f"Het voorvoegsel '{prefix.group(1)}:' is niet gedeclareerd. Voeg een regel "
                             f"'PREFIX {prefix.group(1)}: <…>' toe; functies die alleen een bepaalde store "
                             "kent (zoals bif: of sql:) voert dit endpoint niet uit.") from None
        raise QueryError(f"Deze query kan niet worden uitgevoerd: {message[:300]}") from None
    for node in _walk(algebra.algebra):
        if node.name == "Function":
            iri = str(node.get("iri"))
            if not iri.startswith(XSD):
                raise QueryError(
                    f"De functie <{iri}> hoort niet bij standaard-SPARQL 1.1 en wordt niet uitgevoerd "
                    "(alleen de ingebouwde functies en XSD-omzettingen zoals xsd:integer zijn toegestaan).")
