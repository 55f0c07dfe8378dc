"""Tables of evaluations: one reviewer's evaluation of one partnership or programme, and its scores; the
事務事業評価 inputs staff enter (a programme's sheet, its figures per fiscal year, each municipality's
unit labour cost)."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.db import Base, Timestamped

MIN_SCORE = 1
MAX_SCORE = 5


class Evaluation(Timestamped, Base):
    """評価: a reviewer's scores for one subject (a partnership or a programme) on one criteria set."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    criteria_set: Mapped[str] = mapped_column(String(20), nullable=False, default="clair")
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    subject_key: Mapped[str] = mapped_column(String(40), nullable=False)
    """"partnership:12" or "programme:3": one column, so one evaluation per reviewer is a plain constraint."""
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    reviewer_name: Mapped[str] = mapped_column(String(300), nullable=False)
    """Kept with the scores, so the scorecard still says who scored if the account goes."""
    comment: Mapped[str | None] = mapped_column(Text)
    """総評: the reviewer's overall comment."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    scores: Mapped[list[EvaluationScore]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationScore.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        UniqueConstraint("subject_key", "criteria_set", "reviewer_id", name="uq_evaluation_reviewer"),
        CheckConstraint("(partnership_id IS NULL) <> (programme_id IS NULL)", name="one_subject"),
    )


class EvaluationScore(Base):
    """One criterion's score (1–5) with the reviewer's comment."""

    __tablename__ = "evaluation_score"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion: Mapped[str] = mapped_column(String(30), nullable=False)
    """A criterion code of the set, e.g. continuity (継続性)."""
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores")

    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion", name="uq_evaluation_score_criterion"),
        CheckConstraint(f"score >= {MIN_SCORE} AND score <= {MAX_SCORE}", name="score_range"),
    )


# ----------------------------------------------------------------------------- 事務事業評価
METHOD_LABELS: dict[str, tuple[str, str]] = {
    "direct": ("直営", "Run directly"),
    "contract": ("委託", "Contracted out"),
    "subsidy": ("補助", "Subsidised"),
    "mixed": ("直営・委託・補助の組合せ", "Mixed"),
}
GRADE_LABELS: dict[str, tuple[str, str]] = {
    "A": ("A 高い", "A high"),
    "B": ("B 普通", "B fair"),
    "C": ("C 低い", "C low"),
}
OVERALL_LABELS: dict[str, tuple[str, str]] = {
    "expand": ("拡充", "Expand"),
    "continue": ("継続", "Continue"),
    "improve": ("改善", "Improve"),
    "reduce": ("縮小", "Reduce"),
    "suspend": ("休止", "Suspend"),
    "abolish": ("廃止", "Abolish"),
}
# What an indicator's actual counts, from the activity records: (name, unit, formula), Japanese first.
METRICS: dict[str, tuple[str, str, str]] = {
    "activities": ("実施件数", "件", "年度内に開始した活動記録の件数"),
    "participants": ("参加者数", "人", "年度内の活動記録の参加者 (区分別) の合計"),
    "visits": ("派遣・受入件数", "件", "年度内の活動記録のうち派遣・受入・相互派遣の件数"),
}


class LabourCostRate(Timestamped, Base):
    """人件費単価: one municipality's cost of one full-time regular employee per year, in yen."""

    __tablename__ = "labour_cost_rate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    yen_per_fte: Mapped[int] = mapped_column(BigInteger, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    """Where the figure comes from (給与実態調査, 予算書 …)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (CheckConstraint("yen_per_fte >= 0", name="yen_per_fte_non_negative"),)


class ProgrammeSheet(Timestamped, Base):
    """事務事業評価シート: what staff state about one programme once (its place in the plan, its purpose,
    its indicators); the per-year figures are in ProgrammeSheetYear."""

    __tablename__ = "programme_sheet"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    department: Mapped[str | None] = mapped_column(String(200))
    """担当課."""
    policy: Mapped[str | None] = mapped_column(Text)
    """政策体系: the 総合計画's 施策 the programme serves."""
    basis: Mapped[str | None] = mapped_column(Text)
    """根拠: 要綱, 協定 …"""
    start_fy: Mapped[int | None] = mapped_column(Integer)
    """開始年度 (the programme's first fiscal year when left empty)."""
    method: Mapped[str | None] = mapped_column(String(20))
    """実施手法: direct 直営, contract 委託, subsidy 補助, mixed."""
    target: Mapped[str | None] = mapped_column(Text)
    """目的 (対象): whom or what it acts on."""
    intent: Mapped[str | None] = mapped_column(Text)
    """目的 (意図): what it means to change for them."""
    upper_outcome: Mapped[str | None] = mapped_column(Text)
    """上位成果: the result of the 施策 it contributes to."""
    activity_metric: Mapped[str] = mapped_column(String(20), nullable=False, default="activities")
    """活動指標: what the actual counts (a METRICS code)."""
    activity_indicator: Mapped[str | None] = mapped_column(String(200))
    """活動指標の名称 as the municipality words it (the metric's name when empty)."""
    outcome_metric: Mapped[str] = mapped_column(String(20), nullable=False, default="participants")
    outcome_indicator: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API


class ProgrammeSheetYear(Timestamped, Base):
    """One fiscal year of a programme's 事務事業評価: targets, budget, staff time, indirect cost, funding
    and the evaluation; the actuals (activities, participants, 決算 direct cost) come from the records."""

    __tablename__ = "programme_sheet_year"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), nullable=False, index=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer, nullable=False)
    activity_target: Mapped[int | None] = mapped_column(Integer)
    outcome_target: Mapped[int | None] = mapped_column(Integer)
    budget_yen: Mapped[int | None] = mapped_column(BigInteger)
    """直接事業費 (予算)."""
    regular_fte: Mapped[float | None] = mapped_column(Float)
    """正職員の従事量 (人工, FTE)."""
    part_time_cost_yen: Mapped[int | None] = mapped_column(BigInteger)
    """会計年度任用職員の人件費."""
    indirect_cost_yen: Mapped[int | None] = mapped_column(BigInteger)
    """間接費 (庁舎・共通経費の配賦など)."""
    fund_national_yen: Mapped[int | None] = mapped_column(BigInteger)
    fund_prefecture_yen: Mapped[int | None] = mapped_column(BigInteger)
    fund_bonds_yen: Mapped[int | None] = mapped_column(BigInteger)
    fund_other_yen: Mapped[int | None] = mapped_column(BigInteger)
    necessity: Mapped[str | None] = mapped_column(String(1))
    necessity_comment: Mapped[str | None] = mapped_column(Text)
    effectiveness: Mapped[str | None] = mapped_column(String(1))
    effectiveness_comment: Mapped[str | None] = mapped_column(Text)
    efficiency: Mapped[str | None] = mapped_column(String(1))
    efficiency_comment: Mapped[str | None] = mapped_column(Text)
    fairness: Mapped[str | None] = mapped_column(String(1))
    fairness_comment: Mapped[str | None] = mapped_column(Text)
    overall: Mapped[str | None] = mapped_column(String(20))
    """総合評価: expand 拡充, continue 継続, improve 改善, reduce 縮小, suspend 休止, abolish 廃止."""
    overall_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        UniqueConstraint("programme_id", "fiscal_year", name="uq_programme_sheet_year"),
        CheckConstraint("regular_fte IS NULL OR regular_fte >= 0", name="fte_non_negative"),
    )
