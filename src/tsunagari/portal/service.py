"""Read-only queries behind the public portal and the JSON API (never contacts: they are not public)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Executable,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    or_,
    select,
    table,
    union,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased

from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, fold
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.partnership.schemas import PartnerRow
from tsunagari.reference.models import Country

GroupBy = Literal["country", "prefecture", "type", "decade"]
ANNIVERSARY_STEP = 5
FIRST_ANNIVERSARY = 10


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    total: int
    items: list[T]
    limit: int
    offset: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Two-character slices of every name key, kept by database triggers (migration 0007); a lightweight
# table clause because only the search reads it and only the triggers write it.
_NAME_GRAM = table("municipality_name_gram", column("gram", String), column("municipality_id", Integer))
GRAM_LENGTH = 2
GRAMS_USED = 3
"""The rarest slices of the search text that narrow the candidates; every name is still checked."""


def _name_match(session: Session, key: str) -> Select[Any] | None:
    """Ids of municipalities with a (non-skeleton) name key containing `key`; None when none can.

    Candidates come from the slice index: a key containing `key` contains each of its slices. The
    real substring test then runs on the candidates' names only, so recall is that of a full scan.
    """
    contains = and_(
        MunicipalityName.key.like(f"%{_escape_like(key)}%", escape="\\"),
        ~MunicipalityName.key.startswith(SKELETON_PREFIX),
    )
    grams = sorted({key[i : i + GRAM_LENGTH] for i in range(len(key) - GRAM_LENGTH + 1)})
    if not grams:  # one character: no slice to look up, scan the names
        return select(MunicipalityName.municipality_id).where(contains)
    counts: dict[str, int] = dict(
        session.execute(
            select(_NAME_GRAM.c.gram, func.count())
            .where(_NAME_GRAM.c.gram.in_(grams))
            .group_by(_NAME_GRAM.c.gram)
        ).all()
    )
    if len(counts) < len(grams):
        return None  # a slice no name has: no name contains the text
    rarest, *others = sorted(grams, key=lambda gram: (counts[gram], gram))[:GRAMS_USED]
    candidates = select(_NAME_GRAM.c.municipality_id).where(_NAME_GRAM.c.gram == rarest)
    for gram in others:
        also = _NAME_GRAM.alias()
        candidates = candidates.where(
            exists().where(also.c.gram == gram, also.c.municipality_id == _NAME_GRAM.c.municipality_id)
        )
    return select(MunicipalityName.municipality_id).where(
        MunicipalityName.municipality_id.in_(candidates), contains
    )


def _search_condition(session: Session, q: str) -> ColumnElement[bool]:
    """Names in any script (through their folded keys) and the profile texts, as substrings.

    Substring matching keeps full recall for one- and two-character Japanese words (花火, 温泉),
    which word-based full-text indexes would miss.
    """
    folded = fold(q)
    if not folded:
        raise InvalidInput("the search text is empty", field="q", value=q)
    raw = f"%{_escape_like(q.strip())}%"
    # The same condition as the partial index ix_municipality_with_overview, so only profiles are read.
    with_overview = or_(Municipality.overview_ja.is_not(None), Municipality.overview_en.is_not(None))
    overview_match = select(Municipality.id).where(
        with_overview,
        or_(
            Municipality.overview_ja.like(raw, escape="\\"), Municipality.overview_en.ilike(raw, escape="\\")
        ),
    )
    name_match = _name_match(session, folded)
    if name_match is None:
        return Municipality.id.in_(overview_match)
    return Municipality.id.in_(union(name_match, overview_match))


def _has_no_partnership() -> ColumnElement[bool]:
    return ~or_(
        exists().where(Partnership.home_municipality_id == Municipality.id),
        exists().where(Partnership.partner_municipality_id == Municipality.id),
    )


def search_municipalities(
    *,
    session: Session,
    q: str | None = None,
    country: str | None = None,
    prefecture: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Municipality]:
    """Municipalities filtered by text, country, prefecture and kind.

    Order: those with partnerships first (what people look for), then by country, code and id,
    so pages are stable.
    """
    conditions: list[ColumnElement[bool]] = []
    if q:
        conditions.append(_search_condition(session, q))
    if country:
        conditions.append(Municipality.country == country.upper())
    if prefecture:
        conditions.append(or_(Municipality.region == prefecture, Municipality.region_code == prefecture))
    if kind:
        conditions.append(Municipality.kind == kind)
    # The total rides along as a window count, so the matching runs once rather than twice.
    statement = (
        select(Municipality, func.count().over().label("total"))
        .where(*conditions)
        .order_by(_has_no_partnership(), Municipality.country != "JP", Municipality.jis_code, Municipality.id)
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(statement).all()
    if rows:
        total = int(rows[0].total)
    elif offset:
        total = session.scalar(select(func.count()).select_from(Municipality).where(*conditions)) or 0
    else:
        total = 0
    return Page(total=total, items=[row[0] for row in rows], limit=limit, offset=offset)


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
        }


@lru_cache(maxsize=256)
def _conditions(signature: tuple[bool, ...]) -> tuple[ColumnElement[bool], ...]:
    """The conditions for the filters present; a country filter needs _HOME and _PARTNER joined."""
    by_id, by_country, by_type, since, until, by_status, by_ids = signature
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
    return session.scalar(_total_statement(filters.signature), filters.params) or 0


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
    limit: int = 50,
    offset: int = 0,
) -> Page[Partnership]:
    """Partnerships filtered by either party (one, or any of several), either party's country, type,
    signing period and status."""
    filters = _Filters(municipality_id, country, type_, signed_from, signed_to, status, municipality_ids)
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
    limit: int = 50,
    offset: int = 0,
) -> Page[PartnershipRow]:
    """list_partnerships as flat rows (both parties, an organisation's seat, the via municipality)."""
    filters = _Filters(municipality_id, country, type_, signed_from, signed_to, status)
    statement = _rows_statement(filters.signature)
    found = session.execute(statement, filters.params | {"limit": limit, "offset": offset}).all()
    items = [_partnership_row(values) for values in found]
    # When the whole result fitted on the first page, its length is the total: no second query.
    total = len(items) if offset == 0 and len(items) < limit else _partnership_total(session, filters)
    return Page(total=total, items=items, limit=limit, offset=offset)


def partnership_row(*, session: Session, partnership_id: int) -> PartnershipRow:
    values = session.execute(_PARTNERSHIP_ROWS.where(Partnership.id == partnership_id)).first()
    if values is None:
        raise NotFound(f"partnership {partnership_id} does not exist")
    return _partnership_row(values)


def partnership_count(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Partnership)) or 0


