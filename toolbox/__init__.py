"""Toolbox Openbare Ruimte: kennisgraaf en navigator voor integraal werken in de openbare ruimte."""

__version__ = "1.0.0"
