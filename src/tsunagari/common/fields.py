"""The one vocabulary of exchange fields (交流分野) in Japanese, English and Korean; shared ground: imports
nothing of tsunagari's domains. Codes are stored, never renamed: new fields get new codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class ExchangeField:
    code: str
    ja: str
    en: str
    ko: str
    gaok: str | None
    """The GAOK field (Governors Association of Korea) it corresponds to, in Korean; None when GAOK has
    no field of its own for it."""


# The order is the order forms, filters and statistics show them in.
FIELDS: Final[tuple[ExchangeField, ...]] = (
    ExchangeField("administration", "行政", "Administration", "행정", "행정"),
    ExchangeField("staff", "職員交流", "Staff exchange", "공무원 교류", "인적"),
    ExchangeField("citizens", "市民交流", "Citizens' exchange", "시민 교류", "인적"),
    ExchangeField("education", "教育", "Education", "교육", "교육"),
    ExchangeField("youth", "青少年", "Youth", "청소년", "청소년"),
    ExchangeField("homestay", "ホームステイ", "Homestay", "홈스테이", "인적"),
    ExchangeField("culture", "文化・芸術", "Culture and arts", "문화·예술", "문화예술"),
    ExchangeField("sports", "スポーツ", "Sports", "체육", "체육"),
    ExchangeField("tourism", "観光", "Tourism", "관광", "관광"),
    ExchangeField("economy", "経済・産業", "Economy and trade", "경제·통상", "경제"),
    ExchangeField("agriculture", "農業", "Agriculture", "농업", "농업"),
    ExchangeField("environment", "環境", "Environment", "환경", "환경"),
    ExchangeField("disaster", "防災・災害支援", "Disaster prevention and relief", "재난·방재", None),
    ExchangeField("health", "保健・医療・福祉", "Health and welfare", "보건·복지", "보건복지"),
    ExchangeField("science", "科学技術", "Science and technology", "과학기술", None),
    ExchangeField("multicultural", "多文化共生", "Multicultural coexistence", "다문화 공생", None),
    ExchangeField("peace", "平和", "Peace", "평화", None),
    ExchangeField("other", "その他", "Other", "기타", "기타"),
)
BY_CODE: Final[dict[str, ExchangeField]] = {f.code: f for f in FIELDS}
FIELD_CODES: Final[tuple[str, ...]] = tuple(BY_CODE)
FIELD_LABELS: Final[dict[str, tuple[str, str]]] = {f.code: (f.ja, f.en) for f in FIELDS}
"""Code → (Japanese, English), the shape every label table of the UI has."""
FIELD_LABELS_KO: Final[dict[str, str]] = {f.code: f.ko for f in FIELDS}

# Other words for a field that people write (former labels included, so old files still read).
_SYNONYMS: Final[dict[str, str]] = {
    "文化": "culture",
    "芸術": "culture",
    "音楽": "culture",
    "漫画": "culture",
    "Culture": "culture",
    "経済": "economy",
    "産業": "economy",
    "商工": "economy",
    "Economy": "economy",
    "保健・医療": "health",
    "医療": "health",
    "福祉": "health",
    "Health": "health",
    "防災": "disaster",
    "防災・減災": "disaster",
    "Disaster prevention": "disaster",
    "災害支援": "disaster",
    "人事交流": "staff",
    "職員派遣": "staff",
    "民間交流": "citizens",
    "科学": "science",
}


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace("·", "・").replace("-", "_")


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.code, f.ja, f.en, f.ko, f.ko.replace("·", "")):
            names[_key(name)] = f.code
    for word, code in _SYNONYMS.items():
        names.setdefault(_key(word), code)
    return names


_NAMES: Final = _names()
# Between the fields of one cell: ; , 、 ／ / | or a line break (not ・, which joins one label's parts).
_SEPARATORS: Final = re.compile(r"[;；,，、/／|\n]+")


def field_code(text: str) -> str | None:
    """The code a field is written as (education, 教育, Education, 교육), or None."""
    return _NAMES.get(_key(text))


def field_codes(values: Iterable[str]) -> list[str]:
    """Codes for fields written as codes or labels in any of the three languages, in the order given,
    repeats dropped. 教育・青少年 is read as education and youth when it is not one label itself.
    Raises ValueError naming what it could not read."""
    codes: list[str] = []
    unknown: list[str] = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        code = field_code(text)
        if code is not None:
            codes.append(code)
            continue
        parts = [field_code(part) for part in re.split(r"[・·]", text) if part.strip()]
        if parts and all(parts):
            codes.extend(p for p in parts if p)
        else:
            unknown.append(text)
    if unknown:
        known = ", ".join(FIELD_CODES)
        raise ValueError(f"unknown field {', '.join(unknown)}; use a code or a label: {known}")
    return list(dict.fromkeys(codes))


def parse_field_text(text: str) -> list[str]:
    """A file's cell: fields separated by ; , 、 / or line breaks (education; youth / 教育、青少年)."""
    return field_codes(_SEPARATORS.split(text))


def field_text(codes: Iterable[str]) -> str:
    """The cell the export writes: codes joined by "; " (parse_field_text reads it back)."""
    return "; ".join(codes)