_MUNICIPALITY = Municipality.__table__
# Rows rather than ORM objects: the detail page only reads them, and a loaded object costs twice as much.
_MUNICIPALITY_BY_ID = select(_MUNICIPALITY).where(_MUNICIPALITY.c.id == bindparam("id", type_=Integer))
_FORMER_MUNICIPALITIES = (
    select(_MUNICIPALITY)
    .where(_MUNICIPALITY.c.merged_into_id == bindparam("id", type_=Integer))
    .order_by(_MUNICIPALITY.c.merged_on, _MUNICIPALITY.c.id)
)


def municipality_record(*, session: Session, municipality_id: int) -> Row[Any]:
    """A municipality's columns as a row (attribute access like the model's); NotFound if absent."""
    found = session.execute(_MUNICIPALITY_BY_ID, {"id": municipality_id}).first()
    if found is None:
        raise NotFound(f"municipality {municipality_id} does not exist")
    return found


def former_municipalities(*, session: Session, municipality_id: int) -> list[Row[Any]]:
    """Former municipalities merged into this one (旧利賀村 for 南砺市), by merger date."""
    return list(session.execute(_FORMER_MUNICIPALITIES, {"id": municipality_id}).all())


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
    found: Sequence[Sequence[Any]] = session.execute(_PARTNERS_OF, {"municipality_id": municipality.id}).all()
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


@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    label_en: str
    count: int


def _party_sides() -> Select[Any]:
    """Each partnership's two parties as (id, home country, home region, partner country, partner
    region); an organisation stands in its seat municipality's country and region."""
    home = aliased(Municipality)
    partner = aliased(Municipality)
    home_org = aliased(Organisation)
    partner_org = aliased(Organisation)
    home_seat = aliased(Municipality)
    partner_seat = aliased(Municipality)
    return (
        select(
            Partnership.id.label("id"),
            func.coalesce(home.country, home_seat.country).label("a"),
            case((home.id.is_not(None), home.region), else_=home_seat.region).label("a_region"),
            func.coalesce(partner.country, partner_seat.country).label("b"),
            case((partner.id.is_not(None), partner.region), else_=partner_seat.region).label("b_region"),
        )
        .outerjoin(home, home.id == Partnership.home_municipality_id)
        .outerjoin(home_org, home_org.id == Partnership.home_organisation_id)
        .outerjoin(home_seat, home_seat.id == home_org.municipality_id)
        .outerjoin(partner, partner.id == Partnership.partner_municipality_id)
        .outerjoin(partner_org, partner_org.id == Partnership.partner_organisation_id)
        .outerjoin(partner_seat, partner_seat.id == partner_org.municipality_id)
    )


