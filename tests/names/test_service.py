"""Name resolution against the registry and the gazetteer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem


def test_katakana_and_latin_spellings_resolve_to_one_gazetteer_city(session: Session) -> None:
    # Take the demo's ブラショフ市 out so the names must be found in the GeoNames gazetteer itself.
    session.execute(delete(Municipality).where(Municipality.country == "RO"))
    by_katakana = names_service.resolve(session=session, text="ブラショフ市", country="RO")
    by_latin = names_service.resolve(session=session, text="Brașov", country="RO")
    by_ascii = names_service.resolve(session=session, text="Brasov", country="RO")
    assert by_katakana.match is not None and by_latin.match is not None and by_ascii.match is not None
    assert by_katakana.match.source == "gazetteer"
    assert by_katakana.match.id == by_latin.match.id == by_ascii.match.id
    assert by_katakana.confidence >= names_service.AUTO_MATCH_CONFIDENCE
    assert abs((by_katakana.match.lat or 0) - 45.65) < 0.2


def test_registry_names_in_any_script_resolve(session: Session) -> None:
    kanazawa = names_service.resolve(session=session, text="Kanazawa", country="JP")
    assert kanazawa.status == "matched" and kanazawa.match is not None
    assert kanazawa.match.name == "金沢市" and kanazawa.match.source == "registry"
    nancy = names_service.resolve(session=session, text="ナンシー", country="FR")
    assert nancy.match is not None and nancy.match.name_en == "Nancy"


def test_homonyms_in_japan_are_ambiguous_without_a_prefecture(session: Session) -> None:
    fuchu = names_service.resolve(session=session, text="府中市", country="JP")
    assert fuchu.status == "ambiguous" and fuchu.match is None
    assert sorted(c.region or "" for c in fuchu.alternatives) == ["広島県", "東京都"]
    tokyo = names_service.resolve(session=session, text="府中市", country="JP", region="東京都")
    assert tokyo.match is not None and tokyo.match.region == "東京都"


def test_coordinates_choose_between_same_named_cities(session: Session) -> None:
    # Fuchu, Hiroshima is about 34.57N 133.24E.
    near_hiroshima = names_service.resolve(session=session, text="府中市", country="JP", near=(34.57, 133.24))
    assert near_hiroshima.match is not None and near_hiroshima.match.region == "広島県"


def test_a_same_named_place_far_from_the_given_coordinates_is_not_matched(session: Session) -> None:
    # "Kanazawa" 500 km away from 金沢市 is some other place.
    far = names_service.resolve(session=session, text="Kanazawa", country="JP", near=(33.0, 131.0))
    assert far.match is None


def test_the_same_name_in_two_countries_stays_two_places(session: Session) -> None:
    mali = names_service.resolve(session=session, text="Nara", country="ML")
    japan = names_service.resolve(session=session, text="Nara", country="JP")
    assert mali.match is not None and japan.match is not None
    assert mali.match.country == "ML" and japan.match.name == "奈良市"


def test_a_misspelling_is_only_a_suggestion(session: Session) -> None:
    misspelt = names_service.resolve(session=session, text="Brasovx", country="RO")
    assert misspelt.match is None
    assert misspelt.status == "ambiguous"
    assert any((c.name_en or "").startswith("Bra") for c in misspelt.alternatives)
    assert all(c.confidence < names_service.AUTO_MATCH_CONFIDENCE for c in misspelt.alternatives)


def test_resolve_writes_nothing(session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(Municipality))
    names_service.resolve(session=session, text="Timbuktu", country="ML")
    names_service.resolve(session=session, text="府中市", country="JP")
    session.flush()
    assert session.scalar(select(func.count()).select_from(Municipality)) == before
    assert session.scalar(select(func.count()).select_from(ReviewItem)) == 0


def test_an_empty_name_is_invalid(session: Session) -> None:
    with pytest.raises(InvalidInput):
        names_service.resolve(session=session, text="  ", country="JP")


def test_review_item_resolution_adds_the_written_name_as_an_alias(session: Session) -> None:
    resolution = names_service.resolve(session=session, text="府中市", country="JP")
    item = names_service.send_to_review(session=session, resolution=resolution, source="test")
    assert [names_service.review_row(i)["text"] for i in names_service.open_reviews(session=session)] == [
        "府中市"
    ]
    target = next(c for c in resolution.alternatives if c.region == "東京都")
    names_service.resolve_review(session=session, item_id=item.id, target=str(target.id))
    assert names_service.open_reviews(session=session) == []
    with pytest.raises(InvalidInput):
        names_service.resolve_review(session=session, item_id=item.id, target=str(target.id))


def test_materialising_a_gazetteer_place_creates_one_municipality(session: Session) -> None:
    resolution = names_service.resolve(session=session, text="Timbuktu", country="ML")
    assert resolution.match is not None and resolution.match.source == "gazetteer"
    first = names_service.materialise(session=session, candidate=resolution.match, written="トンブクトゥ")
    again = names_service.materialise(session=session, candidate=resolution.match)
    assert first.id == again.id and first.geonameid == resolution.match.id
    assert (
        municipality_service.find_by_name(session=session, name="トンブクトゥ", country="ML")[0].id
        == first.id
    )
