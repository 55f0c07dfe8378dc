"""Municipality search: names in any script (through their folded keys) and profile texts, as
substrings, with the filters the listings take.

The statements are built once per shape (which filters a request uses, how the names are narrowed)
and executed with bound values: building and compiling a select per request cost three times the
query itself on a cold search.
"""

from __future__ import annotations

import functools
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    or_,
    select,
    table,
    union,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tsunagari.common.page import Page
from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, fold
from tsunagari.partnership.models import Partnership

# Two-character slices of every name key, kept by database triggers (migration 0007); a lightweight
# table clause because only the search reads it and only the triggers write it.
NAME_GRAM = table("municipality_name_gram", column("gram", String), column("municipality_id", Integer))
GRAM_LENGTH = 2
GRAMS_USED = 3
"""The rarest slices of the search text that narrow the candidates; every name is still checked."""
CANDIDATES_LISTED = 2_000
"""Up to this many candidates are looked up by id; past it (a common slice) the names are joined."""

SEARCH_COLUMNS = (
    Municipality.id,
    Municipality.name,
    Municipality.name_en,
    Municipality.kana,
    Municipality.kind,
    Municipality.country,
    Municipality.region,
    Municipality.jis_code,
    Municipality.lat,
    Municipality.lng,
    Municipality.status,
    Municipality.overview_ja,
    Municipality.overview_en,
)
"""What a search result shows: the API's summary and the results page's profile excerpt."""

NameMode = Literal["none", "scan", "ids", "joined1", "joined2", "joined3"]
"""How the names are narrowed: no name can match; one character (scan every key); the candidates'
ids, listed; or the candidates of 1–3 slices joined in the statement (a common slice)."""


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_GRAM_COUNTS = (
    select(NAME_GRAM.c.gram, func.count())
    .where(NAME_GRAM.c.gram.in_(bindparam("grams", expanding=True)))
    .group_by(NAME_GRAM.c.gram)
)


@functools.cache
def _candidates(grams_used: int) -> Select[Any]:
    """Ids of names holding each of the slices gram0 … gram{n-1}."""
    candidates = select(NAME_GRAM.c.municipality_id).where(
        NAME_GRAM.c.gram == bindparam("gram0", type_=String)
    )
    for n in range(1, grams_used):
        also = NAME_GRAM.alias(f"also{n}")
        candidates = candidates.where(
            exists().where(
                also.c.gram == bindparam(f"gram{n}", type_=String),
                also.c.municipality_id == NAME_GRAM.c.municipality_id,
            )
        )
    return candidates


@functools.cache
def _listed_candidates(grams_used: int) -> Select[Any]:
    return _candidates(grams_used).limit(CANDIDATES_LISTED + 1)


def _name_statement(mode: NameMode) -> Select[Any] | None:
    contains = and_(
        MunicipalityName.key.like(bindparam("pattern", type_=String), escape="\\"),
        ~MunicipalityName.key.startswith(SKELETON_PREFIX),
    )
    names = select(MunicipalityName.municipality_id)
    if mode == "none":
        return None
    if mode == "scan":
        return names.where(contains)
    if mode == "ids":
        return names.where(
            MunicipalityName.municipality_id.in_(bindparam("candidate_ids", expanding=True)), contains
        )
    return names.where(MunicipalityName.municipality_id.in_(_candidates(int(mode[-1]))), contains)