def _country_counts(session: Session) -> Counter[str]:
    # Grouped in SQL: loading every partnership into Python took seconds and hundreds of MB.
    sides = _party_sides().subquery()
    a_foreign = and_(sides.c.a.is_not(None), sides.c.a != "JP")
    b_foreign = and_(sides.c.b.is_not(None), sides.c.b != "JP")
    key = case(
        (and_(a_foreign, b_foreign), case((sides.c.a <= sides.c.b, sides.c.a), else_=sides.c.b)),
        (a_foreign, sides.c.a),
        (b_foreign, sides.c.b),
        (or_(sides.c.a == "JP", sides.c.b == "JP"), "JP"),
        else_="unknown",
    ).label("key")
    keyed = select(key).select_from(sides).subquery()
    return Counter(
        {str(k): int(n) for k, n in session.execute(select(keyed.c.key, func.count()).group_by(keyed.c.key))}
    )


def _prefecture_counts(session: Session) -> Counter[str]:
    sides = _party_sides().subquery()
    # UNION (not UNION ALL): a partnership between two parties of one prefecture counts there once.
    regions = union(
        select(sides.c.id, sides.c.a_region.label("region")).where(
            sides.c.a == "JP", sides.c.a_region.is_not(None), sides.c.a_region != ""
        ),
        select(sides.c.id, sides.c.b_region.label("region")).where(
            sides.c.b == "JP", sides.c.b_region.is_not(None), sides.c.b_region != ""
        ),
    ).subquery()
    return Counter(
        {
            str(region): int(n)
            for region, n in session.execute(
                select(regions.c.region, func.count()).group_by(regions.c.region)
            )
        }
    )


def statistics(*, session: Session, group_by: GroupBy) -> list[StatRow]:
    """Partnerships counted by the foreign party's country, the Japanese party's prefecture, type or decade.

    For a partnership between a Japanese and a foreign party, "country" is the foreign one's; between
    two foreign parties the lower country code; between two Japanese parties JP. "prefecture" counts
    each Japanese party's prefecture once per partnership.
    """
    if group_by not in ("country", "prefecture", "type", "decade"):
        raise InvalidInput(
            "group_by must be country, prefecture, type or decade", field="group_by", value=group_by
        )
    counts: Counter[str] = Counter()
    if group_by == "type":
        for type_, count in session.execute(
            select(Partnership.type, func.count()).group_by(Partnership.type)
        ):
            counts[type_] = count
    elif group_by == "decade":
        for signed_on, count in session.execute(
            select(Partnership.signed_on, func.count()).group_by(Partnership.signed_on)
        ):
            counts[f"{signed_on.year // 10 * 10}s" if signed_on else "unknown"] += count
    elif group_by == "country":
        counts = _country_counts(session)
    else:
        counts = _prefecture_counts(session)
    return _labelled(session, group_by, counts)


def _labelled(session: Session, group_by: GroupBy, counts: Counter[str]) -> list[StatRow]:
    names: dict[str, tuple[str, str]] = {}
    if group_by == "country":
        for country in session.scalars(select(Country).where(Country.alpha2.in_(list(counts)))):
            names[country.alpha2] = (country.name_ja or country.name_en, country.name_en)
    elif group_by == "type":
        names = {code: labels for code, labels in PARTNERSHIP_TYPE_LABELS.items()}
    elif group_by == "decade":
        names = {k: (f"{k[:-1]}年代", k) for k in counts if k != "unknown"}
    names.setdefault("unknown", ("不明", "unknown"))
    rows = [StatRow(key, *names.get(key, (key, key)), count) for key, count in counts.items()]
    if group_by == "decade":
        return sorted(rows, key=lambda r: (r.key == "unknown", r.key))
    return sorted(rows, key=lambda r: (-r.count, r.key))


@dataclass(frozen=True)
class Anniversary:
    partnership_id: int
    municipality: str
    municipality_id: int | None
    partner: str
    partner_id: int | None
    type: str
    signed_on: str
    years: int


