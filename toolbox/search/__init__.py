"""Dutch full-text search over the graph.

Parts: `dutch` (folding, stop words, stems, compound parts, typo repair; shared with the guide),
`indexing` (analysers, schema and the whoosh index written from the store), `searching`
(`SearchIndex`: queries, ranking, facets, snippets). May import the graph and the base modules.
"""
