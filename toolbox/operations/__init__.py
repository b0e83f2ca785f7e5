"""Running the toolbox: backups and reports.

Parts: `backup` (`toolbox backup` / `toolbox restore`), `stats` (`toolbox stats`), `report` (`toolbox
report`, the content report). May import every other package of the core; only `toolbox.cli` sits
above it.
"""
