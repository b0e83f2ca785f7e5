"""Editing cases and publishing the result.

Parts, in the order of a save: `form` (the case model, form values <-> graph, the errors an editor is
told), `validation` (SHACL over the case, each result at its field), `turtle` (the case in the house
style), `editor` (`CaseEditor`: the lock, prepare, the atomic save with history and conflict check),
`history` (earlier versions, diffs, restore), `review/` (drafts and their review with four eyes, new
gemeenten from the CBS list), `write_errors` (a disk that refuses), `content_cache`
(each content file parsed once), `publish` and `refresh` (store, dataset, index and model after a
save, in a child process). May import the build, the guide, search, the graph and the base modules.
"""
