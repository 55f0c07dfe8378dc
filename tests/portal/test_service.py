"""The portal's read service: search recall through the name-slice index, statistics and anniversaries
grouped in SQL, checked against plain recounts in Python over the same data (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, fold
from tsunagari.organisation.models import Organisation
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import Partnership
from tsunagari.portal import service


def _all_ids(session: Session, q: str) -> set[int]:
    found: set[int] = set()
    offset = 0
    while True:
        page = service.search_municipalities(session=session, q=q, limit=200, offset=offset)
        found |= {m.id for m in page.items}
        offset += 200
        if offset >= page.total:
            return found


def _scan(session: Session, q: str) -> set[int]:
    """What the search promises, the slow way: a substring of a folded name key or of a profile."""
    key = fold(q)
    found = {
        municipality_id
        for municipality_id, name_key in session.execute(
            select(MunicipalityName.municipality_id, MunicipalityName.key)
        )
        if key in name_key and not name_key.startswith(SKELETON_PREFIX)
    }
    text = q.strip().casefold()
    for municipality_id, ja, en in session.execute(
        select(Municipality.id, Municipality.overview_ja, Municipality.overview_en)
    ):
        if (ja and q.strip() in ja) or (en and text in en.casefold()):
            found.add(municipality_id)
    return found


def _add(session: Session, name: str, overview: str | None = None) -> Municipality:
    municipality = Municipality(name=name, kind="city", country="FR", overview_ja=overview)
    session.add(municipality)
    session.flush()
    return municipality


@pytest.mark.parametrize(
    "q", ["花火", "温泉", "金沢", "武蔵野", "市", "Suzhou", "brasov", "an", "x", "ブラショフ"]
)
def test_search_finds_every_substring_match_of_names_and_profiles(session: Session, q: str) -> None:
    assert _all_ids(session, q) == _scan(session, q)


def test_search_finds_names_written_by_bulk_insert_and_by_update(session: Session) -> None:
    # Importers write names with Core INSERTs, bypassing the ORM: the database keeps the index.
    town = _add(session, "Zyxwvut-sur-Mer")
    session.execute(
        insert(MunicipalityName),
        [{"municipality_id": town.id, "name": "宵宵花火町", "key": fold("宵宵花火町"), "kind": "alias"}],
    )
    assert town.id in _all_ids(session, "宵花")
    assert town.id in _all_ids(session, "花火町")
    session.execute(
        update(MunicipalityName)
        .where(MunicipalityName.municipality_id == town.id, MunicipalityName.name == "宵宵花火町")
        .values(name="湯煙温泉郷", key=fold("湯煙温泉郷"))
    )
    assert town.id in _all_ids(session, "煙温")
    assert town.id not in _all_ids(session, "宵花")  # the old slices may linger; the name check drops them


def test_search_reads_profiles_and_refuses_empty_text(session: Session) -> None:
    town = _add(session, "Qwertyville", overview="毎年夏に大きな花火大会が開かれる港町")
    assert town.id in _all_ids(session, "花火")
    assert town.id not in _all_ids(session, "qwertyvillex")
    with pytest.raises(InvalidInput) as raised:
        service.search_municipalities(session=session, q="・")
    assert raised.value.problems[0].field == "q"


def test_search_pages_add_up_to_the_total(session: Session) -> None:
    first = service.search_municipalities(session=session, q="市", limit=3)
    seen: list[int] = []
    offset = 0
    while offset < first.total:
        page = service.search_municipalities(session=session, q="市", limit=200, offset=offset)
        assert page.total == first.total
        seen += [m.id for m in page.items]
        offset += 200
    assert len(seen) == len(set(seen)) == first.total
    assert [m.id for m in first.items] == seen[:3]  # a stable order across page sizes
    beyond = service.search_municipalities(session=session, q="市", offset=first.total + 10)
    assert beyond.items == [] and beyond.total == first.total


def _side(
    session: Session, municipality_id: int | None, organisation_id: int | None
) -> tuple[str | None, str | None]:
    if municipality_id is not None:
        m = session.get(Municipality, municipality_id)
        assert m is not None
        return m.country, m.region
    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None
    seat = session.get(Municipality, organisation.municipality_id) if organisation.municipality_id else None
    return (seat.country, seat.region) if seat else (None, None)


def _recount(session: Session) -> tuple[Counter[str], Counter[str]]:
    """Statistics by country and by prefecture, one partnership at a time."""
    by_country: Counter[str] = Counter()
    by_prefecture: Counter[str] = Counter()
    for p in session.scalars(select(Partnership).where(Partnership.status != "planned")).unique():
        a = _side(session, p.home_municipality_id, p.home_organisation_id)
        b = _side(session, p.partner_municipality_id, p.partner_organisation_id)
        countries = {c for c, _ in (a, b) if c}
        foreign = sorted(c for c in countries if c != "JP")
        by_country[foreign[0] if foreign else ("JP" if countries else "unknown")] += 1
        for region in {r for c, r in (a, b) if c == "JP" and r}:
            by_prefecture[region] += 1
    return by_country, by_prefecture


def test_statistics_by_country_and_prefecture_match_a_recount(session: Session) -> None:
    # An organisation party stands in its seat's country: add one seated in Japan, partnered abroad.
    seat = session.scalars(
        select(Municipality).where(Municipality.country == "JP", Municipality.region.is_not(None))
    ).first()
    abroad = session.scalars(select(Municipality).where(Municipality.country == "NZ")).first() or _add(
        session, "Testford"
    )
    assert seat is not None
    club = Organisation(name="テスト国際交流協会", kind="exchange_association", municipality_id=seat.id)
    session.add(club)
    session.flush()
    session.add(
        Partnership(
            home_organisation_id=club.id,
            home_party=f"o{club.id}",
            partner_municipality_id=abroad.id,
            partner_party=f"m{abroad.id}",
            type="sister_organisation",
        )
    )
    session.flush()
    by_country, by_prefecture = _recount(session)
    assert by_country[abroad.country] >= 1 and by_prefecture[seat.region or ""] >= 1
    got_country = {row.key: row.count for row in service.statistics(session=session, group_by="country")}
    got_prefecture = {
        row.key: row.count for row in service.statistics(session=session, group_by="prefecture")
    }
    assert got_country == dict(by_country)
    assert got_prefecture == dict(by_prefecture)


def test_anniversaries_match_a_recount(session: Session) -> None:
    year = 2025
    expected = {
        (p.id, year - p.signed_on.year)
        for p in session.scalars(select(Partnership)).unique()
        if p.signed_on
        and p.status != "ended"
        and year - p.signed_on.year >= 10
        and (year - p.signed_on.year) % 5 == 0
    }
    found = service.anniversaries(session=session, year=year)
    assert expected, "the demo data has anniversaries in 2025"
    assert {(a.partnership_id, a.years) for a in found} == expected
    assert [a.years for a in found] == sorted((a.years for a in found), reverse=True)


def test_map_lines_join_located_parties_only(session: Session) -> None:
    lines = partnership_rows.partnerships_for_map(session=session)
    located = {
        p.id
        for p in session.scalars(select(Partnership)).unique()
        if p.home_municipality
        and p.partner_municipality
        and p.status != "planned"  # a tie under negotiation is no line on the map
        and None
        not in (
            p.home_municipality.lat,
            p.home_municipality.lng,
            p.partner_municipality.lat,
            p.partner_municipality.lng,
        )
    }
    assert {line["id"] for line in lines} == located
