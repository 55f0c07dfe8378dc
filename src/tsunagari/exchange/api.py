"""Public JSON endpoints of exchange (/api/v1 programmes, activities, cases, networks, awards), thin over the
exchange service (no SQL here); unresolved partner text is shown as written and flagged."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.exchange.models import (
    FIELD_CODES,
    FORMAT_LABELS,
    Activity,
    Network,
    NetworkKind,
    Programme,
    ProgrammeFormat,
    ProgrammePartner,
)
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.api import MunicipalityRef, Party, municipality_ref, party
from tsunagari.web.deps import MAX_ID, Pagination, PaginationDep, SessionDep
from tsunagari.web.public_api import (
    CountryQuery,
    IdPath,
    Listing,
    MunicipalityQuery,
    iso,
    public_router,
)

router = public_router()


# ------------------------------------------------------------------------ shapes
class FiscalYearsRead(BaseModel):
    """実施年度 as written and as read: a run, an open end, a series every N years, or unknown."""

    text: str | None
    label: str
    first_fy: int | None
    last_fy: int | None
    ongoing: bool
    every_n_years: int | None
    series_since_fy: int | None
    held_fy: list[int]
    unknown: bool


class ProgrammePartnerRead(BaseModel):
    name: str = Field(description="the registry's name when resolved, otherwise the text as written")
    written_name: str
    party: Party | None = Field(description="null while the text waits for review")
    country: str | None
    awaiting_review: bool


class ProgrammeSummary(BaseModel):
    id: int
    title: str
    title_note: str | None
    format: ProgrammeFormat
    format_label: str
    format_label_en: str
    fields: list[str]
    fiscal_years: FiscalYearsRead
    started_on: str | None
    owners: list[Party]
    partners: list[ProgrammePartnerRead]
    is_case: bool = Field(description="true for the CLAIR case records")
    network_id: int | None
    partnership_id: int | None


class ActivityRead(BaseModel):
    id: int
    programme_id: int
    title: str
    start_on: str | None
    end_on: str | None
    direction: str | None
    place: str | None
    fields: list[str] = Field(description="交流分野: codes of the exchange fields vocabulary")
    participants: dict[str, int]
    public_cost: int | None
    private_cost: int | None
    official_visit: bool
    outcomes: str | None


class ProgrammeDetail(ProgrammeSummary):
    description: str | None
    results: str | None
    schedule: str | None
    organiser_text: str | None
    partners_text: str | None
    actors: list[str]
    urls: list[str]
    source: str | None
    activities: list[ActivityRead]


class MembershipRead(BaseModel):
    party: Party
    role: str
    joined_fy: int | None
    notes: str | None


class MeetingRead(BaseModel):
    title: str | None
    fiscal_year: int | None
    held_on: str | None
    host: MunicipalityRef | None
    place: str | None
    participating_count: int | None
    notes: str | None


class NetworkSummary(BaseModel):
    id: int
    name: str
    name_en: str | None
    kind: str
    fields: list[str]
    founded_fy: int | None
    member_count: int | None = Field(description="as the source states it; members lists those recorded")
    url: str | None


class NetworkDetail(NetworkSummary):
    description: str | None
    secretariat: Party | None
    secretariat_text: str | None
    founded_on: str | None
    member_count_note: str | None
    rotation: str | None
    subcommittees: list[str]
    source: str | None
    members: list[MembershipRead]
    meetings: list[MeetingRead]
    programme_ids: list[int]


class EvaluationPointRead(BaseModel):
    criterion: str | None
    text: str


class AwardRead(BaseModel):
    id: int
    name: str
    prize: str
    edition: int | None
    fiscal_year: int | None
    awarded_by: str | None
    recipient: Party
    partners: list[MunicipalityRef]
    programme_id: int | None
    citation: str | None
    criteria_set: str
    evaluation_points: list[EvaluationPointRead]
    url: str | None


# ------------------------------------------------------------------------ conversions
def _fiscal_years(programme: Programme) -> FiscalYearsRead:
    years = programme_service.fiscal_years(programme)
    return FiscalYearsRead(
        text=programme.fiscal_years_text,
        label=years.label_ja(),
        first_fy=years.first_fy,
        last_fy=years.last_fy,
        ongoing=years.ongoing,
        every_n_years=years.every_n_years,
        series_since_fy=years.series_since_fy,
        held_fy=list(years.held_fy),
        unknown=years.unknown,
    )


def _programme_partner(session: Session, partner: ProgrammePartner) -> ProgrammePartnerRead:
    resolved = partner.municipality is not None or partner.organisation is not None
    return ProgrammePartnerRead(
        name=partner.name,
        written_name=partner.written_name,
        party=party(session, partner.municipality, partner.organisation) if resolved else None,
        country=partner.municipality.country if partner.municipality else partner.country,
        awaiting_review=not resolved,
    )


def _programme_summary(session: Session, programme: Programme) -> dict[str, Any]:
    label_ja, label_en = FORMAT_LABELS[programme.format]
    return {
        "id": programme.id,
        "title": programme.title,
        "title_note": programme.title_note,
        "format": ProgrammeFormat(programme.format),
        "format_label": label_ja,
        "format_label_en": label_en,
        "fields": list(programme.fields or []),
        "fiscal_years": _fiscal_years(programme),
        "started_on": iso(programme.started_on, programme.started_on_precision),
        "owners": [party(session, o.municipality, o.organisation) for o in programme.owners],
        "partners": [_programme_partner(session, p) for p in programme.partners],
        "is_case": programme_service.is_case_record(programme),
        "network_id": programme.network_id,
        "partnership_id": programme.partnership_id,
    }


def _network_summary(network: Network) -> dict[str, Any]:
    return {
        "id": network.id,
        "name": network.name,
        "name_en": network.name_en,
        "kind": network.kind,
        "fields": list(network.fields or []),
        "founded_fy": network.founded_fy,
        "member_count": network.member_count,
        "url": network.url,
    }


# ------------------------------------------------------------------------ parameters
FieldQuery = Annotated[
    str | None, Query(pattern=f"^({'|'.join(FIELD_CODES)})$", description="a field code, e.g. environment")
]
FiscalYearQuery = Annotated[
    int | None, Query(ge=1868, le=2200, description="年度 the stated schedule includes, e.g. 2010")
]
ProgrammeQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="a programme id: its activities only")
]
RunByQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="a municipality id: activities of the programmes it runs")
]
ProgrammeText = Annotated[
    str | None, Query(min_length=1, max_length=200, description="words in titles, texts or partner names")
]


def _programme_listing(
    session: Session,
    page: Pagination,
    *,
    cases_only: bool,
    format: ProgrammeFormat | None,
    field: str | None,
    country: str | None,
    fiscal_year: int | None,
    municipality: int | None,
    q: str | None,
) -> Listing[ProgrammeSummary]:
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)  # 404 rather than []
    found = programme_service.search_programmes(
        session=session,
        cases_only=cases_only,
        format=format.value if format else None,
        field=field,
        country=country,
        fiscal_year=fiscal_year,
        municipality_id=municipality,
        q=q,
    )
    items = [
        ProgrammeSummary(**_programme_summary(session, p))
        for p in found[page.offset : page.offset + page.limit]
    ]
    return Listing(total=len(found), limit=page.limit, offset=page.offset, items=items)


# ------------------------------------------------------------------------ endpoints
@router.get("/programmes", response_model=Listing[ProgrammeSummary])
def list_programmes(
    session: SessionDep,
    page: PaginationDep,
    format: ProgrammeFormat | None = None,
    field: FieldQuery = None,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
    municipality: MunicipalityQuery = None,
    q: ProgrammeText = None,
) -> Listing[ProgrammeSummary]:
    """交流事業: every programme, by format, first fiscal year and id; `country` is a partner's."""
    return _programme_listing(
        session,
        page,
        cases_only=False,
        format=format,
        field=field,
        country=country,
        fiscal_year=fiscal_year,
        municipality=municipality,
        q=q,
    )


