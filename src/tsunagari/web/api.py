"""JSON API under /api/v1: thin read-only endpoints over the portal and the domain services.

Contacts are personal data and never appear here: every response is built field by field below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tsunagari.config import get_settings
from tsunagari.dates import PartialDate, parse_date
from tsunagari.db import get_engine
from tsunagari.errors import InvalidInput
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import (
    FIELD_CODES,
    FORMAT_LABELS,
    Network,
    NetworkKind,
    Programme,
    ProgrammeFormat,
    ProgrammePartner,
)
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import KIND_LABELS_JA, Municipality, MunicipalityKind
from tsunagari.municipality.schemas import MunicipalitySummary
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import (
    PARTNERSHIP_TYPE_LABELS,
    STATUS_LABELS,
    PartnershipStatus,
    PartnershipType,
)
from tsunagari.partnership.schemas import PartnerRow
from tsunagari.portal import service as portal_service
from tsunagari.web.deps import MAX_ID, Pagination, PaginationDep, SessionDep
from tsunagari.web.response_cache import CachedResponse, DataVersion, ResponseCache, data_version

CACHE_CONTROL = "public, max-age=60"


class PublicCachedRoute(APIRoute):
    """Public GETs carry an ETag (a hash of the body) so clients and proxies can revalidate cheaply,
    and are served from the process's response cache while the data version is unchanged
    (web.response_cache). Nothing here depends on who asks: the public API shows everyone the same."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def cached(request: Request) -> Response:
            if request.method != "GET":
                return await handler(request)
            cache = _response_cache(request)
            key: tuple[str, str, str] | None = None
            version: DataVersion = (0, 0)
            if cache.enabled:
                engine = get_engine()
                key = (str(engine.url), request.url.path, request.url.query)
                # Never on the event loop: the lookup waits for a pooled connection, and the
                # connections may be held by requests that need the loop to finish.
                version = await run_in_threadpool(data_version, engine)
                if (entry := cache.get(key, version)) is not None:
                    return _revalidated(request, entry.body, entry.headers, entry.etag)
            response = await handler(request)
            body = getattr(response, "body", None)
            if response.status_code != 200 or not isinstance(body, bytes):
                return response
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            headers = {name: value for name, value in response.headers.items() if name != "content-length"}
            if key is not None:
                cache.put(key, CachedResponse(version, body, headers, etag))
            return _revalidated(request, body, headers, etag)

        return cached


def _response_cache(request: Request) -> ResponseCache:
    """The app's cache, made on first use from the settings (one per app, so tests' apps share none)."""
    state = request.app.state
    cache: ResponseCache | None = getattr(state, "response_cache", None)
    if cache is None:
        settings = get_settings()
        cache = ResponseCache(settings.response_cache_entries, settings.response_cache_mb * 1024 * 1024)
        state.response_cache = cache
    return cache


def _revalidated(request: Request, body: bytes, headers: dict[str, str], etag: str) -> Response:
    """The body with its ETag, or 304 when the client already has it."""
    caching = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=caching)
    return Response(body, headers={**headers, **caching})


def _matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses weak comparison (RFC 9110 13.1.2): W/"x" matches "x"."""
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


router = APIRouter(prefix="/api/v1", tags=["api"], route_class=PublicCachedRoute)

# ---------------------------------------------------------------------------------------- shapes
# The API's own response shapes: they decide field by field what is public.

ItemT = TypeVar("ItemT")


class Listing(BaseModel, Generic[ItemT]):
    """Every list: the full count, the page asked for, and its items in a stable order."""

    total: int
    limit: int
    offset: int
    items: list[ItemT]


class MunicipalityRef(BaseModel):
    id: int
    name: str
    name_en: str | None
    kind: str
    country: str
    region: str | None


class FormerMunicipality(MunicipalityRef):
    merged_on: str | None = Field(description='"2004-11-01", "2004-11" or "2004"')
    merged_on_precision: str | None


class MunicipalityDetail(MunicipalitySummary):
    kind_label: str = Field(description="Japanese label of the kind")
    local_name: str | None
    region_code: str | None = Field(description="ISO 3166-2 where known")
    population: int | None
    population_as_of: str | None = Field(description="as-of date written to its precision")
    population_as_of_precision: str | None
    population_source: str | None
    area_km2: float | None
    area_as_of: str | None
    area_as_of_precision: str | None
    area_source: str | None
    overview_ja: str | None
    overview_en: str | None
    website: str | None
    merged_into: MunicipalityRef | None = Field(description="what it was merged into, when merged")
    merged_on: str | None
    merged_on_precision: str | None
    predecessors: list[FormerMunicipality] = Field(description="former municipalities merged into it")
    partners: list[PartnerRow]


class Party(BaseModel):
    kind: Literal["municipality", "organisation"]
    id: int
    name: str
    name_en: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2; an organisation's is its seat's")
    region: str | None


class Criteria(BaseModel):
    """CLAIR's three counting criteria; null when not known."""

    signed_by_heads: bool | None
    multi_field: bool | None
    council_approved: bool | None


