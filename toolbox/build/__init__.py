"""The build: from content to the artefacts the site serves.

Parts: `pipeline` (validate, materialise inferences, write dataset, index and downloads, the
manifest; `ensure_built`), `built` (`open_store`: the configured store, built first when the content
changed), `recovery` (a damaged `build/` at start-up: one Dutch line and a rebuild). May import the
guide, search, the graph and the base modules.
"""