@router.get("/cases", response_model=Listing[ProgrammeSummary])
def list_cases(
    session: SessionDep,
    page: PaginationDep,
    format: ProgrammeFormat | None = None,
    field: FieldQuery = None,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
    municipality: MunicipalityQuery = None,
    q: ProgrammeText = None,
) -> Listing[ProgrammeSummary]:
    """The CLAIR case directory: the programmes that came from CLAIR's case records, same filters."""
    return _programme_listing(
        session,
        page,
        cases_only=True,
        format=format,
        field=field,
        country=country,
        fiscal_year=fiscal_year,
        municipality=municipality,
        q=q,
    )


@router.get("/programmes/{id}", response_model=ProgrammeDetail)
def get_programme(session: SessionDep, id: IdPath) -> ProgrammeDetail:
    """A programme with its partners (unresolved text included, flagged) and its activities."""
    programme = programme_service.get_programme(session=session, programme_id=id)
    return ProgrammeDetail(
        **_programme_summary(session, programme),
        description=programme.description,
        results=programme.results,
        schedule=programme.schedule,
        organiser_text=programme.organiser_text,
        partners_text=programme.partners_text,
        actors=list(programme.actors or []),
        urls=list(programme.urls or []),
        source=programme.source,
        activities=[
            _activity_read(a)
            for a in activity_service.activities_for_programme(session=session, programme_id=programme.id)
        ],
    )


