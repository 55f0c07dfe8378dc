"""Pydantic shapes of seeking profiles: codes are checked against the vocabulary, countries may be written
as people write them (オーストラリア, Australia, AU) and are stored as ISO codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tsunagari.common.fields import FIELD_CODES, field_codes
from tsunagari.matching.vocabulary import (
    AREA_CODES,
    AREA_LABELS,
    CONDITION_CODES,
    CONDITION_LABELS,
    LANGUAGE_CODES,
    LANGUAGE_LABELS,
)
from tsunagari.reference.countries import resolve_country

_SEPARATORS = re.compile(r"[,、，・/／\s]+")


def _as_list(value: Any) -> Any:
    """A list, or text separated by commas, 、 or ・ as a wish list writes it."""
    if isinstance(value, str):
        return [part for part in _SEPARATORS.split(value.strip()) if part]
    return value


def _codes(
    value: list[str], known: tuple[str, ...], labels: dict[str, tuple[str, str]] | None = None
) -> list[str]:
    by_label: dict[str, str] = {}
    for known_code, pair in (labels or {}).items():
        by_label.update({pair[0]: known_code, pair[1].casefold(): known_code})
    chosen: list[str] = []
    for item in value:
        code: str | None = item if item in known else by_label.get(item, by_label.get(item.casefold()))
        if code is None:
            raise ValueError(f"unknown value {item!r}; one of: {', '.join(known)}")
        if code not in chosen:
            chosen.append(code)
    return chosen


class SeekingProfileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_id: int = Field(ge=1, le=2**31 - 1)
    hoped_countries: list[str] = Field(default_factory=list, max_length=60)
    hoped_areas: list[str] = Field(default_factory=list, max_length=len(AREA_CODES))
    fields: list[str] = Field(default_factory=list, max_length=len(FIELD_CODES))
    population_min: int | None = Field(default=None, ge=0, le=2**31 - 1)
    population_max: int | None = Field(default=None, ge=0, le=2**31 - 1)
    conditions: list[str] = Field(default_factory=list, max_length=len(CONDITION_CODES))
    conditions_text: str | None = Field(default=None, max_length=2000)
    languages: list[str] = Field(default_factory=list, max_length=len(LANGUAGE_CODES))
    purpose: str | None = Field(default=None, max_length=4000)
    valid_until: dt.date | None = None
    illustrative: bool = False
    source: str | None = Field(default=None, max_length=500)

    @field_validator("hoped_countries", "hoped_areas", "fields", "conditions", "languages", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("hoped_countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        codes: list[str] = []
        for text in value:
            code = resolve_country(text, field="hoped_countries").alpha2
            if code not in codes:
                codes.append(code)
        return codes

    @field_validator("hoped_areas")
    @classmethod
    def _areas(cls, value: list[str]) -> list[str]:
        return _codes(value, AREA_CODES, AREA_LABELS)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        # The one vocabulary reads codes and labels in Japanese, English or Korean, former labels too.
        return field_codes(value)

    @field_validator("conditions")
    @classmethod
    def _conditions(cls, value: list[str]) -> list[str]:
        return _codes(value, CONDITION_CODES, CONDITION_LABELS)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return _codes(value, LANGUAGE_CODES, LANGUAGE_LABELS)

    @model_validator(mode="after")
    def _range(self) -> SeekingProfileCreate:
        if (
            self.population_min is not None
            and self.population_max is not None
            and self.population_min > self.population_max
        ):
            raise ValueError("population_min is above population_max / 人口の下限が上限を超えています")
        return self


PROFILE_FIELDS = tuple(name for name in SeekingProfileCreate.model_fields if name != "municipality_id")
