"""Pydantic shapes of an evaluation as a reviewer submits it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tsunagari.evaluation.models import MAX_SCORE, MIN_SCORE

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
