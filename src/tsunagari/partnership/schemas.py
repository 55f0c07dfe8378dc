"""Pydantic shapes for partnerships, including the stable `partners NAME --json` row."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tsunagari.common.fields import field_codes, parse_field_text
from tsunagari.partnership.models import PartnershipStatus, PartnershipType

PrecisionName = Literal["year", "month", "day"]


class PartnershipCreate(BaseModel):
    home_municipality_id: int | None = None
    home_organisation_id: int | None = None
    partner_municipality_id: int | None = None
    partner_organisation_id: int | None = None
    partner_written_name: str | None = None
    type: PartnershipType
    signed_on: dt.date | None = None
    signed_on_precision: PrecisionName | None = None
    status: PartnershipStatus = PartnershipStatus.active
    suspended_on: dt.date | None = None
    suspended_on_precision: PrecisionName | None = None
    ended_on: dt.date | None = None
    ended_on_precision: PrecisionName | None = None
    origin: str | None = None
    fields: list[str] = Field(default_factory=list)
    """交流分野 as codes (labels in Japanese, English or Korean are read as their codes); an upsert
    leaves the stored fields alone when none are given."""
    notes: str | None = None
    inherited_through_merger: bool | None = None
    """None on an update means 'leave as stored'; a new partnership stores False."""
    via_municipality_id: int | None = None
    criterion_signed_by_heads: bool | None = None
    criterion_multi_field: bool | None = None
    criterion_council_approved: bool | None = None
    source: str | None = None

    @field_validator("fields", mode="before")
    @classmethod
    def _field_codes(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return parse_field_text(value)
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return field_codes(value)
        return value

    @model_validator(mode="after")
    def _parties_and_dates(self) -> PartnershipCreate:
        if (self.home_municipality_id is None) == (self.home_organisation_id is None):
            raise ValueError("exactly one of home_municipality_id and home_organisation_id is needed")
        if (self.partner_municipality_id is None) == (self.partner_organisation_id is None):
            raise ValueError("exactly one of partner_municipality_id and partner_organisation_id is needed")
        if self.signed_on is not None and self.signed_on_precision is None:
            self.signed_on_precision = "day"
        if self.ended_on is not None and self.ended_on_precision is None:
            self.ended_on_precision = "day"
        if self.signed_on and self.ended_on and self.ended_on < self.signed_on:
            raise ValueError("ended_on is before signed_on")
        if self.ended_on is not None and self.status == PartnershipStatus.active:
            raise ValueError("an active partnership has no ended_on; set status to ended")
        return self


class PartnerRow(BaseModel):
    """One line of `tsunagari partners NAME --json`. Keys may be added, never renamed."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    name_en: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2")
    region: str | None
    type: str = Field(description="partnership type code")
    type_label: str = Field(description="Japanese label of the type")
    type_label_en: str
    signed_on: str | None = Field(description='"1992-04-21", "1992-04" or "1992"')
    precision: PrecisionName | None
    signed_on_wareki: str | None
    status: str
    domestic: bool
    partnership_id: int
    partner_id: int
    partner_kind: Literal["municipality", "organisation"]
    origin: str | None
    inherited_through_merger: bool
    via: str | None
    counts_as_sister_friendship: bool
    years_since_signing: int | None
