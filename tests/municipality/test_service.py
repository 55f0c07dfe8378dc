"""Municipality registry on SQLite and PostgreSQL: reference data, codes, homonyms, profiles."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.reference.japan import load_japanese_local_governments, validate_code
from tsunagari.reference.models import Country, Subdivision


def test_every_shipped_local_government_is_loaded_with_a_valid_code(session: Session) -> None:
    shipped = load_japanese_local_governments()
    assert len(shipped) >= 1741
    loaded = set(session.scalars(select(Municipality.jis_code).where(Municipality.jis_code.is_not(None))))
    assert {r.code for r in shipped} <= loaded
    for code in loaded:
        assert code is not None and validate_code(code) == code


def test_prefectures_cities_and_wards_are_all_there(session: Session) -> None:
    def count(kind: str) -> int:
        return (
            session.scalar(
                select(func.count())
                .select_from(Municipality)
                .where(Municipality.kind == kind, Municipality.country == "JP")
            )
            or 0
        )

    assert count("prefecture") == 47
    assert count("special_ward") == 23
    assert count("designated_city") == 20


def test_countries_and_subdivisions_carry_japanese_names(session: Session) -> None:
    romania = session.get(Country, "RO")
    assert romania is not None and romania.name_ja == "ルーマニア"
    tokyo = session.get(Subdivision, "JP-13")
    assert tokyo is not None and tokyo.name_ja is not None and "東京" in tokyo.name_ja


def test_a_wrong_check_digit_is_refused_with_the_expected_digit(session: Session) -> None:
    with pytest.raises(InvalidInput) as raised:
        municipality_service.create(
            session=session,
            data=MunicipalityCreate(name="テスト市", country="JP", jis_code="132031"),
        )
    assert "9" in str(raised.value) and "132031" in str(raised.value)


def test_a_duplicate_code_is_a_conflict(session: Session) -> None:
    with pytest.raises(Conflict):
        municipality_service.create(
            session=session,
            data=MunicipalityCreate(name="武蔵野市", country="JP", jis_code="132039"),
        )


def test_homonyms_are_told_apart_by_prefecture(session: Session) -> None:
    both = municipality_service.find_by_name(session=session, name="府中市")
    assert sorted(m.region or "" for m in both) == ["広島県", "東京都"]
    tokyo = municipality_service.find_by_name(session=session, name="府中市", region="東京都")
    assert [m.jis_code for m in tokyo] == ["132063"]


def test_names_in_other_scripts_find_the_same_municipality(session: Session) -> None:
    by_kanji = municipality_service.find_by_name(session=session, name="武蔵野市")
    by_english = municipality_service.find_by_name(session=session, name="Musashino City", country="JP")
    by_kana = municipality_service.find_by_name(session=session, name="ムサシノシ", country="JP")
    assert [m.id for m in by_kanji] == [m.id for m in by_english] == [m.id for m in by_kana]


def test_profile_figures_keep_their_as_of_dates(session: Session) -> None:
    takasaki = municipality_service.find_by_name(session=session, name="高崎市")[0]
    assert takasaki.population == 374997
    assert takasaki.population_as_of == dt.date(2011, 3, 31)
    assert takasaki.population_as_of_precision == "day"
    assert takasaki.area_km2 == pytest.approx(459.41)
    battle_creek = municipality_service.find_by_name(session=session, name="バトルクリーク市", country="US")
    assert battle_creek and battle_creek[0].population == 53364
    assert battle_creek[0].population_as_of == dt.date(2000, 1, 1)
    assert battle_creek[0].population_as_of_precision == "year"


def test_a_foreign_municipality_needs_no_code(session: Session) -> None:
    created = municipality_service.create(
        session=session,
        data=MunicipalityCreate(name="ブラチスラヴァ市", name_en="Bratislava", country="sk", kind="city"),
    )
    assert created.country == "SK"
    assert (
        municipality_service.find_by_name(session=session, name="Bratislava", country="SK")[0].id
        == created.id
    )
