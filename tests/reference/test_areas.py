"""The second reference: areas and towns of the countries-states-cities database, as packaged."""

from __future__ import annotations

import pytest

from tsunagari.names.service import distance_km
from tsunagari.reference.areas import AreasAndTowns, Place


@pytest.fixture(scope="module")
def reference() -> AreasAndTowns:
    return AreasAndTowns.load(["GB", "US", "CN", "IE", "NO", "RU", "IT", "CV", "XX"])


def _at(place: Place | None, lat: float, lng: float, km: float = 15.0) -> bool:
    return place is not None and distance_km(place.lat, place.lng, lat, lng) <= km


def test_a_council_or_borough_is_placed_at_its_own_point(reference: AreasAndTowns) -> None:
    thurrock = reference.place(["Thurrock"], "GB")
    assert thurrock is not None and (thurrock.kind, thurrock.area_type) == ("area", "unitary authority")
    assert _at(thurrock, 51.50, 0.40)
    # A London borough: too few towns listed to measure it, so its point is taken as it is.
    haringey = reference.place(["Haringey"], "GB")
    assert haringey is not None and haringey.area_type == "london borough" and _at(haringey, 51.59, -0.11)


def test_a_town_below_the_gazetteers_threshold_is_placed(reference: AreasAndTowns) -> None:
    saltdal = reference.place(["Saltdal"], "NO")
    assert saltdal is not None and saltdal.kind == "town" and _at(saltdal, 67.10, 15.39)


def test_the_area_word_written_must_fit_the_areas_type(reference: AreasAndTowns) -> None:
    # "Pavia Province" is the province; "Utah County" is not the state of Utah.
    pavia = reference.place(["Pavia Province"], "IT")
    assert pavia is not None and pavia.area_type == "province" and pavia.name == "Pavia"
    assert reference.place(["Utah County"], "US") is None
    assert reference.place(["Washington County"], "US") is None


def test_an_area_its_towns_show_to_be_large_is_not_one_point(reference: AreasAndTowns) -> None:
    assert reference.place(["Shandong Province"], "CN") is None
    assert reference.place(["Moscow Oblast"], "RU") is None


def test_namesakes_far_apart_are_left_for_a_person(reference: AreasAndTowns) -> None:
    assert len(reference.towns[("US", "springfield")]) > 1
    assert reference.place(["Springfield"], "US") is None


def test_a_qualified_spelling_is_looked_up_by_its_name_and_the_next_spelling_is_tried(
    reference: AreasAndTowns,
) -> None:
    saltdal = reference.place(["Saltdal"], "NO")
    assert reference.place(["Nowhere-on-Sea", "Saltdal (Nordland)"], "NO") == saltdal


def test_unknown_names_and_countries_place_nothing(reference: AreasAndTowns) -> None:
    assert reference.place(["Nowhere-on-Sea"], "GB") is None
    assert reference.place(["Thurrock"], "XX") is None
    assert reference.place(["Thurrock"], "IE") is None
