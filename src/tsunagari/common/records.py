"""Writing changed values onto a loaded record, and checking the records input links to, for the services
and actions. Imports nothing of the domains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, Problem


def assign_changed(record: Any, values: Mapping[str, Any]) -> None:
    """Set each value that differs from what the record holds (an enum as its stored value), so an
    unchanged field is never written and never shows in the audit trail."""
    for name, value in values.items():
        stored = value.value if hasattr(value, "value") and not isinstance(value, int | str) else value
        if getattr(record, name) != stored:
            setattr(record, name, stored)


MAX_RECORD_ID = 2**31 - 1
"""The largest id an INTEGER primary key holds on PostgreSQL (SQLite's are wider)."""


def check_links_exist(session: Session, values: Mapping[str, Any], links: Mapping[str, type[Any]]) -> None:
    """Every record the values link to (field → model) is stored: a missing one is invalid input naming
    its field (422 on the API, exit 2 on the CLI), never a foreign-key error from the database."""
    missing = [
        Problem("no such record / 該当する記録がありません", field=name, value=value)
        for name, model in links.items()
        if (value := values.get(name)) is not None
        # An id no integer column can hold names nothing (and PostgreSQL would refuse the query).
        and (not 1 <= value <= MAX_RECORD_ID or session.get(model, value) is None)
    ]
    if missing:
        raise InvalidInput(problems=missing)
