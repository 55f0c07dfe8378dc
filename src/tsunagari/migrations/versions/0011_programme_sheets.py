"""事務事業評価 inputs: a programme's sheet, its figures per fiscal year, a municipality's labour cost

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "labour_cost_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("yen_per_fte", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("yen_per_fte >= 0", name=op.f("ck_labour_cost_rate_yen_per_fte_non_negative")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_labour_cost_rate_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_cost_rate")),
        sa.UniqueConstraint("municipality_id", name=op.f("uq_labour_cost_rate_municipality_id")),
    )
    op.create_table(
        "programme_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("policy", sa.Text(), nullable=True),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("start_fy", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("intent", sa.Text(), nullable=True),
        sa.Column("upper_outcome", sa.Text(), nullable=True),
        sa.Column("activity_metric", sa.String(length=20), nullable=False),
        sa.Column("activity_indicator", sa.String(length=200), nullable=True),
        sa.Column("outcome_metric", sa.String(length=20), nullable=False),
        sa.Column("outcome_indicator", sa.String(length=200), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_programme_sheet_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_sheet")),
        sa.UniqueConstraint("programme_id", name=op.f("uq_programme_sheet_programme_id")),
    )
    op.create_table(
        "programme_sheet_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("activity_target", sa.Integer(), nullable=True),
        sa.Column("outcome_target", sa.Integer(), nullable=True),
        sa.Column("budget_yen", sa.BigInteger(), nullable=True),
        sa.Column("regular_fte", sa.Float(), nullable=True),
        sa.Column("part_time_cost_yen", sa.BigInteger(), nullable=True),
        sa.Column("indirect_cost_yen", sa.BigInteger(), nullable=True),
        sa.Column("fund_national_yen", sa.BigInteger(), nullable=True),
        sa.Column("fund_prefecture_yen", sa.BigInteger(), nullable=True),
        sa.Column("fund_bonds_yen", sa.BigInteger(), nullable=True),
        sa.Column("fund_other_yen", sa.BigInteger(), nullable=True),
        sa.Column("necessity", sa.String(length=1), nullable=True),
        sa.Column("necessity_comment", sa.Text(), nullable=True),
        sa.Column("effectiveness", sa.String(length=1), nullable=True),
        sa.Column("effectiveness_comment", sa.Text(), nullable=True),
        sa.Column("efficiency", sa.String(length=1), nullable=True),
        sa.Column("efficiency_comment", sa.Text(), nullable=True),
        sa.Column("fairness", sa.String(length=1), nullable=True),
        sa.Column("fairness_comment", sa.Text(), nullable=True),
        sa.Column("overall", sa.String(length=20), nullable=True),
        sa.Column("overall_comment", sa.Text(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "regular_fte IS NULL OR regular_fte >= 0", name=op.f("ck_programme_sheet_year_fte_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_programme_sheet_year_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_sheet_year")),
        sa.UniqueConstraint("programme_id", "fiscal_year", name="uq_programme_sheet_year"),
    )
    op.create_index(
        op.f("ix_programme_sheet_year_programme_id"), "programme_sheet_year", ["programme_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_programme_sheet_year_programme_id"), table_name="programme_sheet_year")
    op.drop_table("programme_sheet_year")
    op.drop_table("programme_sheet")
    op.drop_table("labour_cost_rate")