def anniversaries(*, session: Session, year: int) -> list[Anniversary]:
    """締結何周年: partnerships reaching 10, 15, 20 … years in `year`, for planning commemorations."""
    if not 1800 <= year <= 2300:
        raise InvalidInput("year must be between 1800 and 2300", field="year", value=year)
    home = aliased(Municipality)
    partner = aliased(Municipality)
    home_org = aliased(Organisation)
    partner_org = aliased(Organisation)
    # Only the columns the list shows: loading whole partnerships with their parties cost seconds.
    statement = (
        select(
            Partnership.id,
            func.coalesce(home.name, home_org.name),
            Partnership.home_municipality_id,
            func.coalesce(partner.name, partner_org.name),
            Partnership.partner_municipality_id,
            Partnership.type,
            Partnership.signed_on,
            Partnership.signed_on_precision,
        )
        .outerjoin(home, home.id == Partnership.home_municipality_id)
        .outerjoin(home_org, home_org.id == Partnership.home_organisation_id)
        .outerjoin(partner, partner.id == Partnership.partner_municipality_id)
        .outerjoin(partner_org, partner_org.id == Partnership.partner_organisation_id)
        .where(
            Partnership.signed_on.is_not(None),
            Partnership.status != "ended",
            Partnership.signed_on <= dt.date(year - FIRST_ANNIVERSARY, 12, 31),
        )
    )
    found: list[Anniversary] = []
    for pid, home_name, home_id, partner_name, partner_id, type_, signed_on, precision in session.execute(
        statement
    ):
        assert signed_on is not None  # filtered in SQL
        years = year - signed_on.year
        if years < FIRST_ANNIVERSARY or years % ANNIVERSARY_STEP:
            continue
        signed = PartialDate.from_parts(signed_on, precision)
        assert signed is not None
        found.append(
            Anniversary(
                partnership_id=pid,
                municipality=home_name,
                municipality_id=home_id,
                partner=partner_name,
                partner_id=partner_id,
                type=type_,
                signed_on=signed.iso(),
                years=years,
            )
        )
    return sorted(found, key=lambda a: (-a.years, a.signed_on, a.partnership_id))


def headline_figures(*, session: Session) -> dict[str, int]:
    partnerships = partnership_count(session=session)
    home = aliased(Municipality)
    partner = aliased(Municipality)
    international = (
        session.scalar(
            select(func.count())
            .select_from(Partnership)
            .join(home, home.id == Partnership.home_municipality_id)
            .join(partner, partner.id == Partnership.partner_municipality_id)
            .where(home.country != partner.country)
        )
        or 0
    )
    countries = (
        session.scalar(
            select(func.count(func.distinct(Municipality.country))).where(
                Municipality.id.in_(select(Partnership.partner_municipality_id)),
                Municipality.country != "JP",
            )
        )
        or 0
    )
    with_partners = (
        session.scalar(
            select(func.count(func.distinct(Municipality.id))).where(
                Municipality.country == "JP",
                or_(
                    Municipality.id.in_(select(Partnership.home_municipality_id)),
                    Municipality.id.in_(select(Partnership.partner_municipality_id)),
                ),
            )
        )
        or 0
    )
    return {
        "partnerships": partnerships,
        "international": international,
        "countries": countries,
        "japanese_municipalities_with_partners": with_partners,
    }


def partnerships_for_map(
    *,
    session: Session,
    municipality_id: int | None = None,
    municipality_ids: Collection[int] | None = None,
    country: str | None = None,
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
        .where(
            _HOME.lat.is_not(None),
            _HOME.lng.is_not(None),
            _PARTNER.lat.is_not(None),
            _PARTNER.lng.is_not(None),
        )
        .order_by(*_PARTNERSHIP_ORDER)
    )
    filters = _Filters(municipality_id=municipality_id, country=country, municipality_ids=municipality_ids)
    statement = statement.where(*_conditions(filters.signature))
    return [
        {
            "id": pid,
            "type": type_,
            "from": {"id": a_id, "name": a_name, "lat": a_lat, "lng": a_lng},
            "to": {"id": b_id, "name": b_name, "lat": b_lat, "lng": b_lng},
        }
        for pid, type_, a_id, a_name, a_lat, a_lng, b_id, b_name, b_lat, b_lng in session.execute(
            statement, filters.params
        )
    ]
