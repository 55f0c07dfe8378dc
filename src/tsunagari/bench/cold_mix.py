"""The random mix traffic arrives as: every municipality that has partners, and at least 1,000 distinct
search words (names in several scripts, two-character Japanese words, misspellings), drawn the same
way (a fixed seed) for ours and for Datasette."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Engine, select, union

from tsunagari.bench import queries
from tsunagari.municipality.models import MunicipalityName
from tsunagari.partnership.models import Partnership

SEED = 19
SEARCH_WORDS = 1_200
TWO_CHARACTER_WORDS = 300
_KANJI_OR_KANA = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff]+$")


@dataclass(frozen=True)
class Mix:
    ids: list[int]
    """Every municipality that is a party to a partnership."""
    words: list[str]
    """Names (Latin, kanji, kana), two-character Japanese words and misspellings; all distinct."""
    two_character: list[str]
    """The two-character Japanese words alone."""


def municipalities_with_partners(engine: Engine) -> list[int]:
    statement = union(
        select(Partnership.home_municipality_id.label("id")).where(
            Partnership.home_municipality_id.is_not(None)
        ),
        select(Partnership.partner_municipality_id).where(Partnership.partner_municipality_id.is_not(None)),
    )
    with engine.connect() as connection:
        return sorted(int(value) for value in connection.scalars(statement) if value is not None)


def _misspelt(word: str, draw: random.Random) -> str:
    """One letter dropped, doubled or swapped with the next: what a hurried search box receives."""
    at = draw.randrange(1, len(word) - 1)
    how = draw.randrange(3)
    if how == 0:
        return word[:at] + word[at + 1 :]
    if how == 1:
        return word[:at] + word[at] + word[at:]
    return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]


def build_mix(engine: Engine) -> Mix:
    draw = random.Random(SEED)
    with engine.connect() as connection:
        names = sorted(set(connection.scalars(select(MunicipalityName.name).distinct())))
    latin = [n for n in names if n.isascii() and 4 <= len(n) <= 30 and n.replace(" ", "").isalpha()]
    japanese = [n for n in names if _KANJI_OR_KANA.match(n) and 2 <= len(n) <= 10]
    grams = sorted({n[i : i + 2] for n in japanese for i in range(len(n) - 1)})
    two = draw.sample(grams, min(TWO_CHARACTER_WORDS, len(grams)))
    words: dict[str, None] = dict.fromkeys(two)
    words.update(dict.fromkeys(draw.sample(japanese, min(300, len(japanese)))))
    words.update(dict.fromkeys(_misspelt(n, draw) for n in draw.sample(latin, min(250, len(latin)))))
    rest = [n for n in latin if n not in words]
    words.update(dict.fromkeys(draw.sample(rest, min(max(0, SEARCH_WORDS - len(words)), len(rest)))))
    return Mix(ids=municipalities_with_partners(engine), words=list(words), two_character=two)


def detail_paths(ids: list[int]) -> list[str]:
    return [f"/api/v1/municipalities/{i}" for i in ids]


def partners_paths(ids: list[int]) -> list[str]:
    return [f"/api/v1/partnerships?municipality={i}" for i in ids]


def search_paths(words: list[str]) -> list[str]:
    return [f"/api/v1/search?q={quote(w)}" for w in words]


def page_paths(ids: list[int]) -> list[str]:
    return [f"/municipalities/{i}" for i in ids]


def search_page_paths(words: list[str]) -> list[str]:
    return [f"/search?q={quote(w)}" for w in words]


def datasette_detail_paths(database: str, ids: list[int]) -> list[str]:
    return [f"/{database}/municipality.json?id={i}" for i in ids]


def datasette_partners_paths(database: str, ids: list[int]) -> list[str]:
    return [queries.query_path(database, queries.PARTNERS, id=i) for i in ids]


def datasette_search_paths(database: str, words: list[str]) -> list[str]:
    return [queries.search_path(database, w) for w in words]


def datasette_page_paths(database: str, ids: list[int]) -> list[str]:
    """Datasette's HTML row page, its nearest to our municipality page."""
    return [f"/{database}/municipality/{i}" for i in ids]
