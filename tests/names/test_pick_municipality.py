"""pick_municipality: the one way typed text becomes one municipality (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound
from tsunagari.names import service as names_service


@pytest.mark.parametrize("text", ["武蔵野市", "Musashino", "musashino", "むさしのし", " 武蔵野市 "])
def test_a_name_in_any_script_picks_the_municipality(session: Session, text: str) -> None:
    picked = names_service.pick_municipality(session=session, text=text, country="JP")
    assert picked.name == "武蔵野市" and picked.region == "東京都"


def test_an_ambiguous_name_lists_its_candidates(session: Session) -> None:
    with pytest.raises(InvalidInput) as raised:
        names_service.pick_municipality(session=session, text="府中市")
    message = raised.value.report()
    assert "2 municipalities match" in message
    assert "東京都 府中市" in message and "広島県 府中市" in message
    assert raised.value.problems[0].field == "name" and raised.value.problems[0].value == "府中市"


def test_the_prefecture_picks_one_of_namesakes(session: Session) -> None:
    tokyo = names_service.pick_municipality(session=session, text="府中市", prefecture="東京都")
    hiroshima = names_service.pick_municipality(
        session=session, text="府中市", prefecture="広島県", country="JP"
    )
    assert tokyo.region == "東京都" and hiroshima.region == "広島県" and tokyo.id != hiroshima.id


def test_the_hint_and_field_are_the_callers(session: Session) -> None:
    with pytest.raises(InvalidInput) as raised:
        names_service.pick_municipality(
            session=session, text="府中市", field="municipalities", hint="IDで指定してください / give the id"
        )
    problem = raised.value.problems[0]
    assert problem.field == "municipalities" and "IDで指定" in problem.reason


def test_an_unknown_name_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="存在しない市"):
        names_service.pick_municipality(session=session, text="存在しない市")
    with pytest.raises(InvalidInput):
        names_service.pick_municipality(session=session, text="  ")


def test_digits_are_an_id_or_a_code_as_the_caller_says(session: Session) -> None:
    musashino = names_service.pick_municipality(session=session, text="武蔵野市", country="JP")
    assert musashino.jis_code is not None
    by_code = names_service.pick_municipality(session=session, text=musashino.jis_code, numbers="jis_code")
    by_id = names_service.pick_municipality(session=session, text=str(musashino.id), numbers="id")
    assert by_code.id == by_id.id == musashino.id
