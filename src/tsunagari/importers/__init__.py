"""Importers: one module per source format; each parses, validates every row, then writes through services."""
