"""The partnership read model: flat rows of partnerships and of a municipality's partners, each from one
query of exactly the columns shown (no ORM object per row), for the CLI, the pages and the API alike.

The row queries run on the session's connection (Core execution): the ORM's execution path costs about
as much again as the query itself, and nothing here needs an identity map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Executable,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased

from tsunagari.common.page import Page
from tsunagari.dates import PartialDate
from tsunagari.errors import NotFound
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import NOT_CONCLUDED, PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.partnership.schemas import PartnerRow

_HOME = aliased(Municipality, name="home")
_PARTNER = aliased(Municipality, name="partner")
_HOME_ORG = aliased(Organisation, name="home_org")
_PARTNER_ORG = aliased(Organisation, name="partner_org")
_HOME_SEAT = aliased(Municipality, name="home_seat")
_PARTNER_SEAT = aliased(Municipality, name="partner_seat")
_VIA = aliased(Municipality, name="via")
_PARTNERSHIP_ORDER = (Partnership.signed_on.is_(None), Partnership.signed_on, Partnership.id)


@dataclass(frozen=True)
class _Filters:
    """The listing's filters. Conditions use bound parameters and are built once per combination of
    filters present, so a request reuses a prepared statement (building one and its cache key cost
    more than running the query)."""

    municipality_id: int | None = None
    country: str | None = None
    type_: str | None = None
    signed_from: dt.date | None = None
    signed_to: dt.date | None = None
    status: str | None = None
    municipality_ids: Collection[int] | None = None
    field: str | None = None
    """An exchange field code: partnerships whose fields include it."""

    @property
    def signature(self) -> tuple[bool, ...]:
        return (
            self.municipality_id is not None,
            bool(self.country),
            bool(self.type_),
            bool(self.signed_from),
            bool(self.signed_to),
            bool(self.status),
            self.municipality_ids is not None,
            bool(self.field),
        )

    @property
    def params(self) -> dict[str, Any]:
        return {
            "municipality_id": self.municipality_id,
            "country": self.country.upper() if self.country else None,
            "type": self.type_,
            "signed_from": self.signed_from,
            "signed_to": self.signed_to,
            "status": self.status,
            "municipality_ids": list(self.municipality_ids or ()),
            # A code within the JSON text of the list: codes are plain words, so '"youth"' is exact.
            "field": f'%"{self.field}"%' if self.field else None,
        }


@lru_cache(maxsize=256)
def _conditions(signature: tuple[bool, ...]) -> tuple[ColumnElement[bool], ...]:
    """The conditions for the filters present; a country filter needs _HOME and _PARTNER joined."""
    by_id, by_country, by_type, since, until, by_status, by_ids, by_field = signature
    conditions: list[ColumnElement[bool]] = []
    if by_ids:
        ids: BindParameter[int] = bindparam("municipality_ids", expanding=True)
        conditions.append(
            or_(Partnership.home_municipality_id.in_(ids), Partnership.partner_municipality_id.in_(ids))
        )
    if by_id:
        one = bindparam("municipality_id", type_=Integer)
        conditions.append(
            or_(Partnership.home_municipality_id == one, Partnership.partner_municipality_id == one)
        )
    if by_country:
        country = bindparam("country", type_=String)
        conditions.append(or_(_HOME.country == country, _PARTNER.country == country))
    if by_type:
        conditions.append(Partnership.type == bindparam("type", type_=String))
    if since:
        conditions.append(Partnership.signed_on >= bindparam("signed_from", type_=Date))
    if until:
        conditions.append(Partnership.signed_on <= bindparam("signed_to", type_=Date))
    if by_status:
        conditions.append(Partnership.status == bindparam("status", type_=String))
    if by_field:
        conditions.append(cast(Partnership.fields, String).like(bindparam("field", type_=String)))
    return tuple(conditions)


@lru_cache(maxsize=256)
def _total_statement(signature: tuple[bool, ...]) -> Select[Any]:
    statement = select(func.count()).select_from(Partnership)
    if signature[1]:  # by country
        statement = statement.outerjoin(_HOME, _HOME.id == Partnership.home_municipality_id).outerjoin(
            _PARTNER, _PARTNER.id == Partnership.partner_municipality_id
        )
    return statement.where(*_conditions(signature))


def _partnership_total(session: Session, filters: _Filters) -> int:
    return session.connection().scalar(_total_statement(filters.signature), filters.params) or 0


def list_partnerships(
    *,
    session: Session,
    municipality_id: int | None = None,
    country: str | None = None,
    type_: str | None = None,
    signed_from: dt.date | None = None,
    signed_to: dt.date | None = None,
    status: str | None = None,
    municipality_ids: Collection[int] | None = None,
    field: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Partnership]:
    """Partnerships filtered by either party (one, or any of several), either party's country, type,
    signing period, status and exchange field."""
    filters = _Filters(
        municipality_id, country, type_, signed_from, signed_to, status, municipality_ids, field
    )
    statement = select(Partnership)
    if country:
        statement = statement.outerjoin(_HOME, _HOME.id == Partnership.home_municipality_id).outerjoin(
            _PARTNER, _PARTNER.id == Partnership.partner_municipality_id
        )
    statement = statement.where(*_conditions(filters.signature)).order_by(*_PARTNERSHIP_ORDER)
    total = _partnership_total(session, filters)
    items = list(session.scalars(statement.limit(limit).offset(offset), filters.params).unique())
    return Page(total=total, items=items, limit=limit, offset=offset)


@dataclass(frozen=True)
class PartyRow:
    """One side of a partnership as the listing shows it; an organisation has its seat's country."""

    kind: Literal["municipality", "organisation"]
    id: int
    name: str
    name_en: str | None
    country: str | None
    region: str | None


