"""CLAIR case records as text: the page split into labelled records under their format headings,
and the partners written in 交流の相手方 read into names, regions and countries. Reads only; nothing
here looks anything up in the registry."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from tsunagari.common.encoding import control_character, control_reason
from tsunagari.errors import InvalidInput, Problem
from tsunagari.exchange.models import ProgrammeFormat
from tsunagari.reference.countries import resolve_country
from tsunagari.reference.japan import load_japanese_local_governments

OWNER_LABEL: Final = "情報提供自治体名"
YEARS_LABEL: Final = "実施年度"
TITLE_LABEL: Final = "事業名(活動名称)"
ORGANISER_LABEL: Final = "団体名"
PARTNERS_LABEL: Final = "交流の相手方"
CONTENT_LABEL: Final = "現在の取組内容及び成果"
DETAILS_LABEL: Final = "詳細情報"
LABELS: Final = (
    OWNER_LABEL,
    YEARS_LABEL,
    TITLE_LABEL,
    ORGANISER_LABEL,
    PARTNERS_LABEL,
    CONTENT_LABEL,
    DETAILS_LABEL,
)
# A heading is alone on its line; "①総会(隔年開催…)" inside a record is a numbered point, not a heading.
_HEADING = re.compile(r"(?:\d+\s*[.)]?\s*)?(会議形式の交流|人的交流)")
_HEADING_FORMATS: Final = {"会議形式の交流": ProgrammeFormat.conference, "人的交流": ProgrammeFormat.people}
# Page furniture after the last record.
_PAGE_END: Final = ("このページに関するお問い合せ先", "このページに関するお問い合わせ先", "ページの先頭へ")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without BOM), else Shift_JIS (CP932) as saved on Windows."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError:
            raise InvalidInput(
                "the file is neither UTF-8 nor Shift_JIS text", field="file", value=path.name
            ) from None
    found = control_character(text)
    if found is not None:  # a NUL or other control character: refused, naming its line
        line = text.count("\n", 0, text.index(found)) + 1
        raise InvalidInput(control_reason(found), field="file", value=path.name, row=line)
    return text


# ----------------------------------------------------------------------------- reading records
@dataclass
class _Value:
    line: int
    lines: list[str]

    def text(self) -> str:
        lines = [line.rstrip() for line in self.lines]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(line.strip() if i == 0 else line for i, line in enumerate(lines)).strip()


@dataclass
class _RawRecord:
    line: int
    format: ProgrammeFormat | None
    values: dict[str, _Value] = field(default_factory=dict)
    order: list[tuple[str, int]] = field(default_factory=list)


def _label_of(normalised: str) -> tuple[str, str] | None:
    """(label, rest of the line) when the line starts with a label followed by a space or nothing."""
    for label in LABELS:
        if normalised.startswith(label):
            rest = normalised[len(label) :]
            if not rest or rest[0].isspace():
                return label, rest
    return None


def read_records(text: str) -> tuple[list[_RawRecord], list[Problem]]:
    """Split the page into labelled records; page chrome before the first heading and after the
    last record is skipped. Problems name the line they are on."""
    records: list[_RawRecord] = []
    problems: list[Problem] = []
    current: _RawRecord | None = None
    value: _Value | None = None
    format_: ProgrammeFormat | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        normalised = _nfkc(raw).strip()
        heading = _HEADING.fullmatch(normalised)
        if heading is not None:
            current, value = None, None
            format_ = _HEADING_FORMATS[heading.group(1)]
            continue
        if normalised.startswith(_PAGE_END):
            break
        found = _label_of(normalised)
        if found is None:
            if value is not None:
                value.lines.append(raw)
            continue
        label, _ = found
        # The value keeps the source's own characters; the label was matched in NFKC, which keeps
        # the length of every character a label has.
        rest = raw.strip()[len(label) :]
        if label == OWNER_LABEL:
            if format_ is None:
                problems.append(
                    Problem(
                        "a record before any format heading (①会議形式の交流 or ②人的交流)",
                        field=OWNER_LABEL,
                        row=number,
                    )
                )
            current = _RawRecord(line=number, format=format_)
            records.append(current)
        elif current is None:
            problems.append(
                Problem(
                    f"{label} outside a record: a record starts with {OWNER_LABEL}", field=label, row=number
                )
            )
            value = None
            continue
        if label in current.values:
            problems.append(
                Problem(
                    f"{label} appears twice in the record that starts at line {current.line}",
                    field=label,
                    row=number,
                )
            )
        value = _Value(line=number, lines=[rest])
        current.values[label] = value
        current.order.append((label, number))
    for record in records:
        problems.extend(_structure_problems(record))
    return records, problems


def _structure_problems(record: _RawRecord) -> list[Problem]:
    problems = [
        Problem(
            f"the record that starts at line {record.line} has no {label}",
            field=label,
            row=record.line,
        )
        for label in LABELS
        if label not in record.values
    ]
    if problems:
        return problems
    expected = iter(LABELS)
    for label, line in record.order:
        if label != next(expected, None):
            return [
                Problem(
                    f"{label} is out of order: labels come as {' / '.join(LABELS)}", field=label, row=line
                )
            ]
    return []


# ----------------------------------------------------------------------------- partners
_PLACE_SUFFIXES: Final = (
    "特別自治道",
    "特別自治州",
    "自治区",
    "広域市",
    "特別市",
    "諸島",
    "市",
    "区",
    "町",
    "村",
    "県",
    "府",
    "都",
    "道",
    "州",
    "省",
    "郡",
    "島",
)
_REGION_SUFFIXES: Final = ("特別自治道", "自治区", "広域市", "特別市", "省", "州", "道", "県")
# Words that make a text a description of partners rather than a partner's name.
_DESCRIPTIVE: Final = ("に基づく", "に加入", "および", "及び", "など", "を含む", "その他", "参加")
_GENERIC: Final = frozenset(
    {"都市", "市", "町", "村", "区", "県", "自治体", "団体", "会員都市", "海外自治体", "姉妹都市", "友好都市"}
)
_SEPARATORS: Final = frozenset("・、,，／/")
_LIST_SEPARATORS: Final = _SEPARATORS | frozenset("~～〜")
_OPEN: Final = "(（「『【["
_CLOSE: Final = ")）」』】]"


def _split_top(text: str, separators: frozenset[str]) -> list[str]:
    """Split on separators outside brackets: 本会会員都市(2010年10月現在、10カ国20都市) stays whole."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif char in separators and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _wholly_bracketed(text: str) -> bool:
    """(…) with the opening bracket closed only at the very end."""
    if len(text) < 2 or text[0] not in "(（" or text[-1] not in ")）":
        return False
    depth = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return depth == 0


