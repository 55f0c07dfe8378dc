"""Read-only queries behind the public portal and the JSON API (never contacts: they are not public)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import ScalarSelect

from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, fold
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, Partnership
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


def _search_condition(q: str) -> ColumnElement[bool]:
    """Names in any script (through their folded keys) and the profile texts, as substrings.

    Substring matching keeps full recall for one- and two-character Japanese words (花火, 温泉),
    which word-based full-text indexes would miss.
    """
    folded = fold(q)
    if not folded:
        raise InvalidInput("the search text is empty", field="q", value=q)
    raw = f"%{_escape_like(q.strip())}%"
    key = f"%{_escape_like(folded)}%"
    alias_match = (
        select(MunicipalityName.municipality_id)
        .where(MunicipalityName.key.like(key, escape="\\"), ~MunicipalityName.key.startswith(SKELETON_PREFIX))
        .scalar_subquery()
    )
    return or_(
        Municipality.id.in_(alias_match),
        Municipality.overview_ja.like(raw, escape="\\"),
        Municipality.overview_en.ilike(raw, escape="\\"),
    )


def _page(session: Session, statement: Select[Any], limit: int, offset: int) -> Page[Municipality]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items: list[Municipality] = list(session.scalars(statement.limit(limit).offset(offset)).unique())
    return Page(total=total, items=items, limit=limit, offset=offset)


def _partnership_count() -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(Partnership)
        .where(
            or_(
                Partnership.home_municipality_id == Municipality.id,
                Partnership.partner_municipality_id == Municipality.id,
            )
        )
        .scalar_subquery()
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
    statement = select(Municipality)
    if q:
        statement = statement.where(_search_condition(q))
    if country:
        statement = statement.where(Municipality.country == country.upper())
    if prefecture:
        statement = statement.where(
            or_(Municipality.region == prefecture, Municipality.region_code == prefecture)
        )
    if kind:
        statement = statement.where(Municipality.kind == kind)
    statement = statement.order_by(
        _partnership_count() == 0,
        Municipality.country != "JP",
        Municipality.jis_code,
        Municipality.id,
    )
    return _page(session, statement, limit, offset)


def list_partnerships(
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
) -> Page[Partnership]:
    """Partnerships filtered by either party, either party's country, type, signing period and status."""
    home = aliased(Municipality)
    partner = aliased(Municipality)
    statement = (
        select(Partnership)
        .outerjoin(home, home.id == Partnership.home_municipality_id)
        .outerjoin(partner, partner.id == Partnership.partner_municipality_id)
    )
    if municipality_id is not None:
        statement = statement.where(
            or_(
                Partnership.home_municipality_id == municipality_id,
                Partnership.partner_municipality_id == municipality_id,
            )
        )
    if country:
        statement = statement.where(or_(home.country == country.upper(), partner.country == country.upper()))
    if type_:
        statement = statement.where(Partnership.type == type_)
    if signed_from:
        statement = statement.where(Partnership.signed_on >= signed_from)
    if signed_to:
        statement = statement.where(Partnership.signed_on <= signed_to)
    if status:
        statement = statement.where(Partnership.status == status)
    statement = statement.order_by(Partnership.signed_on.is_(None), Partnership.signed_on, Partnership.id)
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = list(session.scalars(statement.limit(limit).offset(offset)).unique())
    return Page(total=total, items=items, limit=limit, offset=offset)


@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    label_en: str
    count: int


def _party_country_and_region(
    m: Municipality | None, o: Organisation | None, seats: dict[int, Municipality]
) -> tuple[str | None, str | None]:
    if m is not None:
        return m.country, m.region
    if o is not None and o.municipality_id in seats:
        seat = seats[o.municipality_id]
        return seat.country, seat.region
    return None, None


def statistics(*, session: Session, group_by: GroupBy) -> list[StatRow]:
    """Partnerships counted by the foreign party's country, the Japanese party's prefecture, type or decade.

    For a partnership between a Japanese and a foreign party, "country" is the foreign one's; between
    two parties of one country it is that country. "prefecture" counts each Japanese party's
    prefecture once per partnership.
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
    else:
        seats = {
            m.id: m
            for m in session.scalars(
                select(Municipality).where(
                    Municipality.id.in_(
                        select(Organisation.municipality_id).where(Organisation.municipality_id.is_not(None))
                    )
                )
            )
        }
        for partnership in session.scalars(select(Partnership)).unique():
            a = _party_country_and_region(partnership.home_municipality, partnership.home_organisation, seats)
            b = _party_country_and_region(
                partnership.partner_municipality, partnership.partner_organisation, seats
            )
            if group_by == "country":
                countries = {c for c, _ in (a, b) if c}
                foreign = sorted(c for c in countries if c != "JP")
                counts[foreign[0] if foreign else (next(iter(countries)) if countries else "unknown")] += 1
            else:
                regions = {r for c, r in (a, b) if c == "JP" and r}
                for region in regions:
                    counts[region] += 1
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
    found: list[Anniversary] = []
    statement = select(Partnership).where(
        Partnership.signed_on.is_not(None),
        Partnership.status != "ended",
        Partnership.signed_on <= dt.date(year, 12, 31),
    )
    for partnership in session.scalars(statement).unique():
        assert partnership.signed_on is not None
        years = year - partnership.signed_on.year
        if years < FIRST_ANNIVERSARY or years % ANNIVERSARY_STEP:
            continue
        signed = PartialDate.from_parts(partnership.signed_on, partnership.signed_on_precision)
        home = partnership.home_municipality or partnership.home_organisation
        other = partnership.partner_municipality or partnership.partner_organisation
        assert home is not None and other is not None and signed is not None
        found.append(
            Anniversary(
                partnership_id=partnership.id,
                municipality=home.name,
                municipality_id=partnership.home_municipality_id,
                partner=other.name,
                partner_id=partnership.partner_municipality_id,
                type=partnership.type,
                signed_on=signed.iso(),
                years=years,
            )
        )
    return sorted(found, key=lambda a: (-a.years, a.signed_on, a.partnership_id))


def headline_figures(*, session: Session) -> dict[str, int]:
    partnerships = session.scalar(select(func.count()).select_from(Partnership)) or 0
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
    *, session: Session, municipality_id: int | None = None
) -> Sequence[dict[str, object]]:
    """Line segments for the map: both parties' coordinates, names and the type."""
    page = list_partnerships(session=session, municipality_id=municipality_id, limit=100_000)
    lines = []
    for p in page.items:
        a, b = p.home_municipality, p.partner_municipality
        if a is None or b is None or None in (a.lat, a.lng, b.lat, b.lng):
            continue
        lines.append(
            {
                "id": p.id,
                "type": p.type,
                "from": {"id": a.id, "name": a.name, "lat": a.lat, "lng": a.lng},
                "to": {"id": b.id, "name": b.name, "lat": b.lat, "lng": b.lng},
            }
        )
    return lines
