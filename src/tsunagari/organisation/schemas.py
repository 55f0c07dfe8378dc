"""Pydantic shapes for organisations and contacts."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from tsunagari.common.links import WebLink
from tsunagari.organisation.models import OrganisationKind


class OrganisationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    name_en: str | None = None
    kind: OrganisationKind = OrganisationKind.other
    municipality_id: int | None = None
    founded_on: dt.date | None = None
    founded_on_precision: str | None = None
    members_count: int | None = Field(default=None, ge=0)
    members_approximate: bool = False
    members_as_of: dt.date | None = None
    members_as_of_precision: str | None = None
    overview_ja: str | None = None
    overview_en: str | None = None
    website: WebLink | None = None
    source: str | None = None


class OrganisationRead(OrganisationCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int


class ContactCreate(BaseModel):
    person_name: str = Field(min_length=1, max_length=200)
    role: str | None = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^[0-9０-９+()\-‐ー \u3000]{6,30}$")
    notes: str | None = None
    municipality_id: int | None = None
    organisation_id: int | None = None
    partnership_id: int | None = None
