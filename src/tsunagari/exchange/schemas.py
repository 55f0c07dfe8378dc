"""Pydantic shapes for networks, programmes, activities and awards (read with `errors.parse`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tsunagari.common.fields import field_codes, parse_field_text
from tsunagari.common.links import WebLink
from tsunagari.errors import parse as parse  # services and importers parse through this name too
from tsunagari.exchange.models import (
    ACTOR_CODES,
    CRITERIA_SETS,
    FIELD_CODES,
    ActivityDirection,
    MembershipRole,
    NetworkKind,
    ProgrammeFormat,
)

PrecisionName = Literal["year", "month", "day"]
NonNegative = Annotated[int, Field(ge=0)]

# 参加者の区分: the categories the staff form offers for an activity's participants, in the order shown
# ((Japanese, English) labels). Participants stay a mapping of category to count, so a category an
# import wrote that is not listed here is kept and shown as written.
PARTICIPANT_CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "elementary_students": ("小学生", "Elementary school pupils"),
    "junior_high_students": ("中学生", "Junior high school students"),
    "high_school_students": ("高校生", "High school students"),
    "university_students": ("大学生", "University students"),
    "students": ("児童・生徒・学生", "Students"),
    "chaperones": ("引率", "Chaperones"),
    "mayor": ("首長", "Mayor"),
    "council": ("議員", "Council members"),
    "staff": ("職員", "Staff"),
    "citizens": ("市民", "Citizens"),
    "performers": ("出演者・選手", "Performers and athletes"),
    "experts": ("専門家", "Experts"),
    "other": ("その他", "Other"),
}


def _known_codes(values: list[str], known: tuple[str, ...], what: str) -> list[str]:
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)}; use {', '.join(known)}")
    return list(dict.fromkeys(values))  # drop repeats, keep the order given


class PartyRef(BaseModel):
    """A municipality or an organisation, by id."""

    municipality_id: int | None = None
    organisation_id: int | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PartyRef:
        if (self.municipality_id is None) == (self.organisation_id is None):
            raise ValueError("give exactly one of municipality_id and organisation_id")
        return self


# ----------------------------------------------------------------------------- networks
class NetworkCreate(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    kind: NetworkKind = NetworkKind.association
    description: str | None = None
    secretariat_municipality_id: int | None = None
    secretariat_organisation_id: int | None = None
    secretariat_text: str | None = Field(default=None, max_length=300)
    founded_fy: int | None = Field(default=None, ge=1868, le=2200)
    founded_on: dt.date | None = None
    founded_on_precision: PrecisionName | None = None
    member_count: NonNegative | None = None
    member_count_as_of: dt.date | None = None
    member_count_as_of_precision: PrecisionName | None = None
    member_count_note: str | None = Field(default=None, max_length=300)
    rotation: str | None = None
    fields: list[str] = Field(default_factory=list)
    subcommittees: list[str] = Field(default_factory=list)
    url: WebLink | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=500)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        return _known_codes(value, FIELD_CODES, "field")

    @model_validator(mode="after")
    def _one_secretariat(self) -> NetworkCreate:
        if self.secretariat_municipality_id is not None and self.secretariat_organisation_id is not None:
            raise ValueError("the secretariat is a municipality or an organisation, not both")
        if self.founded_on is not None and self.founded_on_precision is None:
            self.founded_on_precision = "day"
        if self.member_count_as_of is not None and self.member_count_as_of_precision is None:
            self.member_count_as_of_precision = "day"
        return self


class NetworkRead(NetworkCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int


class MembershipCreate(PartyRef):
    network_id: int
    role: MembershipRole = MembershipRole.member
    joined_fy: int | None = Field(default=None, ge=1868, le=2200)
    notes: str | None = None
    source: str | None = Field(default=None, max_length=500)


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    network_id: int
    municipality_id: int | None
    organisation_id: int | None
    role: str
    joined_fy: int | None
    notes: str | None


class MeetingCreate(BaseModel):
    network_id: int
    title: str | None = Field(default=None, max_length=300)
    fiscal_year: int | None = Field(default=None, ge=1868, le=2200)
    held_on: dt.date | None = None
    held_on_precision: PrecisionName | None = None
    host_municipality_id: int | None = None
    place: str | None = Field(default=None, max_length=300)
    participating_count: NonNegative | None = None
    notes: str | None = None
    source: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _when(self) -> MeetingCreate:
        if self.held_on is not None and self.held_on_precision is None:
            self.held_on_precision = "day"
        return self


# ----------------------------------------------------------------------------- programmes
class PartnerIn(BaseModel):
    """A programme partner: a municipality or organisation, or text kept as written."""

    municipality_id: int | None = None
    organisation_id: int | None = None
    written_name: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    region: str | None = Field(default=None, max_length=200)
    notes: str | None = None

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @model_validator(mode="after")
    def _something(self) -> PartnerIn:
        if self.municipality_id is not None and self.organisation_id is not None:
            raise ValueError("a partner is a municipality or an organisation, not both")
        if (
            self.municipality_id is None
            and self.organisation_id is None
            and not (self.written_name or "").strip()
        ):
            raise ValueError("a partner needs a municipality, an organisation or its name as written")
        return self


class ProgrammeCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    title_note: str | None = None
    format: ProgrammeFormat
    owners: list[PartyRef] = Field(min_length=1)
    partners: list[PartnerIn] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)
    fiscal_years_text: str | None = Field(default=None, max_length=200)
    """実施年度 as written; parsed with dates.parse_fiscal_years (empty means unknown)."""
    started_on: dt.date | None = None
    started_on_precision: PrecisionName | None = None
    schedule: str | None = Field(default=None, max_length=300)
    description: str | None = None
    results: str | None = None
    organiser_text: str | None = None
    partners_text: str | None = None
    member_count: int | None = Field(default=None, ge=0)
    """How many members the source counts when it does not name them all (6カ国70自治体 → 70)."""
    members_text: str | None = None
    """Counts and descriptions of the members as written; never partner names."""
    member_countries: list[str] = Field(default_factory=list)
    """Countries (alpha-2) of members written only as text (中国, 日仏自治体)."""
    details_text: str | None = None
    urls: list[WebLink] = Field(default_factory=list)
    source_url: WebLink | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=500)
    actors: list[str] = Field(default_factory=list)
    network_id: int | None = None
    partnership_id: int | None = None

    @field_validator("title")
    @classmethod
    def _strip_title(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("the title must not be blank")
        return stripped

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        return _known_codes(value, FIELD_CODES, "field")

    @field_validator("actors")
    @classmethod
    def _actors(cls, value: list[str]) -> list[str]:
        return _known_codes(value, ACTOR_CODES, "actor")

    @model_validator(mode="after")
    def _precision(self) -> ProgrammeCreate:
        if self.started_on is not None and self.started_on_precision is None:
            self.started_on_precision = "day"
        return self


class ProgrammeUpdate(BaseModel):
    """Fields staff may change; owners and partners have their own service calls."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    title_note: str | None = None
    format: ProgrammeFormat | None = None
    fields: list[str] | None = None
    fiscal_years_text: str | None = Field(default=None, max_length=200)
    started_on: dt.date | None = None
    started_on_precision: PrecisionName | None = None
    schedule: str | None = Field(default=None, max_length=300)
    description: str | None = None
    results: str | None = None
    organiser_text: str | None = None
    partners_text: str | None = None
    details_text: str | None = None
    urls: list[WebLink] | None = None
    source_url: WebLink | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=500)
    actors: list[str] | None = None
    network_id: int | None = None
    partnership_id: int | None = None

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _known_codes(value, FIELD_CODES, "field")

    @field_validator("actors")
    @classmethod
    def _actors(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _known_codes(value, ACTOR_CODES, "actor")


class ProgrammeOwnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    municipality_id: int | None
    organisation_id: int | None
    name: str


class ProgrammePartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    municipality_id: int | None
    organisation_id: int | None
    name: str
    """The registry's name when resolved, the text as written otherwise."""
    written_name: str
    country: str | None
    region: str | None
    needs_review: bool


class ProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owners: list[ProgrammeOwnerRead]
    partners: list[ProgrammePartnerRead]
    title: str
    title_note: str | None
    format: str
    fields: list[str]
    fiscal_years_text: str | None
    first_fy: int | None
    last_fy: int | None
    ongoing: bool
    every_n_years: int | None
    series_since_fy: int | None
    held_fy: list[int]
    fiscal_years_unknown: bool
    started_on: dt.date | None
    started_on_precision: str | None
    schedule: str | None
    description: str | None
    results: str | None
    organiser_text: str | None
    partners_text: str | None
    details_text: str | None
    urls: list[str]
    source_url: str | None
    source: str | None
    actors: list[str]
    network_id: int | None
    partnership_id: int | None
    version: int


# ----------------------------------------------------------------------------- activities
class ActivityCreate(BaseModel):
    """One 実施記録. Costs are whole yen; participants are counted by category."""

    programme_id: int
    title: str = Field(min_length=1, max_length=300)
    start_on: dt.date | None = None
    start_on_precision: PrecisionName | None = None
    end_on: dt.date | None = None
    end_on_precision: PrecisionName | None = None
    direction: ActivityDirection | None = None
    place: str | None = Field(default=None, max_length=300)
    fields: list[str] | None = None
    """交流分野 as codes (labels in Japanese, English or Korean, or one text such as "教育、青少年", are
    read as their codes). None: a new activity takes its programme's fields, an update keeps them."""
    participants: dict[str, NonNegative] = Field(default_factory=dict)
    public_cost: NonNegative | None = None
    private_cost: NonNegative | None = None
    official_visit: bool = False
    purpose: str | None = None
    purpose_published_on: dt.date | None = None
    report_published_on: dt.date | None = None
    report_medium: str | None = Field(default=None, max_length=200)
    outcomes: str | None = None
    source: str | None = Field(default=None, max_length=500)

    @field_validator("end_on")
    @classmethod
    def _ends_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # A field validator (not a model one) so that the error names end_on.
        start = info.data.get("start_on")
        if value is not None and start is not None and value < start:
            raise ValueError(f"ends before it starts ({start.isoformat()})")
        return value

    @field_validator("fields", mode="before")
    @classmethod
    def _field_codes(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_field_text(value)
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return field_codes(value)
        return value

    @field_validator("participants")
    @classmethod
    def _categories(cls, value: dict[str, int]) -> dict[str, int]:
        if any(not category.strip() for category in value):
            raise ValueError("a participant category needs a name")
        return value

    @model_validator(mode="after")
    def _precisions(self) -> ActivityCreate:
        if self.start_on is not None and self.start_on_precision is None:
            self.start_on_precision = "day"
        if self.end_on is not None and self.end_on_precision is None:
            self.end_on_precision = "day"
        return self


class ActivityRead(ActivityCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    fields: list[str]
    version: int


# ----------------------------------------------------------------------------- awards
class EvaluationPoint(BaseModel):
    criterion: str | None = None
    """A code of the award's criteria set (continuity, collaboration …), or None for a general point."""
    text: str = Field(min_length=1)


class AwardCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    prize: str = Field(default="", max_length=200)
    edition: int | None = Field(default=None, ge=1)
    fiscal_year: int | None = Field(default=None, ge=1868, le=2200)
    awarded_by: str | None = Field(default=None, max_length=300)
    recipient: PartyRef
    partner_municipality_ids: list[int] = Field(default_factory=list)
    programme_id: int | None = None
    citation: str | None = None
    evaluation_points: list[EvaluationPoint] = Field(default_factory=list)
    criteria_set: str = "clair"
    url: WebLink | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _criteria(self) -> AwardCreate:
        criteria = CRITERIA_SETS.get(self.criteria_set)
        if criteria is None:
            raise ValueError(f"unknown criteria set {self.criteria_set}; use {', '.join(CRITERIA_SETS)}")
        codes = {criterion.code for criterion in criteria}
        for point in self.evaluation_points:
            if point.criterion is not None and point.criterion not in codes:
                raise ValueError(f"unknown criterion {point.criterion}; use {', '.join(sorted(codes))}")
        return self


class MeetingRead(MeetingCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int


class AwardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prize: str
    edition: int | None
    fiscal_year: int | None
    awarded_by: str | None
    recipient_municipality_id: int | None
    recipient_organisation_id: int | None
    recipient_name: str
    programme_id: int | None
    citation: str | None
    evaluation_points: list[EvaluationPoint]
    criteria_set: str
    url: str | None
    version: int