def _narrow_names(session: Session, key: str) -> tuple[NameMode, dict[str, Any]]:
    """How to find the names whose key contains `key`, and the values that takes.

    Candidates come from the slice index: a key containing `key` contains each of its slices. The
    real substring test then runs on the candidates' names only, so recall is that of a full scan.
    """
    values: dict[str, Any] = {"pattern": f"%{escape_like(key)}%"}
    grams = sorted({key[i : i + GRAM_LENGTH] for i in range(len(key) - GRAM_LENGTH + 1)})
    if not grams:  # one character: no slice to look up, scan the names
        return "scan", values
    connection = session.connection()
    counts: dict[str, int] = {
        gram: count for gram, count in connection.execute(_GRAM_COUNTS, {"grams": grams})
    }
    if len(counts) < len(grams):
        return "none", values  # a slice no name has: no name contains the text
    used = sorted(grams, key=lambda gram: (counts[gram], gram))[:GRAMS_USED]
    values.update({f"gram{n}": gram for n, gram in enumerate(used)})
    # The candidates first, as a list: given the whole statement at once, PostgreSQL guesses that a
    # LIKE '%…%' keeps almost no names and walks every name before the slice index.
    ids = connection.scalars(_listed_candidates(len(used)), values).all()
    if not ids:
        return "none", values
    if len(ids) <= CANDIDATES_LISTED:
        values["candidate_ids"] = list(ids)
        return "ids", values
    return cast(NameMode, f"joined{len(used)}"), values


def _has_no_partnership() -> ColumnElement[bool]:
    return ~or_(
        exists().where(Partnership.home_municipality_id == Municipality.id),
        exists().where(Partnership.partner_municipality_id == Municipality.id),
    )


@functools.cache
def _statements(
    text: NameMode | None, by_country: bool, by_prefecture: bool, by_kind: bool
) -> tuple[Select[*tuple[Any, ...]], Select[Any]]:
    """The page of results (with the total as a window count) and the count alone, for one shape."""
    conditions: list[ColumnElement[bool]] = []
    if text is not None:
        raw = bindparam("raw", type_=String)
        # The same condition as the partial index ix_municipality_with_overview, so only profiles are read.
        with_overview = or_(Municipality.overview_ja.is_not(None), Municipality.overview_en.is_not(None))
        overview_match = select(Municipality.id).where(
            with_overview,
            or_(
                Municipality.overview_ja.like(raw, escape="\\"),
                Municipality.overview_en.ilike(raw, escape="\\"),
            ),
        )
        names = _name_statement(text)
        conditions.append(
            Municipality.id.in_(overview_match if names is None else union(names, overview_match))
        )
    if by_country:
        conditions.append(Municipality.country == bindparam("country", type_=String))
    if by_prefecture:
        prefecture = bindparam("prefecture", type_=String)
        conditions.append(or_(Municipality.region == prefecture, Municipality.region_code == prefecture))
    if by_kind:
        conditions.append(Municipality.kind == bindparam("kind", type_=String))
    page = (
        select(*SEARCH_COLUMNS, func.count().over().label("total"))
        .where(*conditions)
        .order_by(_has_no_partnership(), Municipality.country != "JP", Municipality.jis_code, Municipality.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    count = select(func.count()).select_from(Municipality).where(*conditions)
    return page, count


def search_municipalities(
    *,
    session: Session,
    q: str | None = None,
    country: str | None = None,
    prefecture: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Row[Any]]:
    """Municipalities filtered by text, country, prefecture and kind, as rows of the columns the
    listings show (SEARCH_COLUMNS; attribute access like the model's, no ORM object per row).

    Text matches names in any script (through their folded keys) and the profile texts, as
    substrings: full recall for one- and two-character Japanese words (花火, 温泉), which word-based
    full-text indexes would miss.

    Order: those with partnerships first (what people look for), then by country, code and id,
    so pages are stable.
    """
    values: dict[str, Any] = {"limit": limit, "offset": offset}
    mode: NameMode | None = None
    if q:
        folded = fold(q)
        if not folded:
            raise InvalidInput("the search text is empty", field="q", value=q)
        mode, narrowing = _narrow_names(session, folded)
        values.update(narrowing, raw=f"%{escape_like(q.strip())}%")
    if country:
        values["country"] = country.upper()
    if prefecture:
        values["prefecture"] = prefecture
    if kind:
        values["kind"] = kind
    page, count = _statements(mode, bool(country), bool(prefecture), bool(kind))
    connection = session.connection()
    rows = connection.execute(page, values).all()
    if rows:
        total = int(rows[0].total)
    elif offset:
        total = connection.execute(count, values).scalar() or 0
    else:
        total = 0
    return Page(total=total, items=list(rows), limit=limit, offset=offset)
