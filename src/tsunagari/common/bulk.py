"""Many rows of one table in one INSERT, read back in input order, for the services' create_many
functions; shared ground: imports nothing of tsunagari's domains (the caller audits what it wrote)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Integer, Row, Table, func, insert, select
from sqlalchemy.orm import Session

from tsunagari.db import insert_rows

_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Classes of values that are never enums (checked by exact class: enum members subclass str)."""


def complete_rows(table: Table, values: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row with every column but the primary key and the server-side timestamps, with the
    column's default where the value is None and enum members as their values, exactly as an ORM
    insert of the same values would store them."""
    columns = [c for c in table.columns if not c.primary_key and c.server_default is None]
    # Scalar Python-side defaults only (a callable default is the ORM's to run).
    defaults = {
        c.key: cast(Any, c.default).arg for c in columns if c.default is not None and c.default.is_scalar
    }
    keys = [(column.key, defaults.get(column.key)) for column in columns]
    rows = []
    for given in values:
        row: dict[str, Any] = {}
        for key, default in keys:
            value = given.get(key)
            if value is None:
                value = default
            # The class test first: a set lookup, where isinstance is a call per value.
            row[key] = value if value.__class__ in _PLAIN or not isinstance(value, enum.Enum) else value.value
        rows.append(row)
    return rows


def insert_returning(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[Row[Any]]:
    """INSERT the rows and read back every column of each, in input order.

    On SQLite, SQLAlchemy promises RETURNING in parameter order only one statement per row (tens of
    thousands of round trips), and builds its multi-row statements row by row in Python. There the
    rows are inserted by one plain executemany and read back as those above the largest id before
    it: SQLite inserts them in order, each with the largest id so far plus one, and no other
    writer can come between (in WAL mode a write after another connection's commit fails rather
    than lands on a stale snapshot).
    """
    if not rows:
        return []
    (key,) = table.primary_key.columns
    if session.get_bind().dialect.name != "sqlite" or not isinstance(key.type, Integer):
        statement = insert(table).returning(*table.columns, sort_by_parameter_order=True)
        return list(session.execute(statement, rows))
    largest = session.scalar(select(func.max(key)))
    insert_rows(session, table, rows)
    added = select(table).order_by(key)
    inserted = list(session.execute(added if largest is None else added.where(key > largest)).all())
    if len(inserted) != len(rows):
        raise RuntimeError(f"{table.name}: {len(inserted)} rows came back from inserting {len(rows)}")
    return inserted
