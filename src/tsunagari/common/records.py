"""Writing changed values onto a loaded record, for the services' updates. Imports nothing of the domains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def assign_changed(record: Any, values: Mapping[str, Any]) -> None:
    """Set each value that differs from what the record holds (an enum as its stored value), so an
    unchanged field is never written and never shows in the audit trail."""
    for name, value in values.items():
        stored = value.value if hasattr(value, "value") and not isinstance(value, int | str) else value
        if getattr(record, name) != stored:
            setattr(record, name, stored)