def _stem(name: str) -> str:
    for suffix in _PLACE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _place_like(name: str) -> bool:
    """Whether a piece of text reads as one place's name (ヌシャテル市, 全羅南道, Busan)."""
    text = _nfkc(name).strip()
    if not text or len(text) > 40 or text in _GENERIC:
        return False
    if re.search(r"[()\[\]「」【】0-9]", text) or any(word in text for word in _DESCRIPTIVE):
        return False
    if text.endswith(_PLACE_SUFFIXES):
        return bool(_stem(text))
    # A foreign name written without 市 or 州: katakana or Latin letters only.
    return re.fullmatch(r"[\u30A0-\u30FFA-Za-z .'\-]+", text) is not None


def _prefectures() -> tuple[str, ...]:
    names = [r.name for r in load_japanese_local_governments() if r.kind == "prefecture"]
    return tuple(sorted(names, key=len, reverse=True))


_PREFECTURES: Final = _prefectures()


def _country_code(text: str) -> str | None:
    if not text or re.search(r"[0-9()]", text):
        return None
    try:
        return resolve_country(text).alpha2
    except InvalidInput:
        return None


def _country_prefix(text: str) -> tuple[str, str] | None:
    """(ISO code, the rest) for 'スイス ヌシャテル市' or '韓国慶尚南道昌原市'; the longest country wins."""
    spaced = re.match(r"(\S+?)[\s\u3000]+(\S.*)$", text)
    if spaced is not None:
        code = _country_code(spaced.group(1))
        if code is not None:
            return code, spaced.group(2).strip()
    for end in range(len(text) - 2, 1, -1):
        code = _country_code(text[:end])
        if code is not None:
            return code, text[end:].lstrip("・ \u3000")
    return None


