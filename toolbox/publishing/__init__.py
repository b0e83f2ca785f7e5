"""Publishing what was saved: from content files to what the site shows.

Parts: `content_cache` (each content file parsed once, with its last good version), `gate` (the one
check every publication passes: the full SHACL check for files changed outside the editor, the
editor's saves approved by digest), `publish` (a save published in place by the live publisher, with
the full refresh as fallback) and `refresh` (the full refresh: store, dataset, index, model and
ranker rebuilt in a child process). May import the build, the guide, search, the graph and the base
modules; never the editor (toolbox.editing uses this package, not the other way round).
"""
