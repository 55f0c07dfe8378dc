"""activity fields (交流分野): the exchange fields an activity touched; existing activities take the
fields of their programme

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:30:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as they stand at this revision (never the models, which move on).
_activity = sa.table(
    "activity",
    sa.column("id", sa.Integer()),
    sa.column("programme_id", sa.Integer()),
    sa.column("fields", sa.JSON()),
)
_programme = sa.table("programme", sa.column("id", sa.Integer()), sa.column("fields", sa.JSON()))


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):  # a JSON column read without its type on some drivers
        value = json.loads(value)
    return [str(code) for code in value or []]


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fields", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    connection = op.get_bind()
    for programme_id, fields in list(connection.execute(sa.select(_programme.c.id, _programme.c.fields))):
        codes = _codes(fields)
        if codes:
            connection.execute(
                _activity.update().where(_activity.c.programme_id == programme_id).values(fields=codes)
            )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_column("fields")