def _split_region(text: str) -> tuple[str | None, str]:
    """慶尚南道昌原市 -> (慶尚南道, 昌原市): the longest leading region that leaves a whole name."""
    best: tuple[str | None, str] = (None, text)
    for index in range(2, len(text) - 1):
        region, rest = text[:index], text[index:]
        if (
            region.endswith(_REGION_SUFFIXES)
            and _stem(region)
            and _stem(rest)
            and rest.endswith(_PLACE_SUFFIXES)
        ):
            best = (region, rest)
    return best


PieceKind = Literal["place", "country", "list", "text"]


@dataclass
class _Token:
    kind: PieceKind
    written: str
    name: str = ""
    country: str | None = None
    region: str | None = None
    inner: list[_Token] = field(default_factory=list)
    carries_country: bool = False


def _place_token(written: str, rest: str, country: str | None, carries: bool) -> _Token:
    region, name = _split_region(rest)
    if not _place_like(name):
        return _Token("text", written)
    return _Token("place", written, name=name, country=country, region=region, carries_country=carries)


def _classify(token: str) -> _Token:
    text = token.strip()
    normalised = _nfkc(text)
    for prefecture in _PREFECTURES:
        if normalised.startswith(prefecture):
            rest = normalised[len(prefecture) :].strip()
            if not rest:
                return _Token("place", text, name=prefecture, country="JP")
            if _place_like(rest):
                return _Token("place", text, name=rest, country="JP", region=prefecture)
            return _Token("text", text)
    code = _country_code(normalised)
    if code is not None:
        return _Token("country", text, name=text, country=code)
    prefixed = _country_prefix(normalised)
    if prefixed is not None:
        code, rest = prefixed
        if _wholly_bracketed(rest):
            inner = [_classify(part) for part in _split_top(rest[1:-1], _LIST_SEPARATORS)]
            if inner and all(t.kind == "place" for t in inner):
                for item in inner:
                    item.country = item.country or code
                return _Token("list", text, country=code, inner=inner)
            return _Token("text", text)
        return _place_token(text, rest, code, carries=True)
    return _place_token(text, normalised, None, carries=False)


@dataclass
class PartnerPiece:
    """One partner as written, with what was read from it; `descriptive` ones are never looked up."""

    written: str
    name: str
    country: str | None
    region: str | None
    descriptive: bool = False


