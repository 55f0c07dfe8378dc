"""programme members written as text: member count, the counts and descriptions as written, and the
countries of members named only as text (CLAIR case records: 6カ国70自治体, 各地域の政府知事・省長等, 中国)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("members_text", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("member_countries", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_check_constraint(
            op.f("ck_programme_member_count_non_negative"), "member_count IS NULL OR member_count >= 0"
        )


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_programme_member_count_non_negative"), type_="check")
        batch_op.drop_column("member_countries")
        batch_op.drop_column("members_text")
        batch_op.drop_column("member_count")
