"""The columns of the audit trail's download (the filtered log, a record's history), declared once for the
form kit's `ListExport`: one row per changed field, names instead of ids, Japanese record-type labels."""

from __future__ import annotations

from typing import Any

from tsunagari.web.list_export import Column, ListExport

AUDIT = ListExport(
    name="audit-log",
    title="Audit log",
    columns=(
        Column("When", lambda row: row[0].entry.at, "datetime"),
        Column("Who", lambda row: row[0].entry.actor_name),
        Column("Via", lambda row: row[0].entry.via),
        Column("Record type", lambda row: row[0].record_type),
        Column("Record", lambda row: row[0].record_name),
        Column("Action", lambda row: row[0].action),
        Column("Item", lambda row: row[1].label if row[1] else None),
        Column("Before", lambda row: row[1].before if row[1] else None),
        Column("After", lambda row: row[1].after if row[1] else None),
    ),
)
"""Rows are (entry view, change or None), as `change_rows` gives them."""


def change_rows(entries: list[Any]) -> list[tuple[Any, Any]]:
    """One row per changed field of each entry; an entry without changes keeps one row."""
    return [(v, c) for v in entries for c in (v.changes or [None])]
