""""Waar sta ik?": placing a described situation on the process.

Parts: `profiles` (weighted word profiles of graph things, BM25), `phases` (phrasing of phase and
time), `ranker` (`SituationRanker`: level, step(s), reasons, and what goes next to them),
`evaluation` (`toolbox guide-eval`). Reads the graph model and the Dutch words of search; may import
search, the graph and the base modules.
"""
