"""Pydantic shapes of an evaluation as a reviewer submits it, and of the 事務事業評価 inputs staff enter."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from tsunagari.evaluation.models import (
    GRADE_LABELS,
    MAX_SCORE,
    METHOD_LABELS,
    METRICS,
    MIN_SCORE,
    OVERALL_LABELS,
)

SubjectKind = Literal["partnership", "programme"]


class ScoreIn(BaseModel):
    score: int | None = Field(default=None, ge=MIN_SCORE, le=MAX_SCORE)
    """None: not scored on this criterion (yet)."""
    comment: str | None = Field(default=None, max_length=4000)


class EvaluationIn(BaseModel):
    """A reviewer's scores per criterion code, with an overall comment."""

    criteria_set: str = "clair"
    scores: dict[str, ScoreIn] = Field(default_factory=dict)
    comment: str | None = Field(default=None, max_length=4000)


# ----------------------------------------------------------------------------- 事務事業評価 inputs
Yen = Annotated[int, Field(ge=0, le=10**13)]
FiscalYear = Annotated[int, Field(ge=1900, le=2200)]


def _one_of(value: str | None, labels: dict[str, tuple[str, str]], what: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in labels:
        raise ValueError(f"{what}: {', '.join(labels)} のいずれか / one of {', '.join(labels)}")
    return value


class LabourCostIn(BaseModel):
    """人件費単価: a municipality's yearly cost of one full-time regular employee."""

    municipality_id: int
    yen_per_fte: Yen
    note: str | None = Field(default=None, max_length=2000)


class ProgrammeSheetIn(BaseModel):
    """What a 事務事業評価シート states about a programme once."""

    programme_id: int
    department: str | None = Field(default=None, max_length=200)
    policy: str | None = Field(default=None, max_length=4000)
    basis: str | None = Field(default=None, max_length=4000)
    start_fy: FiscalYear | None = None
    method: str | None = None
    target: str | None = Field(default=None, max_length=4000)
    intent: str | None = Field(default=None, max_length=4000)
    upper_outcome: str | None = Field(default=None, max_length=4000)
    activity_metric: str = "activities"
    activity_indicator: str | None = Field(default=None, max_length=200)
    outcome_metric: str = "participants"
    outcome_indicator: str | None = Field(default=None, max_length=200)

    @field_validator("method")
    @classmethod
    def _method(cls, value: str | None) -> str | None:
        return _one_of(value, METHOD_LABELS, "実施手法 / method")

    @field_validator("activity_metric", "outcome_metric", mode="before")
    @classmethod
    def _metric(cls, value: str | None) -> str:
        if value in (None, ""):
            raise ValueError(f"指標を選んでください / choose one of {', '.join(METRICS)}")
        checked = _one_of(str(value), {k: (v[0], v[0]) for k, v in METRICS.items()}, "指標 / metric")
        assert checked is not None
        return checked


class ProgrammeSheetYearIn(BaseModel):
    """One fiscal year's targets, costs, funding and evaluation of a programme."""

    programme_id: int
    fiscal_year: FiscalYear
    activity_target: Annotated[int, Field(ge=0)] | None = None
    outcome_target: Annotated[int, Field(ge=0)] | None = None
    budget_yen: Yen | None = None
    regular_fte: Annotated[float, Field(ge=0, le=1000)] | None = None
    part_time_cost_yen: Yen | None = None
    indirect_cost_yen: Yen | None = None
    fund_national_yen: Yen | None = None
    fund_prefecture_yen: Yen | None = None
    fund_bonds_yen: Yen | None = None
    fund_other_yen: Yen | None = None
    necessity: str | None = None
    necessity_comment: str | None = Field(default=None, max_length=4000)
    effectiveness: str | None = None
    effectiveness_comment: str | None = Field(default=None, max_length=4000)
    efficiency: str | None = None
    efficiency_comment: str | None = Field(default=None, max_length=4000)
    fairness: str | None = None
    fairness_comment: str | None = Field(default=None, max_length=4000)
    overall: str | None = None
    overall_comment: str | None = Field(default=None, max_length=4000)

    @field_validator("necessity", "effectiveness", "efficiency", "fairness")
    @classmethod
    def _grade(cls, value: str | None) -> str | None:
        return _one_of(value, GRADE_LABELS, "評価 / grade")

    @field_validator("overall")
    @classmethod
    def _overall(cls, value: str | None) -> str | None:
        return _one_of(value, OVERALL_LABELS, "総合評価 / overall")
