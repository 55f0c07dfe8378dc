"""citizen benefits (市民向けの特典): what a municipality's partnerships and programmes offer residents,
with validity periods

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benefit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("eligibility", sa.Text(), nullable=True),
        sa.Column("how_to_apply", sa.Text(), nullable=True),
        sa.Column("apply_url", sa.String(length=500), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("cost_yen", sa.BigInteger(), nullable=True),
        sa.Column("cost_note", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('discount', 'homestay', 'student_exchange', 'scholarship', 'event', 'association', "
            "'other')",
            name=op.f("ck_benefit_known_kind"),
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name=op.f("ck_benefit_valid_in_order"),
        ),
        sa.CheckConstraint("cost_yen IS NULL OR cost_yen >= 0", name=op.f("ck_benefit_cost_non_negative")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_benefit_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_benefit_partnership_id_partnership"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_benefit_programme_id_programme"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit")),
    )
    with op.batch_alter_table("benefit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_benefit_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_partnership_id"), ["partnership_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index("ix_benefit_valid_until", ["valid_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("benefit", schema=None) as batch_op:
        batch_op.drop_index("ix_benefit_valid_until")
        batch_op.drop_index(batch_op.f("ix_benefit_programme_id"))
        batch_op.drop_index(batch_op.f("ix_benefit_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_benefit_municipality_id"))
    op.drop_table("benefit")
