"""Readers' way in and the public record of changes: no account, no personal data kept.

Owns: readers' reports and the "was dit nuttig?" counts in instance_dir/meldingen (`reports`), the
signed form token and the per-address rate limit that keep the anonymous forms honest (`guard`),
and the list of recent published changes with its Atom feed (`changes`, `atom`). May import the
base modules and the graph model (`toolbox.graph`); never the web.
"""
