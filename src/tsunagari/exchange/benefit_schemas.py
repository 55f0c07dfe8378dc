"""Pydantic shapes of citizen benefits: what staff write (BenefitCreate), checked field by field so that bad
input names its field (a link that is not http(s), a period that ends before it starts)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from tsunagari.common.links import WebLink
from tsunagari.exchange.benefit_models import BenefitKind


class BenefitCreate(BaseModel):
    municipality_id: int = Field(
        ge=1, description="the municipality offering it (a party of the partnership)"
    )
    partnership_id: int | None = Field(default=None, ge=1)
    programme_id: int | None = Field(default=None, ge=1)
    kind: BenefitKind
    title: str = Field(max_length=300)
    description: str | None = None
    eligibility: str | None = None
    how_to_apply: str | None = None
    apply_url: WebLink | None = Field(default=None, max_length=500)
    deadline: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    cost_yen: int | None = Field(default=None, ge=0, le=10**12)
    cost_note: str | None = Field(default=None, max_length=300)
    source: str | None = Field(default=None, max_length=500)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("the title must not be blank")
        return stripped

    @field_validator("valid_until")
    @classmethod
    def _period_in_order(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError(f"the period ends before it starts ({start.isoformat()})")
        return value