@dataclass(frozen=True)
class MunicipalityRefRow:
    id: int
    name: str
    name_en: str | None
    kind: str
    country: str
    region: str | None


@dataclass(frozen=True)
class PartnershipRow:
    id: int
    home: PartyRow
    partner: PartyRow
    type: str
    signed_on: dt.date | None
    signed_on_precision: str | None
    status: str
    suspended_on: dt.date | None
    suspended_on_precision: str | None
    ended_on: dt.date | None
    ended_on_precision: str | None
    origin: str | None
    inherited_through_merger: bool
    via: MunicipalityRefRow | None
    criterion_signed_by_heads: bool | None
    criterion_multi_field: bool | None
    criterion_council_approved: bool | None
    fields: tuple[str, ...] = ()

    @property
    def counts_as_sister_friendship(self) -> bool:
        return bool(
            self.criterion_signed_by_heads and self.criterion_multi_field and self.criterion_council_approved
        )


def _party_columns(m: Any, org: Any, seat: Any) -> list[Any]:
    return [
        m.id,
        m.name,
        m.name_en,
        m.country,
        m.region,
        org.id,
        org.name,
        org.name_en,
        seat.country,
        seat.region,
    ]


_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _with_parties(statement: _S) -> _S:
    """Both parties of a partnership (a municipality, or an organisation with its seat) and the
    municipality it was signed through, as the aliases the row readers expect."""
    return (
        statement.outerjoin(_HOME, _HOME.id == Partnership.home_municipality_id)
        .outerjoin(_HOME_ORG, _HOME_ORG.id == Partnership.home_organisation_id)
        .outerjoin(_HOME_SEAT, _HOME_SEAT.id == _HOME_ORG.municipality_id)
        .outerjoin(_PARTNER, _PARTNER.id == Partnership.partner_municipality_id)
        .outerjoin(_PARTNER_ORG, _PARTNER_ORG.id == Partnership.partner_organisation_id)
        .outerjoin(_PARTNER_SEAT, _PARTNER_SEAT.id == _PARTNER_ORG.municipality_id)
        .outerjoin(_VIA, _VIA.id == Partnership.via_municipality_id)
    )


def _party_from(values: Sequence[Any]) -> PartyRow:
    m_id, m_name, m_name_en, m_country, m_region, o_id, o_name, o_name_en, s_country, s_region = values
    if m_id is not None:
        return PartyRow("municipality", m_id, m_name, m_name_en, m_country, m_region)
    return PartyRow("organisation", o_id, o_name, o_name_en, s_country, s_region)


# Flat rows in one query: loading ORM partnerships with four joined parties cost ~10 ms a page.
_PARTNERSHIP_ROWS = _with_parties(
    select(
        Partnership.id,
        Partnership.type,
        Partnership.signed_on,
        Partnership.signed_on_precision,
        Partnership.status,
        Partnership.suspended_on,
        Partnership.suspended_on_precision,
        Partnership.ended_on,
        Partnership.ended_on_precision,
        Partnership.origin,
        Partnership.inherited_through_merger,
        Partnership.criterion_signed_by_heads,
        Partnership.criterion_multi_field,
        Partnership.criterion_council_approved,
        _VIA.id,
        _VIA.name,
        _VIA.name_en,
        _VIA.kind,
        _VIA.country,
        _VIA.region,
        *_party_columns(_HOME, _HOME_ORG, _HOME_SEAT),
        *_party_columns(_PARTNER, _PARTNER_ORG, _PARTNER_SEAT),
        Partnership.fields,
    )
)


