"""Public JSON endpoints of the portal's cross-domain views (search, statistics, anniversaries, map),
thin over the portal's read service (no SQL here)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy.orm import Session

from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.api import summary
from tsunagari.municipality.schemas import MunicipalitySummary
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, PartnershipType
from tsunagari.portal import service as portal_service
from tsunagari.web.deps import PaginationDep, SessionDep
from tsunagari.web.download_store import kept_download
from tsunagari.web.public_api import (
    CountryQuery,
    Listing,
    MunicipalityQuery,
    SearchText,
    json_response,
    public_router,
)

router = public_router()


# ---------------------------------------------------------------------------------------- shapes
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


# ------------------------------------------------------------------------------------ endpoints
@router.get("/search", response_model=Listing[MunicipalitySummary])
def search(session: SessionDep, page: PaginationDep, q: SearchText) -> Response:
    """Municipalities whose names (any script) or profile texts contain q (花火, 温泉, Brasov)."""
    found = portal_service.search_municipalities(session=session, q=q, limit=page.limit, offset=page.offset)
    return json_response(
        Listing[MunicipalitySummary](
            total=found.total, limit=page.limit, offset=page.offset, items=[summary(m) for m in found.items]
        )
    )


@router.get("/stats", response_model=Statistics)
def statistics(session: SessionDep, group_by: portal_service.GroupBy = "country") -> Response:
    """Partnerships counted by the foreign party's country, the Japanese party's prefecture, type,
    decade or exchange field (one with several fields counts in each).
    """
    rows = portal_service.statistics(session=session, group_by=group_by)
    total = partnership_rows.partnership_count(session=session, concluded_only=True)
    return json_response(
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
    return json_response(
        Listing[AnniversaryRead](total=len(found), limit=page.limit, offset=page.offset, items=items)
    )


_MAP_LINES = TypeAdapter(list[MapLine])


@router.get("/map", response_model=Listing[MapLine])
def map_lines(
    request: Request,
    session: SessionDep,
    municipality: MunicipalityQuery = None,
    country: CountryQuery = None,
    type_: Annotated[PartnershipType | None, Query(alias="type")] = None,
    prefecture: Annotated[
        str | None,
        Query(max_length=200, description="都道府県 name or ISO 3166-2 code: its municipalities' lines"),
    ] = None,
) -> Response:
    """Line segments for the maps, all in one response (the map draws every one); parties without
    coordinates are left out. The portal's pages fetch their map from here rather than carry it:
    the whole registry's map is megabytes. Filters combine: either party's country, the type, one
    municipality or a prefecture's municipalities. The unfiltered map (the home page's) is kept as a
    file per data version, like the bulk downloads: it is too large for the response cache.
    """
    if municipality is None and country is None and type_ is None and prefecture is None:
        return kept_download(request, session, "api/v1/map", lambda: _lines(session=session))
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)
    members: list[int] | None = None
    if prefecture is not None:
        found = portal_service.search_municipalities(
            session=session, country="JP", prefecture=prefecture, limit=10_000
        )
        if not found.total:
            raise RequestValidationError(
                [
                    {
                        "type": "unknown_prefecture",
                        "loc": ("query", "prefecture"),
                        "msg": f"no prefecture {prefecture}: write its name (東京都) or code (JP-13)",
                        "input": prefecture,
                    }
                ]
            )
        members = [m.id for m in found.items]
    return _lines(
        session=session,
        municipality_id=municipality,
        municipality_ids=members,
        country=country,
        type_=type_.value if type_ else None,
    )


def _lines(
    *,
    session: Session,
    municipality_id: int | None = None,
    municipality_ids: list[int] | None = None,
    country: str | None = None,
    type_: str | None = None,
) -> Response:
    lines = _MAP_LINES.validate_python(
        partnership_rows.partnerships_for_map(
            session=session,
            municipality_id=municipality_id,
            municipality_ids=municipality_ids,
            country=country,
            type_=type_,
        )
    )
    return json_response(Listing[MapLine](total=len(lines), limit=len(lines), offset=0, items=lines))