class PartnershipRead(BaseModel):
    id: int
    home: Party
    partner: Party
    type: PartnershipType
    type_label: str = Field(description="Japanese label of the type")
    type_label_en: str
    signed_on: str | None = Field(description='"1992-04-21", "1992-04" or "1992"')
    precision: str | None
    signed_on_wareki: str | None
    status: PartnershipStatus
    status_label: str
    suspended_on: str | None
    ended_on: str | None
    origin: str | None = Field(description="契機: how the relationship began")
    inherited_through_merger: bool
    via: MunicipalityRef | None = Field(description="the former municipality that concluded it")
    counts_as_sister_friendship: bool
    criteria: Criteria


class StatRowRead(BaseModel):
    key: str
    label: str
    label_en: str
    count: int


class Statistics(BaseModel):
    group_by: portal_service.GroupBy
    total: int = Field(
        description="partnerships counted; by prefecture one between two prefectures counts in both"
    )
    items: list[StatRowRead]


class AnniversaryRead(BaseModel):
    partnership_id: int
    municipality: str
    municipality_id: int | None
    partner: str
    partner_id: int | None
    type: str
    type_label: str
    signed_on: str
    years: int


class MapEnd(BaseModel):
    id: int
    name: str
    lat: float
    lng: float


class MapLine(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    type: str
    from_: MapEnd = Field(alias="from")
    to: MapEnd


# --------------------------------------------------------------------------------- conversions


def _json(model: BaseModel) -> Response:
    """The body serialised once by pydantic. Returning a Response skips FastAPI's second validation of
    the response model, which for a sync endpoint also costs another thread-pool hop; `response_model`
    still documents the shape in OpenAPI, and the model was validated when it was built."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def _iso(value: dt.date | None, precision: str | None) -> str | None:
    """A stored date written to its precision: 2004-11-01, 2004-11 or 2004."""
    partial = PartialDate.from_parts(value, precision)
    return partial.iso() if partial else None


def _precision(value: dt.date | None, precision: str | None) -> str | None:
    partial = PartialDate.from_parts(value, precision)
    return partial.precision if partial else None


def _ref(municipality: Municipality | Row[Any]) -> MunicipalityRef:
    return MunicipalityRef(
        id=municipality.id,
        name=municipality.name,
        name_en=municipality.name_en,
        kind=municipality.kind,
        country=municipality.country,
        region=municipality.region,
    )


def _summary(municipality: Municipality | Row[Any]) -> MunicipalitySummary:
    return MunicipalitySummary.model_validate(municipality)


def _party(session: Session, municipality: Municipality | None, organisation: Organisation | None) -> Party:
    if municipality is not None:
        return Party(kind="municipality", **_ref(municipality).model_dump(exclude={"kind"}))
    assert organisation is not None  # a check constraint guarantees one of the two
    seat = (
        municipality_service.get(session=session, municipality_id=organisation.municipality_id)
        if organisation.municipality_id
        else None
    )
    return Party(
        kind="organisation",
        id=organisation.id,
        name=organisation.name,
        name_en=organisation.name_en,
        country=seat.country if seat else None,
        region=seat.region if seat else None,
    )


def _party_fields(party: portal_service.PartyRow) -> dict[str, Any]:
    return {
        "kind": party.kind,
        "id": party.id,
        "name": party.name,
        "name_en": party.name_en,
        "country": party.country,
        "region": party.region,
    }


def _partnership(partnership: portal_service.PartnershipRow) -> dict[str, Any]:
    """A PartnershipRead as plain data: a page of them is validated in one pydantic-core call, which
    costs a fraction of building the nested models one by one."""
    signed = PartialDate.from_parts(partnership.signed_on, partnership.signed_on_precision)
    label_ja, label_en = PARTNERSHIP_TYPE_LABELS[partnership.type]
    via = partnership.via
    return {
        "id": partnership.id,
        "home": _party_fields(partnership.home),
        "partner": _party_fields(partnership.partner),
        "type": partnership.type,
        "type_label": label_ja,
        "type_label_en": label_en,
        "signed_on": signed.iso() if signed else None,
        "precision": signed.precision if signed else None,
        "signed_on_wareki": signed.wareki() if signed else None,
        "status": partnership.status,
        "status_label": STATUS_LABELS[partnership.status][0],
        "suspended_on": _iso(partnership.suspended_on, partnership.suspended_on_precision),
        "ended_on": _iso(partnership.ended_on, partnership.ended_on_precision),
        "origin": partnership.origin,
        "inherited_through_merger": partnership.inherited_through_merger,
        "via": (
            {
                "id": via.id,
                "name": via.name,
                "name_en": via.name_en,
                "kind": via.kind,
                "country": via.country,
                "region": via.region,
            }
            if via
            else None
        ),
        "counts_as_sister_friendship": partnership.counts_as_sister_friendship,
        "criteria": {
            "signed_by_heads": partnership.criterion_signed_by_heads,
            "multi_field": partnership.criterion_multi_field,
            "council_approved": partnership.criterion_council_approved,
        },
    }


def _period_bound(text: str | None, field: str, *, end: bool) -> dt.date | None:
    """A date, month or year; as an upper bound it stands for the period's last day (1992 → 1992-12-31)."""
    if text is None:
        return None
    partial = parse_date(text, field=field)
    return partial.last_day if end else partial.value


# ----------------------------------------------------------------------------------- parameters

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
CountryQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 (either party's, for partnerships)"),
]
MunicipalityQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="a municipality id: its partnerships only")
]
SearchText = Annotated[str, Query(min_length=1, max_length=200, description="text in any script")]


