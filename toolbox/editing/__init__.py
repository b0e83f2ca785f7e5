"""Editing cases: the form, its checks, the file it writes, its history and its review.

Parts, in the order of a save: `form` (the case model, form values <-> graph, the errors an editor is
told), `validation` (SHACL over the case, each result at its field), `turtle` (the case in the house
style), `editor` (`CaseEditor`: the lock, prepare, the atomic save with history and conflict check),
`history` (earlier versions, diffs, restore), `changes` (what a version changed, per field, in
words), `merge` (taking fields from either side after a conflict), `reports` (the knelpunt reports of
a case), `case_list` (the editors' list), `review/` (drafts and their review with four eyes, new
gemeenten from the CBS list), `write_errors` (a disk that refuses). Publishing what was saved is
toolbox.publishing. May import publishing, the build, the guide, search, the graph and the base modules.
"""
