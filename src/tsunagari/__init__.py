"""Tsunagari (つながり): registry, public portal and strategy workbench for inter-municipal exchange."""

__version__ = "0.1.0"
