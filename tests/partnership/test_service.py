"""Partnership registry on SQLite and PostgreSQL, against the demo data built from the seeds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership
from tsunagari.partnership.schemas import PartnershipCreate


def one(session: Session, name: str, region: str | None = None) -> Municipality:
    found = municipality_service.find_by_name(session=session, name=name, region=region)
    assert len(found) == 1, [m.display_name() for m in found]
    return found[0]


def test_musashino_has_nine_domestic_and_six_international_partners(session: Session) -> None:
    musashino = one(session, "武蔵野市")
    rows = partnership_rows.partner_rows(session=session, municipality=musashino)
    assert len(rows) == 15
    domestic = sorted(r.name for r in rows if r.domestic)
    abroad = sorted(r.country or "" for r in rows if not r.domestic)
    assert domestic == sorted(
        [
            "南砺市",
            "長岡市",
            "安曇野市",
            "岩美町",
            "大崎上島町",
            "川上村",
            "酒田市",
            "遠野市",
            "南房総市",
        ]
    )
    assert abroad == ["CN", "KR", "KR", "RO", "RU", "US"]


def test_takasaki_partners_carry_the_dates_of_seed_003(session: Session) -> None:
    takasaki = one(session, "高崎市")
    rows = partnership_rows.partner_rows(session=session, municipality=takasaki)
    by_country = {r.country: (r.signed_on, r.precision, r.type) for r in rows}
    assert len(rows) == 5
    assert by_country == {
        "US": ("1981-07-01", "day", "sister_city"),
        "BR": ("1981-10-02", "day", "sister_city"),
        "CN": ("1987-10-06", "day", "sister_city"),
        "CZ": ("1990-08-01", "day", "sister_city"),
        "PH": ("2006-10-28", "day", "sister_city"),
    }
    battle_creek = next(r for r in rows if r.country == "US")
    assert battle_creek.signed_on_wareki == "昭和56年7月1日"


def test_murayama_agreements_keep_their_types_and_wareki_dates(session: Session) -> None:
    murayama = one(session, "村山市")
    rows = partnership_rows.partner_rows(session=session, municipality=murayama)
    found = {(r.name, r.type): r.signed_on for r in rows}
    assert found[("ヤクーツク市", "sister_city")] == "1992-04-21"
    assert found[("厚岸町", "friendship_city")] == "1991-07-15"
    assert found[("厚岸町", "mutual_aid")] == "1998-11-09"
    assert found[("塩竈市", "disaster_mutual_aid")] == "2007-11-06"


def test_partnership_through_a_former_village_is_marked_inherited(session: Session) -> None:
    nanto = one(session, "南砺市")
    rows = partnership_rows.partner_rows(session=session, municipality=nanto)
    musashino_row = next(r for r in rows if r.name == "武蔵野市")
    assert musashino_row.inherited_through_merger is True
    assert musashino_row.via == "利賀村"
    former = municipality_service.merge_history(session=session, municipality=nanto)
    assert [(m.name, m.status, m.merged_on) for m in former] == [("利賀村", "merged", dt.date(2004, 11, 1))]


def test_the_same_partnership_from_the_other_side_is_not_a_second_row(session: Session) -> None:
    kanazawa = one(session, "金沢市")
    nancy = next(
        r for r in partnership_rows.partner_rows(session=session, municipality=kanazawa) if r.country == "FR"
    )
    reverse = PartnershipCreate(
        home_municipality_id=nancy.partner_id,
        partner_municipality_id=kanazawa.id,
        type="sister_city",
        signed_on=dt.date(1973, 10, 12),
    )
    partnership, outcome = partnership_service.upsert(session=session, data=reverse)
    assert outcome == "unchanged"
    assert partnership.id == nancy.partnership_id
    with pytest.raises(Conflict):
        partnership_service.create(session=session, data=reverse)


def test_natural_key_is_enforced_by_the_database(session: Session) -> None:
    existing = session.scalars(select(Partnership).limit(1)).one()
    duplicate = Partnership(
        home_municipality_id=existing.home_municipality_id,
        home_organisation_id=existing.home_organisation_id,
        partner_municipality_id=existing.partner_municipality_id,
        partner_organisation_id=existing.partner_organisation_id,
        home_party=existing.home_party,
        partner_party=existing.partner_party,
        type=existing.type,
    )
    session.add(duplicate)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_clair_counting_flag_needs_all_three_criteria(session: Session) -> None:
    musashino = one(session, "武蔵野市")
    sendai = one(session, "仙台市")
    data = PartnershipCreate(
        home_municipality_id=musashino.id,
        partner_municipality_id=sendai.id,
        type="friendship_city",
        criterion_signed_by_heads=True,
        criterion_multi_field=True,
        criterion_council_approved=None,
    )
    partnership = partnership_service.create(session=session, data=data)
    assert partnership.counts_as_sister_friendship is False
    partnership.criterion_council_approved = True
    assert partnership.counts_as_sister_friendship is True


def test_an_update_of_a_reimported_row_reports_updated(session: Session) -> None:
    kanazawa = one(session, "金沢市")
    row = next(
        r for r in partnership_rows.partner_rows(session=session, municipality=kanazawa) if r.country == "FR"
    )
    data = PartnershipCreate(
        home_municipality_id=kanazawa.id,
        partner_municipality_id=row.partner_id,
        type="sister_city",
        notes="教員交流 1992年〜",
    )
    partnership, outcome = partnership_service.upsert(session=session, data=data)
    assert outcome == "updated"
    assert partnership.notes == "教員交流 1992年〜"
    assert partnership.signed_on == dt.date(1973, 10, 12)  # unchanged fields are kept


def test_a_party_cannot_partner_itself(session: Session) -> None:
    kanazawa = one(session, "金沢市")
    with pytest.raises(InvalidInput):
        partnership_service.upsert(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=kanazawa.id,
                partner_municipality_id=kanazawa.id,
                type="sister_city",
            ),
        )


def test_an_end_date_before_the_signing_is_refused() -> None:
    with pytest.raises(ValueError, match="ended_on is before signed_on"):
        PartnershipCreate(
            home_municipality_id=1,
            partner_municipality_id=2,
            type="sister_city",
            signed_on=dt.date(2000, 1, 1),
            ended_on=dt.date(1999, 1, 1),
            status="ended",
        )
