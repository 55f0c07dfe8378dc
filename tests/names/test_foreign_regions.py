"""Foreign partners written with their region in Japanese (ニューヨーク州, 江蘇省, 全羅南道): each resolves to
the namesake in that region, without review; regions are known in Japanese and in their English form."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.geo import distance_km
from tsunagari.importers.partnerships import import_partnerships
from tsunagari.municipality.models import Municipality
from tsunagari.names.models import ReviewItem
from tsunagari.names.normalize import fold
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.export import COLUMNS
from tsunagari.reference.countries import resolve_subdivision, subdivision
from tsunagari.reference.subdivisions import lies_in

# (partner, country, region as a Japanese file writes it, its ISO 3166-2 code, where the place is).
# Namesakes in other regions stand side by side: each must land in its own region.
PARTNERS: list[tuple[str, str, str, str, tuple[float, float]]] = [
    ("Portland", "US", "オレゴン州", "US-OR", (45.52, -122.68)),
    ("Portland", "US", "メイン州", "US-ME", (43.66, -70.26)),
    ("Springfield", "US", "イリノイ州", "US-IL", (39.80, -89.64)),
    ("Springfield", "US", "マサチューセッツ州", "US-MA", (42.10, -72.59)),
    ("Springfield", "US", "ミズーリ州", "US-MO", (37.22, -93.30)),
    ("Columbus", "US", "オハイオ州", "US-OH", (39.96, -83.00)),
    ("Columbus", "US", "ジョージア州", "US-GA", (32.46, -84.99)),
    ("Kansas City", "US", "ミズーリ州", "US-MO", (39.10, -94.58)),
    ("Kansas City", "US", "カンザス州", "US-KS", (39.11, -94.63)),
    ("Rochester", "US", "ニューヨーク州", "US-NY", (43.15, -77.62)),
    ("Rochester", "US", "ミネソタ州", "US-MN", (44.02, -92.47)),
    ("Suzhou", "CN", "江蘇省", "CN-JS", (31.30, 120.60)),
    ("Suzhou", "CN", "安徽省", "CN-AH", (33.64, 116.98)),
    ("Taizhou", "CN", "浙江省", "CN-ZJ", (28.66, 121.43)),
    ("Taizhou", "CN", "江蘇省", "CN-JS", (32.49, 119.91)),
    ("Fuzhou", "CN", "福建省", "CN-FJ", (26.06, 119.31)),
    ("Fuzhou", "CN", "江西省", "CN-JX", (27.96, 116.33)),
    ("Yichun", "CN", "黒竜江省", "CN-HL", (47.72, 128.88)),
    ("Yichun", "CN", "江西省", "CN-JX", (27.83, 114.40)),
    ("Gwangju", "KR", "光州広域市", "KR-29", (35.15, 126.92)),
    ("Gwangju", "KR", "京畿道", "KR-41", (37.41, 127.26)),
    ("Chuncheon", "KR", "江原道", "KR-42", (37.87, 127.73)),
    ("Mokpo", "KR", "全羅南道", "KR-46", (34.81, 126.39)),
    ("Gimhae", "KR", "慶尚南道", "KR-48", (35.23, 128.88)),
    ("Jeju City", "KR", "済州特別自治道", "KR-49", (33.51, 126.52)),
    ("Bendigo", "AU", "ビクトリア州", "AU-VIC", (-36.76, 144.28)),
    ("Perth", "AU", "西オーストラリア州", "AU-WA", (-31.95, 115.86)),
    ("Richmond", "CA", "ブリティッシュコロンビア州", "CA-BC", (49.17, -123.14)),
    ("London", "CA", "オンタリオ州", "CA-ON", (42.98, -81.23)),
    ("Londrina", "BR", "パラナ州", "BR-PR", (-23.31, -51.16)),
    ("Santa Maria", "BR", "リオグランデ・ド・スル州", "BR-RS", (-29.68, -53.81)),
    ("Nancy", "FR", "グラン・テスト地域圏", "FR-GES", (48.68, 6.18)),
    ("Lyon", "FR", "オーヴェルニュ＝ローヌ＝アルプ地域圏", "FR-ARA", (45.75, 4.85)),
    ("Frankfurt am Main", "DE", "ヘッセン州", "DE-HE", (50.12, 8.68)),
    ("Würzburg", "DE", "バイエルン州", "DE-BY", (49.79, 9.95)),
    ("Khabarovsk", "RU", "ハバロフスク地方", "RU-KHA", (48.46, 135.10)),
    ("Vladivostok", "RU", "沿海地方", "RU-PRI", (43.11, 131.87)),
    ("Irkutsk", "RU", "イルクーツク州", "RU-IRK", (52.30, 104.29)),
    ("Cebu City", "PH", "セブ州", "PH-CEB", (10.32, 123.89)),
    ("Iloilo", "PH", "イロイロ州", "PH-ILI", (10.70, 122.56)),
    ("Christchurch", "NZ", "カンタベリー地方", "NZ-CAN", (-43.53, 172.63)),
    ("Hastings", "NZ", "ホークスベイ地方", "NZ-HKB", (-39.64, 176.85)),
]


def test_the_file_names_enough_partners_across_the_countries() -> None:
    assert len(PARTNERS) >= 30
    assert {country for _, country, *_ in PARTNERS} >= {
        "US",
        "CN",
        "KR",
        "AU",
        "CA",
        "BR",
        "FR",
        "DE",
        "RU",
        "PH",
        "NZ",
    }


@pytest.mark.parametrize(("written", "country", "code"), [(p[2], p[1], p[3]) for p in PARTNERS])
def test_a_region_written_in_japanese_is_its_iso_subdivision(written: str, country: str, code: str) -> None:
    assert resolve_subdivision(written, country).code == code


@pytest.mark.parametrize(
    ("code", "ja", "en"),
    [
        ("CN-HE", "河北省", "Hebei"),
        ("CN-JS", "江蘇省", "Jiangsu"),
        ("KR-46", "全羅南道", "South Jeolla"),
        ("KR-49", "済州特別自治道", "Jeju"),
        ("RU-PRI", "沿海地方", "Primorsky"),
        ("FR-IDF", "イル＝ド＝フランス地域圏", "Île-de-France"),
        ("PH-LAG", "ラグナ州", "Laguna"),
    ],
)
def test_a_region_is_shown_in_each_languages_own_form(code: str, ja: str, en: str) -> None:
    region = subdivision(code)
    assert (region.label("ja"), region.label("en")) == (ja, en)
    # ISO's romanised local form is still understood when written.
    assert resolve_subdivision(region.name, region.country).code == code


def test_partners_with_japanese_regions_resolve_without_review(session: Session, tmp_path: Path) -> None:
    homes = list(
        session.scalars(
            select(Municipality)
            .where(Municipality.jis_code.like("%0"), Municipality.kind == "city")
            .order_by(Municipality.jis_code)
            .limit(len(PARTNERS))
        )
    )
    assert len(homes) == len(PARTNERS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for home, (partner, country, region, _, _) in zip(homes, PARTNERS, strict=True):
        writer.writerow(
            {
                "municipality": home.name,
                "municipality_code": home.jis_code,
                "partner": partner,
                "partner_country": country,
                "partner_region": region,
                "type": "sister_city",
            }
        )
    path = tmp_path / "regions.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    reviews_before = len(session.scalars(select(ReviewItem)).all())
    # The demo registry already holds some of these cities (ウラジオストク市), as records of their own.
    known_before = set(session.scalars(select(Municipality.id).where(Municipality.lat.is_(None))))

    report = import_partnerships(session=session, path=path)

    assert (report.review, report.errors, report.created) == (0, [], len(PARTNERS))
    assert len(session.scalars(select(ReviewItem)).all()) == reviews_before
    for home, (partner, country, region, code, (lat, lng)) in zip(homes, PARTNERS, strict=True):
        rows = [
            row
            for row in partnership_rows.partner_rows(session=session, municipality=home)
            if row.country == country and row.type == "sister_city"
        ]
        assert len(rows) == 1, home.name
        found = session.get_one(Municipality, rows[0].partner_id)
        assert found.country == country
        if found.id in known_before:
            assert fold(found.name_en or "") == fold(partner) or found.name_en is None, found.name
            continue
        assert found.lat is not None and found.lng is not None, (partner, found.name, found.source)
        assert distance_km(lat, lng, found.lat, found.lng) < 30, (partner, region, found.lat, found.lng)
        if found.region_code is not None:
            # GeoNames numbers Philippine regions, not provinces: Iloilo lies in Western Visayas.
            assert lies_in(found.region_code, code), (partner, region, found.region_code)
