"""Read-only queries behind the portal's directory views (search filters and "did you mean"); flush-free,
never contacts. The portal's other reads stay in portal.service."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session

from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, fold
from tsunagari.partnership.models import NOT_CONCLUDED, Partnership
from tsunagari.portal.service import GRAM_LENGTH, NAME_GRAM

SUGGESTION_SCORE = 80
"""rapidfuzz's ratio (0–100) a whole name key must reach to be offered: "musashno" scores 94 against
"musashino", "brashov" 92 against "brasov"; one wrong character of a short CJK name weighs more
("武蔵の市" scores 75 against "武蔵野市"), hence a lower threshold for text outside ASCII."""
SHORT_SCORE = 70
SUGGESTIONS = 3
SUGGESTION_CANDIDATES = 500


def municipality_ids_with_partnership_type(*, session: Session, partnership_type: str) -> set[int]:
    """Municipalities that are a party of a concluded partnership of this type (either side)."""
    found = session.execute(
        select(Partnership.home_municipality_id, Partnership.partner_municipality_id).where(
            Partnership.type == partnership_type, Partnership.status.not_in(NOT_CONCLUDED)
        )
    )
    return {mid for pair in found for mid in pair if mid is not None}


@dataclass(frozen=True)
class Suggestion:
    """A municipality whose name is close to a search text that found nothing."""

    id: int
    name: str
    name_en: str | None
    matched: str
    score: float


# Built once, run with bound values: the candidates (names sharing enough slices, most shared first)
# stay inside the statement rather than coming back as a list of ids to send again.
_CANDIDATES = (
    select(NAME_GRAM.c.municipality_id)
    .where(NAME_GRAM.c.gram.in_(bindparam("grams", expanding=True)))
    .group_by(NAME_GRAM.c.municipality_id)
    .having(func.count() >= bindparam("least", type_=Integer))
    .order_by(func.count().desc(), NAME_GRAM.c.municipality_id)
    .limit(SUGGESTION_CANDIDATES)
)
_CANDIDATE_KEYS = select(MunicipalityName.key, MunicipalityName.municipality_id).where(
    MunicipalityName.municipality_id.in_(_CANDIDATES),
    ~MunicipalityName.key.startswith(SKELETON_PREFIX),
)
_NAMES = select(Municipality.id, Municipality.name, Municipality.name_en).where(
    Municipality.id.in_(bindparam("ids", expanding=True))
)


def suggestions(*, session: Session, q: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """ "Did you mean": municipalities with a name key (any script: kanji, kana, romaji, English) close to
    the folded search text, best first, one entry per municipality.

    Candidates come from the two-character slice index (municipality_name_gram): names sharing at least
    a third of the text's slices, most shared first, so no search reads every name. rapidfuzz rather
    than difflib then scores the candidates' whole keys (the same edit-distance ratio, in C; whole keys,
    not partial matches, which offer "usa" for "musashno").
    """
    key = fold(q)
    grams = sorted({key[i : i + GRAM_LENGTH] for i in range(len(key) - GRAM_LENGTH + 1)})
    if not grams:
        return []
    connection = session.connection()
    rows = connection.execute(_CANDIDATE_KEYS, {"grams": grams, "least": max(1, len(grams) // 3)}).all()
    keys = [k for k, _ in rows]
    cutoff = SHORT_SCORE if not key.isascii() else SUGGESTION_SCORE
    best: dict[int, tuple[float, str]] = {}
    for matched, score, index in process.extract(
        key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 8
    ):
        municipality_id = rows[index][1]
        if municipality_id not in best or score > best[municipality_id][0]:
            best[municipality_id] = (score, matched)
    chosen = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    if not chosen:
        return []
    names = {m.id: m for m in connection.execute(_NAMES, {"ids": [mid for mid, _ in chosen]})}
    return [
        Suggestion(mid, names[mid].name, names[mid].name_en, matched, score)
        for mid, (score, matched) in chosen
        if mid in names
    ]


def english_names(*, session: Session, municipality_ids: Collection[int]) -> dict[int, str]:
    """The English names of the municipalities that have one, in one query (for English pages)."""
    if not municipality_ids:
        return {}
    found = session.execute(
        select(Municipality.id, Municipality.name_en).where(
            Municipality.id.in_(sorted(municipality_ids)), Municipality.name_en.is_not(None)
        )
    )
    return {municipality_id: name_en for municipality_id, name_en in found if name_en}


def jis_codes(*, session: Session, municipality_ids: Collection[int]) -> dict[int, str]:
    """全国地方公共団体コード of the municipalities that have one, in one query (for list downloads)."""
    if not municipality_ids:
        return {}
    found = session.execute(
        select(Municipality.id, Municipality.jis_code).where(
            Municipality.id.in_(sorted(municipality_ids)), Municipality.jis_code.is_not(None)
        )
    )
    return {municipality_id: code for municipality_id, code in found if code}