# ------------------------------------------------------------------------------------ endpoints


@router.get("/municipalities", response_model=Listing[MunicipalitySummary])
def list_municipalities(
    session: SessionDep,
    page: PaginationDep,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="name or profile text")] = None,
    country: CountryQuery = None,
    prefecture: Annotated[
        str | None, Query(max_length=200, description="都道府県 name or ISO 3166-2 code")
    ] = None,
    kind: MunicipalityKind | None = None,
) -> Response:
    """自治体: municipalities with partnerships first, then by country, code and id."""
    found = portal_service.search_municipalities(
        session=session,
        q=q,
        country=country,
        prefecture=prefecture,
        kind=kind.value if kind else None,
        limit=page.limit,
        offset=page.offset,
    )
    return _json(
        Listing[MunicipalitySummary](
            total=found.total, limit=page.limit, offset=page.offset, items=[_summary(m) for m in found.items]
        )
    )


@router.get("/municipalities/{id}", response_model=MunicipalityDetail)
def get_municipality(session: SessionDep, id: IdPath) -> Response:
    """A municipality's profile, merger history and partners."""
    municipality = portal_service.municipality_record(session=session, municipality_id=id)
    predecessors = portal_service.former_municipalities(session=session, municipality_id=id)
    merged_into = (
        portal_service.municipality_record(session=session, municipality_id=municipality.merged_into_id)
        if municipality.merged_into_id
        else None
    )
    detail = MunicipalityDetail(
        **_summary(municipality).model_dump(),
        kind_label=KIND_LABELS_JA.get(municipality.kind, municipality.kind),
        local_name=municipality.local_name,
        region_code=municipality.region_code,
        population=municipality.population,
        population_as_of=_iso(municipality.population_as_of, municipality.population_as_of_precision),
        population_as_of_precision=_precision(
            municipality.population_as_of, municipality.population_as_of_precision
        ),
        population_source=municipality.population_source,
        area_km2=municipality.area_km2,
        area_as_of=_iso(municipality.area_as_of, municipality.area_as_of_precision),
        area_as_of_precision=_precision(municipality.area_as_of, municipality.area_as_of_precision),
        area_source=municipality.area_source,
        overview_ja=municipality.overview_ja,
        overview_en=municipality.overview_en,
        website=municipality.website,
        merged_into=_ref(merged_into) if merged_into else None,
        merged_on=_iso(municipality.merged_on, municipality.merged_on_precision),
        merged_on_precision=_precision(municipality.merged_on, municipality.merged_on_precision),
        predecessors=[
            FormerMunicipality(
                **_ref(former).model_dump(),
                merged_on=_iso(former.merged_on, former.merged_on_precision),
                merged_on_precision=_precision(former.merged_on, former.merged_on_precision),
            )
            for former in predecessors
        ],
        partners=portal_service.partner_rows(session=session, municipality=municipality),
    )
    return _json(detail)


