"""Pydantic shapes for reading and writing municipalities."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tsunagari.common.links import WebLink
from tsunagari.municipality.models import MunicipalityKind, MunicipalityStatus


class MunicipalityCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    kana: str | None = None
    local_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    kind: MunicipalityKind = MunicipalityKind.city
    country: str = Field(min_length=2, max_length=2)
    region: str | None = None
    region_code: str | None = None
    jis_code: str | None = None
    parent_id: int | None = None
    geonameid: int | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    population: int | None = Field(default=None, ge=0)
    population_as_of: dt.date | None = None
    population_as_of_precision: str | None = None
    population_source: str | None = None
    area_km2: float | None = Field(default=None, ge=0)
    area_as_of: dt.date | None = None
    area_as_of_precision: str | None = None
    area_source: str | None = None
    overview_ja: str | None = None
    overview_en: str | None = None
    website: WebLink | None = None
    status: MunicipalityStatus = MunicipalityStatus.existing
    merged_into_id: int | None = None
    merged_on: dt.date | None = None
    merged_on_precision: str | None = None
    source: str | None = None

    @field_validator("country")
    @classmethod
    def _upper_country(cls, value: str) -> str:
        return value.upper()

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("name must not be blank")
        return stripped


class MunicipalitySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    name_en: str | None
    kana: str | None
    kind: str
    country: str
    region: str | None
    jis_code: str | None
    lat: float | None
    lng: float | None
    status: str


class MunicipalityRead(MunicipalitySummary):
    local_name: str | None
    region_code: str | None
    geonameid: int | None
    population: int | None
    population_as_of: dt.date | None
    population_as_of_precision: str | None
    area_km2: float | None
    area_as_of: dt.date | None
    area_as_of_precision: str | None
    overview_ja: str | None
    overview_en: str | None
    website: str | None
    merged_into_id: int | None
    merged_on: dt.date | None
    merged_on_precision: str | None
    source: str | None
    version: int
