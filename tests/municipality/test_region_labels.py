"""Regions on public pages in the page's language, never a mixed form ("Hebei Sheng")."""

from __future__ import annotations

import pytest

from tsunagari.municipality.pages import region_label


@pytest.mark.parametrize(
    ("region", "country", "en", "ja"),
    [
        ("Hebei Sheng", "CN", "Hebei", "河北省"),  # ISO's romanised form becomes each language's own
        ("テキサス州", "US", "Texas", "テキサス州"),  # written in Japanese: kept as written on Japanese pages
        ("山形県", "JP", "Yamagata Prefecture", "山形県"),
        ("Nowhere Land", "US", "Nowhere Land", "Nowhere Land"),  # unknown to ISO 3166-2: as stored
        (None, "US", None, None),
    ],
)
def test_region_label(region: str | None, country: str, en: str | None, ja: str | None) -> None:
    assert region_label(region, country, "en") == en
    assert region_label(region, country, "ja") == ja