@router.get("/partnerships", response_model=Listing[PartnershipRead])
def list_partnerships(
    session: SessionDep,
    page: PaginationDep,
    municipality: MunicipalityQuery = None,
    country: CountryQuery = None,
    type_: Annotated[PartnershipType | None, Query(alias="type")] = None,
    signed_from: Annotated[
        str | None, Query(max_length=40, description="1992-04-21, 1992-04 or 1992 (also 和暦)")
    ] = None,
    signed_to: Annotated[
        str | None, Query(max_length=40, description="inclusive: 1992 means up to 1992-12-31")
    ] = None,
    status: PartnershipStatus | None = None,
) -> Response:
    """提携: partnerships, undated ones last, otherwise by signing date and id."""
    start = _period_bound(signed_from, "signed_from", end=False)
    stop = _period_bound(signed_to, "signed_to", end=True)
    if start and stop and start > stop:
        raise InvalidInput("signed_to is before signed_from", field="signed_to", value=signed_to)
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)  # 404 rather than []
    found = portal_service.partnership_rows(
        session=session,
        municipality_id=municipality,
        country=country,
        type_=type_.value if type_ else None,
        signed_from=start,
        signed_to=stop,
        status=status.value if status else None,
        limit=page.limit,
        offset=page.offset,
    )
    listing = {
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
        "items": [_partnership(p) for p in found.items],
    }
    return _json(Listing[PartnershipRead].model_validate(listing))


@router.get("/partnerships/{id}", response_model=PartnershipRead)
def get_partnership(session: SessionDep, id: IdPath) -> Response:
    row = portal_service.partnership_row(session=session, partnership_id=id)
    return _json(PartnershipRead.model_validate(_partnership(row)))


@router.get("/search", response_model=Listing[MunicipalitySummary])
def search(session: SessionDep, page: PaginationDep, q: SearchText) -> Response:
    """Municipalities whose names (any script) or profile texts contain q (花火, 温泉, Brasov)."""
    found = portal_service.search_municipalities(session=session, q=q, limit=page.limit, offset=page.offset)
    return _json(
        Listing[MunicipalitySummary](
            total=found.total, limit=page.limit, offset=page.offset, items=[_summary(m) for m in found.items]
        )
    )


@router.get("/stats", response_model=Statistics)
def statistics(session: SessionDep, group_by: portal_service.GroupBy = "country") -> Response:
    """Partnerships counted by the foreign party's country, the Japanese party's prefecture, type or
    decade.
    """
    rows = portal_service.statistics(session=session, group_by=group_by)
    total = portal_service.partnership_count(session=session)
    return _json(
        Statistics(
            group_by=group_by,
            total=total,
            items=[StatRowRead(key=r.key, label=r.label, label_en=r.label_en, count=r.count) for r in rows],
        )
    )


@router.get("/anniversaries", response_model=Listing[AnniversaryRead])
def anniversaries(
    session: SessionDep,
    page: PaginationDep,
    year: Annotated[int, Query(description="the year of the commemoration")],
) -> Response:
    """締結何周年: partnerships reaching 10, 15, 20 … years in `year`, longest first."""
    found = portal_service.anniversaries(session=session, year=year)
    items = [
        AnniversaryRead(
            partnership_id=a.partnership_id,
            municipality=a.municipality,
            municipality_id=a.municipality_id,
            partner=a.partner,
            partner_id=a.partner_id,
            type=a.type,
            type_label=PARTNERSHIP_TYPE_LABELS[a.type][0],
            signed_on=a.signed_on,
            years=a.years,
        )
        for a in found[page.offset : page.offset + page.limit]
    ]
    return _json(
        Listing[AnniversaryRead](total=len(found), limit=page.limit, offset=page.offset, items=items)
    )


_MAP_LINES = TypeAdapter(list[MapLine])