def _activity_read(a: Activity) -> ActivityRead:
    return ActivityRead(
        id=a.id,
        programme_id=a.programme_id,
        title=a.title,
        start_on=iso(a.start_on, a.start_on_precision),
        end_on=iso(a.end_on, a.end_on_precision),
        direction=a.direction,
        place=a.place,
        fields=list(a.fields or []),
        participants=dict(a.participants or {}),
        public_cost=a.public_cost,
        private_cost=a.private_cost,
        official_visit=a.official_visit,
        outcomes=a.outcomes,
    )


@router.get("/activities", response_model=Listing[ActivityRead])
def list_activities(
    session: SessionDep,
    page: PaginationDep,
    field: FieldQuery = None,
    programme: ProgrammeQuery = None,
    municipality: RunByQuery = None,
) -> Listing[ActivityRead]:
    """実施記録: activities of programmes by start date and id; `field` is an exchange field code."""
    if programme is not None:
        programme_service.get_programme(session=session, programme_id=programme)  # 404 rather than []
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)
    found = activity_service.list_activities(
        session=session, field=field, programme_id=programme, municipality_id=municipality
    )
    items = [_activity_read(a) for a in found[page.offset : page.offset + page.limit]]
    return Listing(total=len(found), limit=page.limit, offset=page.offset, items=items)


@router.get("/networks", response_model=Listing[NetworkSummary])
def list_networks(
    session: SessionDep, page: PaginationDep, kind: NetworkKind | None = None
) -> Listing[NetworkSummary]:
    """Multilateral networks (summits, forums, associations), by name."""
    found = network_service.list_networks(session=session, kind=kind.value if kind else None)
    items = [NetworkSummary(**_network_summary(n)) for n in found[page.offset : page.offset + page.limit]]
    return Listing(total=len(found), limit=page.limit, offset=page.offset, items=items)


@router.get("/networks/{id}", response_model=NetworkDetail)
def get_network(session: SessionDep, id: IdPath) -> NetworkDetail:
    """A network with its members in their roles and its meetings by year and host."""
    network = network_service.get_network(session=session, network_id=id)
    secretariat = (
        party(session, network.secretariat_municipality, network.secretariat_organisation)
        if network.secretariat_municipality or network.secretariat_organisation
        else None
    )
    return NetworkDetail(
        **_network_summary(network),
        description=network.description,
        secretariat=secretariat,
        secretariat_text=network.secretariat_text,
        founded_on=iso(network.founded_on, network.founded_on_precision),
        member_count_note=network.member_count_note,
        rotation=network.rotation,
        subcommittees=list(network.subcommittees or []),
        source=network.source,
        members=[
            MembershipRead(
                party=party(session, m.municipality, m.organisation),
                role=m.role,
                joined_fy=m.joined_fy,
                notes=m.notes,
            )
            for m in network.memberships
        ],
        meetings=[
            MeetingRead(
                title=m.title,
                fiscal_year=m.fiscal_year,
                held_on=iso(m.held_on, m.held_on_precision),
                host=municipality_ref(m.host_municipality) if m.host_municipality else None,
                place=m.place,
                participating_count=m.participating_count,
                notes=m.notes,
            )
            for m in network.meetings
        ],
        programme_ids=[
            p.id for p in programme_service.list_programmes(session=session, network_id=network.id)
        ],
    )


@router.get("/awards", response_model=Listing[AwardRead])
def list_awards(
    session: SessionDep,
    page: PaginationDep,
    name: Annotated[
        str | None, Query(min_length=1, max_length=200, description="e.g. 姉妹自治体交流表彰")
    ] = None,
) -> Listing[AwardRead]:
    """Awards by fiscal year, edition and id, with recipients, partners and what the judges valued."""
    found = award_service.list_awards(session=session, name=name)
    items = [
        AwardRead(
            id=a.id,
            name=a.name,
            prize=a.prize,
            edition=a.edition,
            fiscal_year=a.fiscal_year,
            awarded_by=a.awarded_by,
            recipient=party(session, a.recipient_municipality, a.recipient_organisation),
            partners=[municipality_ref(p.municipality) for p in a.partners],
            programme_id=a.programme_id,
            citation=a.citation,
            criteria_set=a.criteria_set,
            evaluation_points=[
                EvaluationPointRead(criterion=point.get("criterion"), text=str(point.get("text", "")))
                for point in a.evaluation_points
            ],
            url=a.url,
        )
        for a in found[page.offset : page.offset + page.limit]
    ]
    return Listing(total=len(found), limit=page.limit, offset=page.offset, items=items)
