"""The SPARQL 1.1 endpoint without HTTP.

Parts, from the request inwards: `errors` (QueryError and its kinds, each with an HTTP status),
`query` (reading a query's form; `toolbox query`), `protocol` (formats, content negotiation,
refusals), `graphs` (dataset clauses and graph parameters), `endpoint` (admission, result cache,
one endpoint per content version, the hand-over), `pool` (worker processes, slots, limits),
`results` (serialisers, one query on an Oxigraph store), `remote` (forwarding to an external store),
`service` (examples and the service description). May import only the base modules.
"""