@router.get("/map", response_model=Listing[MapLine])
def map_lines(session: SessionDep, municipality: MunicipalityQuery = None) -> Response:
    """Line segments for the map, all in one response (the map draws every one); parties without
    coordinates are left out.
    """
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)
    lines = _MAP_LINES.validate_python(
        portal_service.partnerships_for_map(session=session, municipality_id=municipality)
    )
    return _json(Listing[MapLine](total=len(lines), limit=len(lines), offset=0, items=lines))


# ------------------------------------------------------------------------ exchange: shapes
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
    title: str
    start_on: str | None
    end_on: str | None
    direction: str | None
    place: str | None
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


# ------------------------------------------------------------------------ exchange: conversions
def _fiscal_years(programme: Programme) -> FiscalYearsRead:
    years = exchange_service.fiscal_years(programme)
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
        party=_party(session, partner.municipality, partner.organisation) if resolved else None,
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
        "started_on": _iso(programme.started_on, programme.started_on_precision),
        "owners": [_party(session, o.municipality, o.organisation) for o in programme.owners],
        "partners": [_programme_partner(session, p) for p in programme.partners],
        "is_case": exchange_service.is_case_record(programme),
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


# ------------------------------------------------------------------------ exchange: parameters
FieldQuery = Annotated[
    str | None, Query(pattern=f"^({'|'.join(FIELD_CODES)})$", description="a field code, e.g. environment")
]
FiscalYearQuery = Annotated[
    int | None, Query(ge=1868, le=2200, description="年度 the stated schedule includes, e.g. 2010")
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
    found = exchange_service.search_programmes(
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


# ------------------------------------------------------------------------ exchange: endpoints
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
    programme = exchange_service.get_programme(session=session, programme_id=id)
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
            ActivityRead(
                id=a.id,
                title=a.title,
                start_on=_iso(a.start_on, a.start_on_precision),
                end_on=_iso(a.end_on, a.end_on_precision),
                direction=a.direction,
                place=a.place,
                participants=dict(a.participants or {}),
                public_cost=a.public_cost,
                private_cost=a.private_cost,
                official_visit=a.official_visit,
                outcomes=a.outcomes,
            )
            for a in exchange_service.activities_for_programme(session=session, programme_id=programme.id)
        ],
    )


@router.get("/networks", response_model=Listing[NetworkSummary])
def list_networks(
    session: SessionDep, page: PaginationDep, kind: NetworkKind | None = None
) -> Listing[NetworkSummary]:
    """Multilateral networks (summits, forums, associations), by name."""
    found = exchange_service.list_networks(session=session, kind=kind.value if kind else None)
    items = [NetworkSummary(**_network_summary(n)) for n in found[page.offset : page.offset + page.limit]]
    return Listing(total=len(found), limit=page.limit, offset=page.offset, items=items)


@router.get("/networks/{id}", response_model=NetworkDetail)
def get_network(session: SessionDep, id: IdPath) -> NetworkDetail:
    """A network with its members in their roles and its meetings by year and host."""
    network = exchange_service.get_network(session=session, network_id=id)
    secretariat = (
        _party(session, network.secretariat_municipality, network.secretariat_organisation)
        if network.secretariat_municipality or network.secretariat_organisation
        else None
    )
    return NetworkDetail(
        **_network_summary(network),
        description=network.description,
        secretariat=secretariat,
        secretariat_text=network.secretariat_text,
        founded_on=_iso(network.founded_on, network.founded_on_precision),
        member_count_note=network.member_count_note,
        rotation=network.rotation,
        subcommittees=list(network.subcommittees or []),
        source=network.source,
        members=[
            MembershipRead(
                party=_party(session, m.municipality, m.organisation),
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
                held_on=_iso(m.held_on, m.held_on_precision),
                host=_ref(m.host_municipality) if m.host_municipality else None,
                place=m.place,
                participating_count=m.participating_count,
                notes=m.notes,
            )
            for m in network.meetings
        ],
        programme_ids=[
            p.id for p in exchange_service.list_programmes(session=session, network_id=network.id)
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
    found = exchange_service.list_awards(session=session, name=name)
    items = [
        AwardRead(
            id=a.id,
            name=a.name,
            prize=a.prize,
            edition=a.edition,
            fiscal_year=a.fiscal_year,
            awarded_by=a.awarded_by,
            recipient=_party(session, a.recipient_municipality, a.recipient_organisation),
            partners=[_ref(p.municipality) for p in a.partners],
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
