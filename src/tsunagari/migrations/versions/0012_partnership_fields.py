"""partnership fields (交流分野): the exchange fields a tie has spread to; existing partnerships take the
fields of the programmes one party runs with the other

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 11:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as they stand at this revision (never the models, which move on).
_partnership = sa.table(
    "partnership",
    sa.column("id", sa.Integer()),
    sa.column("home_municipality_id", sa.Integer()),
    sa.column("partner_municipality_id", sa.Integer()),
    sa.column("fields", sa.JSON()),
)
_programme = sa.table("programme", sa.column("id", sa.Integer()), sa.column("fields", sa.JSON()))
_owner = sa.table(
    "programme_owner", sa.column("programme_id", sa.Integer()), sa.column("municipality_id", sa.Integer())
)
_partner = sa.table(
    "programme_partner", sa.column("programme_id", sa.Integer()), sa.column("municipality_id", sa.Integer())
)


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):  # a JSON column read without its type on some drivers
        value = json.loads(value)
    return [str(code) for code in value or []]


def upgrade() -> None:
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fields", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    connection = op.get_bind()
    # Fields of the programmes each pair of municipalities runs together (owner and partner, either way).
    by_pair: dict[frozenset[int], list[str]] = {}
    rows = connection.execute(
        sa.select(_owner.c.municipality_id, _partner.c.municipality_id, _programme.c.fields)
        .select_from(_programme)
        .join(_owner, _owner.c.programme_id == _programme.c.id)
        .join(_partner, _partner.c.programme_id == _programme.c.id)
        .where(_owner.c.municipality_id.is_not(None), _partner.c.municipality_id.is_not(None))
        .order_by(_programme.c.id)
    )
    for owner_id, partner_id, fields in rows:
        if owner_id != partner_id:
            by_pair.setdefault(frozenset((owner_id, partner_id)), []).extend(_codes(fields))
    if not by_pair:
        return
    ties = connection.execute(
        sa.select(
            _partnership.c.id, _partnership.c.home_municipality_id, _partnership.c.partner_municipality_id
        ).where(
            _partnership.c.home_municipality_id.is_not(None),
            _partnership.c.partner_municipality_id.is_not(None),
        )
    )
    for partnership_id, home_id, partner_id in list(ties):
        found = by_pair.get(frozenset((home_id, partner_id)))
        if found:
            connection.execute(
                _partnership.update()
                .where(_partnership.c.id == partnership_id)
                .values(fields=list(dict.fromkeys(found)))
            )


def downgrade() -> None:
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_column("fields")
