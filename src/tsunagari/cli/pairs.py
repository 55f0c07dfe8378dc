"""`tsunagari import pairs FILE` (being written)."""

from __future__ import annotations