def _partnership_row(values: Sequence[Any]) -> PartnershipRow:
    via = MunicipalityRefRow(*values[14:20]) if values[14] is not None else None
    return PartnershipRow(
        id=values[0],
        home=_party_from(values[20:30]),
        partner=_party_from(values[30:40]),
        type=values[1],
        signed_on=values[2],
        signed_on_precision=values[3],
        status=values[4],
        suspended_on=values[5],
        suspended_on_precision=values[6],
        ended_on=values[7],
        ended_on_precision=values[8],
        origin=values[9],
        inherited_through_merger=values[10],
        via=via,
        criterion_signed_by_heads=values[11],
        criterion_multi_field=values[12],
        criterion_council_approved=values[13],
        fields=tuple(values[40] or ()),
    )


@lru_cache(maxsize=256)
def _rows_statement(signature: tuple[bool, ...]) -> Executable:
    return (
        _PARTNERSHIP_ROWS.where(*_conditions(signature))
        .order_by(*_PARTNERSHIP_ORDER)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


def partnership_rows(
    *,
    session: Session,
    municipality_id: int | None = None,
    country: str | None = None,
    type_: str | None = None,
    signed_from: dt.date | None = None,
    signed_to: dt.date | None = None,
    status: str | None = None,
    field: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[PartnershipRow]:
    """list_partnerships as flat rows (both parties, an organisation's seat, the via municipality)."""
    filters = _Filters(municipality_id, country, type_, signed_from, signed_to, status, field=field)
    statement = _rows_statement(filters.signature)
    found = session.connection().execute(statement, filters.params | {"limit": limit, "offset": offset}).all()
    items = [_partnership_row(values) for values in found]
    # When the whole result fitted on the first page, its length is the total: no second query.
    total = len(items) if offset == 0 and len(items) < limit else _partnership_total(session, filters)
    return Page(total=total, items=items, limit=limit, offset=offset)


def partnership_row(*, session: Session, partnership_id: int) -> PartnershipRow:
    values = session.connection().execute(_PARTNERSHIP_ROWS.where(Partnership.id == partnership_id)).first()
    if values is None:
        raise NotFound(f"partnership {partnership_id} does not exist")
    return _partnership_row(values)


@lru_cache(maxsize=1)
def _sources_statement() -> Select[Any]:
    return (
        select(Partnership.source)
        .where(*_conditions(_Filters(municipality_id=0).signature), Partnership.source.is_not(None))
        .order_by(*_PARTNERSHIP_ORDER)
    )


def partnership_sources(*, session: Session, municipality_id: int) -> list[str]:
    """The sources of a municipality's partnerships, each once, in the partnerships' order."""
    one = _Filters(municipality_id=municipality_id)
    return list(dict.fromkeys(session.connection().scalars(_sources_statement(), one.params)))


def partnership_count(*, session: Session, concluded_only: bool = False) -> int:
    """Every partnership, or (concluded_only) those the statistics count: not the 協議中 ones."""
    statement = select(func.count()).select_from(Partnership)
    if concluded_only:
        statement = statement.where(Partnership.status.not_in(NOT_CONCLUDED))
    return session.scalar(statement) or 0


_PARTNER_ROWS = TypeAdapter(list[PartnerRow])

# What the detail page's partner list needs, both sides (the other one is picked in Python).
_PARTNER_COLUMNS = _with_parties(
    select(
        Partnership.id,
        Partnership.type,
        Partnership.signed_on,
        Partnership.signed_on_precision,
        Partnership.status,
        Partnership.origin,
        Partnership.inherited_through_merger,
        Partnership.criterion_signed_by_heads,
        Partnership.criterion_multi_field,
        Partnership.criterion_council_approved,
        _VIA.name,
        Partnership.home_municipality_id,
        *_party_columns(_HOME, _HOME_ORG, _HOME_SEAT),
        *_party_columns(_PARTNER, _PARTNER_ORG, _PARTNER_SEAT),
    )
)


_PARTNERS_OF = _PARTNER_COLUMNS.where(*_conditions(_Filters(municipality_id=0).signature)).order_by(
    *_PARTNERSHIP_ORDER
)


def partner_rows(
    *, session: Session, municipality: Municipality | Row[Any], today: dt.date | None = None
) -> list[PartnerRow]:
    """Everyone `municipality` has a partnership with, seen from its side: the partnership service's
    partner_rows from one flat query (loading each partnership with its parties cost ~5 ms for 70)."""
    today = today or dt.date.today()
    rows: list[dict[str, Any]] = []
    found: Sequence[Sequence[Any]] = (
        session.connection().execute(_PARTNERS_OF, {"municipality_id": municipality.id}).all()
    )
    for values in found:
        pid, type_, signed_on, precision, status, origin, inherited, heads, fields, council, via = values[:11]
        other = _party_from(values[22:32] if values[11] == municipality.id else values[12:22])
        label_ja, label_en = PARTNERSHIP_TYPE_LABELS[type_]
        signed = PartialDate.from_parts(signed_on, precision)
        rows.append(
            {
                "name": other.name,
                "name_en": other.name_en,
                "country": other.country,
                "region": other.region,
                "type": type_,
                "type_label": label_ja,
                "type_label_en": label_en,
                "signed_on": signed.iso() if signed else None,
                "precision": signed.precision if signed else None,
                "signed_on_wareki": signed.wareki() if signed else None,
                "status": status,
                "domestic": other.country == municipality.country,
                "partnership_id": pid,
                "partner_id": other.id,
                "partner_kind": other.kind,
                "origin": origin,
                "inherited_through_merger": inherited,
                "via": via,
                "counts_as_sister_friendship": bool(heads and fields and council),
                "years_since_signing": _years_between(signed.value, today) if signed else None,
            }
        )
    # One validation of the whole list (in pydantic-core) rather than one model call per row.
    return _PARTNER_ROWS.validate_python(rows)


def _years_between(start: dt.date, today: dt.date) -> int:
    years = today.year - start.year
    if (today.month, today.day) < (start.month, start.day):
        years -= 1
    return years


# A line needs both ends placed; a tie under negotiation is no line yet.
_ON_THE_MAP = (
    _HOME.lat.is_not(None),
    _HOME.lng.is_not(None),
    _PARTNER.lat.is_not(None),
    _PARTNER.lng.is_not(None),
    Partnership.status.not_in(NOT_CONCLUDED),
)


def partnerships_for_map(
    *,
    session: Session,
    municipality_id: int | None = None,
    municipality_ids: Collection[int] | None = None,
    country: str | None = None,
    type_: str | None = None,
) -> Sequence[dict[str, object]]:
    """Line segments for the map: both parties' coordinates, names and the type.

    Columns only: the whole registry's map is tens of thousands of lines, and loading them as
    partnerships with their parties took seconds and hundreds of MB.
    """
    statement = (
        select(
            Partnership.id,
            Partnership.type,
            _HOME.id,
            _HOME.name,
            _HOME.lat,
            _HOME.lng,
            _PARTNER.id,
            _PARTNER.name,
            _PARTNER.lat,
            _PARTNER.lng,
        )
        .join(_HOME, _HOME.id == Partnership.home_municipality_id)
        .join(_PARTNER, _PARTNER.id == Partnership.partner_municipality_id)
        .where(*_ON_THE_MAP)
        .order_by(*_PARTNERSHIP_ORDER)
    )
    filters = _Filters(
        municipality_id=municipality_id, country=country, type_=type_, municipality_ids=municipality_ids
    )
    statement = statement.where(*_conditions(filters.signature))
    lines = session.connection().execute(statement, filters.params)
    return [
        {
            "id": pid,
            "type": kind,
            "from": {"id": a_id, "name": a_name, "lat": a_lat, "lng": a_lng},
            "to": {"id": b_id, "name": b_name, "lat": b_lat, "lng": b_lng},
        }
        for pid, kind, a_id, a_name, a_lat, a_lng, b_id, b_name, b_lat, b_lng in lines
    ]


def map_line_count(*, session: Session, country: str | None = None, type_: str | None = None) -> int:
    """How many lines partnerships_for_map gives for these filters, counted in the database."""
    filters = _Filters(country=country, type_=type_)
    statement = (
        select(func.count())
        .select_from(Partnership)
        .join(_HOME, _HOME.id == Partnership.home_municipality_id)
        .join(_PARTNER, _PARTNER.id == Partnership.partner_municipality_id)
        .where(*_ON_THE_MAP, *_conditions(filters.signature))
    )
    return session.connection().scalar(statement, filters.params) or 0
