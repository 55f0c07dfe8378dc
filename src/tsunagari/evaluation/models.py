"""Tables of evaluations: one reviewer's evaluation of one partnership or programme, and its scores."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
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
