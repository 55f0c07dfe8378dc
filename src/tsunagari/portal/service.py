"""Read-only queries behind the public portal and the JSON API (never contacts: they are not public)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased

from tsunagari.common.fields import FIELD_CODES, FIELD_LABELS
from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import NOT_CONCLUDED, NOT_IN_FORCE, PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.portal.search import GRAM_LENGTH as GRAM_LENGTH
from tsunagari.portal.search import NAME_GRAM as NAME_GRAM
from tsunagari.portal.search import search_municipalities as search_municipalities
from tsunagari.reference.models import Country

GroupBy = Literal["country", "prefecture", "type", "decade", "field"]
ANNIVERSARY_STEP = 5
FIRST_ANNIVERSARY = 10


def municipality_count(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Municipality)) or 0


_MUNICIPALITY = Municipality.__table__
# Rows rather than ORM objects: the detail page only reads them, and a loaded object costs twice as much.
# The public reads run on the session's connection (Core execution), skipping the ORM's execution path.
_MUNICIPALITY_BY_ID = select(_MUNICIPALITY).where(_MUNICIPALITY.c.id == bindparam("id", type_=Integer))
_FORMER_MUNICIPALITIES = (
    select(_MUNICIPALITY)
    .where(_MUNICIPALITY.c.merged_into_id == bindparam("id", type_=Integer))
    .order_by(_MUNICIPALITY.c.merged_on, _MUNICIPALITY.c.id)
)


def municipality_record(*, session: Session, municipality_id: int) -> Row[Any]:
    """A municipality's columns as a row (attribute access like the model's); NotFound if absent."""
    found = session.connection().execute(_MUNICIPALITY_BY_ID, {"id": municipality_id}).first()
    if found is None:
        raise NotFound(f"municipality {municipality_id} does not exist")
    return found


def former_municipalities(*, session: Session, municipality_id: int) -> list[Row[Any]]:
    """Former municipalities merged into this one (旧利賀村 for 南砺市), by merger date."""
    return list(session.connection().execute(_FORMER_MUNICIPALITIES, {"id": municipality_id}).all())


_PROFILE_TEXTS = select(Municipality.id, Municipality.overview_ja, Municipality.overview_en).where(
    Municipality.id.in_(bindparam("ids", expanding=True)),
    or_(Municipality.overview_ja.is_not(None), Municipality.overview_en.is_not(None)),
)


def profile_texts(
    *, session: Session, municipality_ids: Collection[int]
) -> dict[int, tuple[str | None, str | None]]:
    """The profile texts (overview_ja, overview_en) of the municipalities that have one, in one query."""
    if not municipality_ids:
        return {}
    found = session.connection().execute(_PROFILE_TEXTS, {"ids": sorted(municipality_ids)})
    return {municipality_id: (ja, en) for municipality_id, ja, en in found}


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
        .where(Partnership.status.not_in(NOT_CONCLUDED))
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


def municipality_ids_with_partnership_field(*, session: Session, field: str) -> set[int]:
    """Municipalities that are a party of a concluded partnership in this exchange field (either side)."""
    found = partnership_rows.list_partnerships(session=session, field=field, limit=1_000_000)
    return {
        mid
        for p in found.items
        if p.status not in NOT_CONCLUDED
        for mid in (p.home_municipality_id, p.partner_municipality_id)
        if mid is not None
    }


def _field_counts(session: Session) -> Counter[str]:
    counts: Counter[str] = Counter()
    for fields in session.scalars(select(Partnership.fields).where(Partnership.status.not_in(NOT_CONCLUDED))):
        counts.update(set(fields or []) or {"unknown"})
    return counts


def statistics(*, session: Session, group_by: GroupBy) -> list[StatRow]:
    """Partnerships counted by the foreign party's country, the Japanese party's prefecture, type or decade.

    For a partnership between a Japanese and a foreign party, "country" is the foreign one's; between
    two foreign parties the lower country code; between two Japanese parties JP. "prefecture" counts
    each Japanese party's prefecture once per partnership. "field" counts a partnership once in each of
    its exchange fields, and as "unknown" when it has none recorded.
    """
    if group_by not in ("country", "prefecture", "type", "decade", "field"):
        raise InvalidInput(
            "group_by must be country, prefecture, type, decade or field", field="group_by", value=group_by
        )
    counts: Counter[str] = Counter()
    if group_by == "type":
        for type_, count in session.execute(
            select(Partnership.type, func.count())
            .where(Partnership.status.not_in(NOT_CONCLUDED))
            .group_by(Partnership.type)
        ):
            counts[type_] = count
    elif group_by == "decade":
        for signed_on, count in session.execute(
            select(Partnership.signed_on, func.count())
            .where(Partnership.status.not_in(NOT_CONCLUDED))
            .group_by(Partnership.signed_on)
        ):
            counts[f"{signed_on.year // 10 * 10}s" if signed_on else "unknown"] += count
    elif group_by == "field":
        counts = _field_counts(session)
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
    elif group_by == "field":
        names = {**FIELD_LABELS, "unknown": ("記録なし", "Not recorded")}
    names.setdefault("unknown", ("不明", "unknown"))
    rows = [StatRow(key, *names.get(key, (key, key)), count) for key, count in counts.items()]
    if group_by == "decade":
        return sorted(rows, key=lambda r: (r.key == "unknown", r.key))
    if group_by == "field":  # the vocabulary's order, as the forms show it; none recorded last
        order = {code: n for n, code in enumerate(FIELD_CODES)}
        return sorted(rows, key=lambda r: order.get(r.key, len(order)))
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
            Partnership.status.not_in(NOT_IN_FORCE),
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
    """The front page's figures, of concluded ties only (a 協議中 one is not yet a partnership)."""
    concluded = Partnership.status.not_in(NOT_CONCLUDED)
    partnerships = partnership_rows.partnership_count(session=session, concluded_only=True)
    home = aliased(Municipality)
    partner = aliased(Municipality)
    international = (
        session.scalar(
            select(func.count())
            .select_from(Partnership)
            .join(home, home.id == Partnership.home_municipality_id)
            .join(partner, partner.id == Partnership.partner_municipality_id)
            .where(home.country != partner.country, concluded)
        )
        or 0
    )
    countries = (
        session.scalar(
            select(func.count(func.distinct(Municipality.country))).where(
                Municipality.id.in_(select(Partnership.partner_municipality_id).where(concluded)),
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
                    Municipality.id.in_(select(Partnership.home_municipality_id).where(concluded)),
                    Municipality.id.in_(select(Partnership.partner_municipality_id).where(concluded)),
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


def partnership_sources(*, session: Session) -> list[str | None]:
    """The distinct recorded sources of the partnerships between two municipalities (the open data set),
    from which /data and the downloads tell which datasets, and so which licences, they hold."""
    statement = (
        select(Partnership.source)
        .where(
            Partnership.home_municipality_id.is_not(None), Partnership.partner_municipality_id.is_not(None)
        )
        .distinct()
    )
    return list(session.scalars(statement))
