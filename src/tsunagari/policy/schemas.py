"""Pydantic shapes for visits and policy findings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from tsunagari.exchange.schemas import ActivityCreate

VISIT_FIELDS = (
    "municipality_id",
    "destination_municipality_id",
    "destination_text",
    "for_signing",
    "citizen_meeting_on",
    "citizen_meeting_notes",
)


class VisitCreate(ActivityCreate):
    """A planned visit: an activity of a programme plus what the policy needs to know."""

    municipality_id: int
    destination_municipality_id: int | None = None
    destination_text: str | None = Field(default=None, max_length=300)
    for_signing: bool = False
    citizen_meeting_on: dt.date | None = None
    citizen_meeting_notes: str | None = None


class RulesUpdate(BaseModel):
    public_money_only_official_to_sister_friendship: bool | None = None
    require_purpose_before_visit: bool | None = None
    report_deadline_days: int | None = Field(default=None, ge=0, le=365)
    require_citizen_consultation: bool | None = None


FindingStatus = Literal["violation", "due", "overdue"]


class Finding(BaseModel):
    """One thing the policy says about one visit: a broken rule, or something due or overdue."""

    activity_id: int
    title: str
    municipality: str
    municipality_id: int
    code: str
    """public_cost_not_allowed, purpose_not_published, purpose_published_late, report_due,
    report_overdue, report_published_late, citizen_meeting_missing, citizen_meeting_due."""
    status: FindingStatus
    due_on: dt.date | None = None
    message: str
    """In Japanese, for the staff list."""
    message_en: str = ""
    """The same in English, for English pages and reports."""

    def message_in(self, lang: str) -> str:
        return self.message_en if lang == "en" and self.message_en else self.message
