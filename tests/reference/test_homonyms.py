"""Homonyms among Japanese local governments, current and former (府中市, 伊達市, 小国町, 美里町 …): with its
prefecture (or its JIS code) a name is one municipality; without, it goes to review with every namesake as a
candidate and is never a silent guess (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.names.partners import resolve_partner
from tsunagari.reference.japan import homonyms, load_former_local_governments, prefecture_of

HOMONYMS = homonyms()


def _bearer(session: Session, name: str, prefecture: str, code: str | None) -> Municipality:
    if code is not None:
        found = municipality_service.get_by_jis_code(session=session, jis_code=code)
        assert found is not None
        return found
    return session.scalars(
        select(Municipality).where(
            Municipality.country == "JP",
            Municipality.region == prefecture,
            Municipality.name == name,
            Municipality.status == "merged",
        )
    ).one()


def test_the_list_holds_the_known_homonyms_current_and_former() -> None:
    assert {"府中市", "伊達市", "小国町", "美里町", "池田町", "川上村"} <= HOMONYMS.keys()
    assert len(HOMONYMS["池田町"]) == 4
    assert HOMONYMS["小国町"] == [("山形県", "064017"), ("熊本県", "434248"), ("新潟県", None)]
    assert {(f.prefecture, f.name) for f in load_former_local_governments()} >= {
        ("新潟県", "小国町"),
        ("富山県", "利賀村"),
    }
    assert prefecture_of("新潟") == prefecture_of("新潟県") == "新潟県"
    assert prefecture_of("北海道") == "北海道" and prefecture_of("テキサス州") is None


@pytest.mark.parametrize("name", sorted(HOMONYMS))
def test_with_its_prefecture_each_namesake_is_itself(session: Session, name: str) -> None:
    for prefecture, code in HOMONYMS[name]:
        expected = _bearer(session, name, prefecture, code)
        picked = names_service.pick_municipality(
            session=session, text=name, prefecture=prefecture, country="JP"
        )
        assert picked.id == expected.id, (name, prefecture)
        partner = resolve_partner(session=session, name=name, country="JP", region=prefecture)
        assert partner.municipality is not None and partner.municipality.id == expected.id, (name, prefecture)
        resolved = names_service.resolve(session=session, text=name, country="JP", region=prefecture)
        assert resolved.match is not None and resolved.match.id == expected.id, (name, prefecture)
        if code is not None:
            by_code = names_service.pick_municipality(session=session, text=code, numbers="jis_code")
            assert by_code.id == expected.id


@pytest.mark.parametrize("name", sorted(HOMONYMS))
def test_without_a_prefecture_it_goes_to_review_with_every_namesake(session: Session, name: str) -> None:
    namesakes = {_bearer(session, name, prefecture, code).id for prefecture, code in HOMONYMS[name]}
    partner = resolve_partner(session=session, name=name, country="JP")
    assert partner.how == "review" and partner.municipality is None
    assert {c.id for c in partner.resolution.alternatives if c.source == "registry"} == namesakes
    with pytest.raises(InvalidInput) as raised:
        names_service.pick_municipality(session=session, text=name, country="JP")
    message = raised.value.report()
    for prefecture, _ in HOMONYMS[name]:
        assert f"{prefecture} {name}" in message


def test_a_prefecture_with_no_such_municipality_finds_none(session: Session) -> None:
    # 利賀村 is in 富山県 only: named in another prefecture it is not found, never the one elsewhere.
    assert (
        municipality_service.find_by_name(session=session, name="利賀村", country="JP", region="新潟県") == []
    )
    partner = resolve_partner(session=session, name="利賀村", country="JP", region="新潟県")
    assert partner.municipality is None and partner.how == "review"
