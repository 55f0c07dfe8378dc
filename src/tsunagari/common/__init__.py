"""Shared ground every layer may import (encodings, distances): imports nothing of tsunagari's domains."""