@dataclass
class PartnersText:
    """交流の相手方 read: the partners it names, and what it says of members it does not name.

    `member_count` is the count it states (6カ国70自治体 → 70); `members` the counts and
    descriptions as written (各地域の政府知事・省長等), never partner names; `member_countries`
    the countries of members named only by country (中国、韓国) or in words (日仏自治体).
    """

    partners: list[PartnerPiece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    member_count: int | None = None
    members: list[str] = field(default_factory=list)
    member_countries: list[str] = field(default_factory=list)


# 6カ国70自治体, 加盟都市(66カ国・地域121都市), 10カ国20都市: the last number counts the members.
_MEMBER_COUNT = re.compile(r"(\d+)\s*(?:自治体|都市|団体|市町村)")
_COUNTRIES_COUNT = re.compile(r"\d+\s*[カヵヶケか箇]\s*国")
# 日仏自治体, 日韓海峡: Japan and one other country, each by its one-character name.
_PAIR_WITH_JAPAN: Final = {
    "仏": "FR", "米": "US", "韓": "KR", "中": "CN", "独": "DE", "英": "GB", "豪": "AU", "加": "CA",
    "露": "RU", "伊": "IT", "墨": "MX", "伯": "BR", "比": "PH", "蘭": "NL", "越": "VN", "印": "IN",
}  # fmt: skip
_CIRCLED: Final = re.compile(r"^[\u2460-\u2473\u3251-\u325f(（]?\d*[)）.]?\s*")


def countries_in_words(text: str) -> list[str]:
    """Countries a description names: 日仏 → FR; (日本10、中国6、韓国15) → JP, CN, KR."""
    normalised = _nfkc(text)
    found = [
        _PAIR_WITH_JAPAN[char] for char in re.findall(r"日([仏米韓中独英豪加露伊墨伯比蘭越印])", normalised)
    ]
    for inner in re.findall(r"[(（]([^()（）]*)[)）]", normalised):
        for part in _split_top(inner, _SEPARATORS):
            code = _country_code(re.sub(r"\d+\s*(?:団体|自治体|都市)?$", "", part).strip())
            if code is not None:
                found.append(code)
    return list(dict.fromkeys(found))


def member_count_of(text: str) -> int | None:
    """The members a description counts: 6カ国70自治体(…) → 70; None when it counts none."""
    normalised = _nfkc(text)
    counts = [int(n) for n in _MEMBER_COUNT.findall(_COUNTRIES_COUNT.sub("", normalised.split("(")[0]))]
    if not counts:
        inner = re.findall(r"[(（]([^()（）]*)[)）]", normalised)
        counts = [int(n) for part in inner for n in _MEMBER_COUNT.findall(_COUNTRIES_COUNT.sub("", part))]
    return counts[-1] if counts else None


def countries_of_members(organiser_text: str) -> list[str]:
    """Countries of members listed with their country in 団体名: ⑤アメリカ合衆国ハワイ州 → US."""
    found: list[str] = []
    for part in _split_top(_nfkc(organiser_text), frozenset("、,")):
        token = _classify(_CIRCLED.sub("", part))
        written_with_country = token.kind == "list" or (token.kind == "place" and token.carries_country)
        if written_with_country and token.country is not None:
            found.append(token.country)
    return list(dict.fromkeys(found))


def read_partners(text: str) -> PartnersText:
    """Partners, notes and what is said of the members in 交流の相手方.

    A line any part of which is not a name (6カ国70自治体(…), 各地域の政府知事・省長等) describes
    members: its count, its words and the countries it names are kept, never made partners. A
    country written alone and followed by no name (中国、韓国) is a country of the members.
    """
    result = PartnersText()
    pieces, result.notes = extract_partners(text, keep_descriptions=True)
    for piece in pieces:
        if not piece.descriptive:
            result.partners.append(piece)
        elif (
            piece.country is not None and piece.written == piece.name and _country_code(_nfkc(piece.written))
        ):
            result.member_countries.append(piece.country)
        else:
            result.members.append(piece.written)
            count = member_count_of(piece.written)
            if count is not None:
                result.member_count = (result.member_count or 0) + count
            result.member_countries.extend(countries_in_words(piece.written))
    result.member_countries = list(dict.fromkeys(result.member_countries))
    return result


def extract_partners(text: str, *, keep_descriptions: bool = False) -> tuple[list[PartnerPiece], list[str]]:
    """Partners and notes from 交流の相手方.

    Each line is split on ・ 、 , ／; a country written alone (中国・大連市、青島市) or before a
    name (大韓民国 釜山広域市、全羅南道) applies to the names after it on that line; a line any
    part of which is not a name (本会会員都市(2010年10月現在、10カ国20都市)) is kept whole.
    Lines starting with ※ or wholly in brackets are notes, not partners. Descriptions and countries
    named alone are left out unless `keep_descriptions` (then they are flagged `descriptive`).
    """
    pieces: list[PartnerPiece] = []
    notes: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        normalised = _nfkc(line)
        if normalised.startswith(("※", "*")) or _wholly_bracketed(normalised):
            notes.append(line)
            continue
        tokens = [_classify(part) for part in _split_top(line, _SEPARATORS)]
        if any(token.kind == "text" for token in tokens):
            pieces.append(PartnerPiece(line, line, None, None, descriptive=True))
            continue
        country: str | None = None
        waiting: _Token | None = None  # a country named alone, until a name follows it
        for token in tokens:
            if token.kind == "country":
                if waiting is not None:
                    pieces.append(PartnerPiece(waiting.written, waiting.written, waiting.country, None, True))
                country, waiting = token.country, token
                continue
            waiting = None
            for place in token.inner if token.kind == "list" else [token]:
                pieces.append(PartnerPiece(place.written, place.name, place.country or country, place.region))
            if token.carries_country:
                country = token.country
        if waiting is not None:
            pieces.append(PartnerPiece(waiting.written, waiting.written, waiting.country, None, True))
    unique: dict[str, PartnerPiece] = {}
    for piece in pieces:
        if keep_descriptions or not piece.descriptive:
            unique.setdefault(piece.written, piece)
    return list(unique.values()), notes
