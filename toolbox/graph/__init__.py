"""The knowledge graph: content files in, a validated, reasoned store and its model out.

Owns loading the Turtle content (`content`), SHACL and OWL checks (`validate`, `reasoning`), the store
behind one interface (`store`), the in-memory model the pages read (`model`), single-thing
descriptions and whole-graph exports (`describe`, `export`) and the downloads with their DCAT/VoID
description (`dataset`). May import only the base modules (`toolbox.config`, `namespaces`, `files`,
`lru`, `process`): the graph knows nothing of SPARQL over HTTP, search, editing or accounts.
"""
