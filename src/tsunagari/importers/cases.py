"""CLAIR case records (seed 001) into programmes: labelled records under format headings; partners
resolved by name, and partner text that cannot be resolved kept and put on the review list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy.orm import Session

from tsunagari.dates import FiscalYears, parse_fiscal_years
from tsunagari.errors import InvalidInput, Problem
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import ProgrammeFormat, ProgrammePartner
from tsunagari.exchange.schemas import PartnerIn, PartyRef, ProgrammeCreate
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem
from tsunagari.reference.countries import resolve_country
from tsunagari.reference.japan import load_japanese_local_governments

PENDING_KIND: Final = "programme_partner"
# Limits of the columns these values are stored in.
MAX_TITLE: Final = 300
MAX_YEARS_TEXT: Final = 200
MAX_PARTNER_TEXT: Final = 500
MAX_URL: Final = 500

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
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")

# Words of the record that name a field; used only when a programme has no fields yet.
_FIELD_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "education": ("教育", "大学", "学校", "研修"),
    "culture": ("文化", "芸術"),
    "sports": ("スポーツ", "駅伝", "マラソン"),
    "youth": ("青少年", "青年", "中学生", "高校生", "小学生", "子ども"),
    "homestay": ("ホームステイ",),
    "environment": ("環境",),
    "tourism": ("観光",),
    "economy": ("経済", "通商", "ビジネス", "商談"),
    "disaster": ("防災", "災害"),
    "staff": ("職員",),
    "agriculture": ("農業", "農産"),
    "peace": ("平和",),
    "health": ("医療", "保健"),
}


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# ----------------------------------------------------------------------------- report
class CasesRefused(InvalidInput):
    """The text is malformed, so nothing was written; every problem names its line."""

    def __init__(self, summary: CasesReport) -> None:
        super().__init__(problems=summary.errors)
        self.summary = summary

    def report(self) -> str:
        # Problem.describe says "row"; a text file has lines.
        return "\n".join(_describe(problem) for problem in self.problems)


def _describe(problem: Problem) -> str:
    parts = [f"line {problem.row}"] if problem.row is not None else []
    if problem.field:
        parts.append(f"field '{problem.field}'")
    if problem.value not in (None, ""):
        parts.append(f"value {problem.value!r}")
    return f"{', '.join(parts)}: {problem.reason}" if parts else problem.reason


@dataclass
class CaseResult:
    """One record as imported: the `records` items of `import cases --json`."""

    line: int
    title: str
    owners: list[str]
    format: str
    fiscal_years_text: str
    fiscal_years: FiscalYears
    partners: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    outcome: str = ""

    def as_json(self) -> dict[str, Any]:
        years = self.fiscal_years.as_json(self.fiscal_years_text)
        years["held_fy"] = list(self.fiscal_years.held_fy)
        return {
            "title": self.title,
            "owners": self.owners,
            "format": self.format,
            "fiscal_years": years,
            "partners": self.partners,
            "unresolved": self.unresolved,
            "urls": self.urls,
            "line": self.line,
            "outcome": self.outcome,
        }


@dataclass
class CasesReport:
    """What an import did (or, with dry_run, would do); `as_json` is the stable `import cases --json`."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    review: int = 0
    errors: list[Problem] = field(default_factory=list)
    records: list[CaseResult] = field(default_factory=list)
    municipalities_created: int = 0
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "review": self.review,
            "errors": [
                {"line": p.row, "row": p.row, "field": p.field, "value": p.value, "reason": p.reason}
                for p in self.errors
            ],
            "records": [record.as_json() for record in self.records],
            "municipalities_created": self.municipalities_created,
            "dry_run": self.dry_run,
        }


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


def extract_partners(text: str) -> tuple[list[PartnerPiece], list[str]]:
    """Partners and notes from 交流の相手方.

    Each line is split on ・ 、 , ／; a country written alone (中国・大連市、青島市) or before a
    name (大韓民国 釜山広域市、全羅南道) applies to the names after it on that line; a line any
    part of which is not a name (本会会員都市(2010年10月現在、10カ国20都市)) is kept whole.
    Lines starting with ※ or wholly in brackets are notes, not partners.
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
        unique.setdefault(piece.written, piece)
    return list(unique.values()), notes


# ----------------------------------------------------------------------------- records to programmes
@dataclass
class CaseRecord:
    """A record that passed every check; owners are resolved, partners are still text."""

    line: int
    format: ProgrammeFormat
    owners: list[Municipality]
    fiscal_years_text: str
    fiscal_years: FiscalYears
    title: str
    title_note: str | None
    organiser_text: str | None
    partners_text: str
    partners: list[PartnerPiece]
    description: str | None
    details_text: str | None
    urls: list[str]


def _owners(session: Session, text: str, line: int) -> tuple[list[Municipality], list[Problem]]:
    """北海道/札幌市 -> 札幌市 in 北海道; 兵庫県 -> the prefecture; several separated by 、."""
    owners: list[Municipality] = []
    problems: list[Problem] = []
    for part in _split_top(_nfkc(text), frozenset("、,・")):
        prefecture, _, written = part.rpartition("/")
        name, region = written.strip(), prefecture.strip() or None
        found = municipality_service.find_by_name(session=session, name=name, country="JP", region=region)
        if region is not None:
            found = [m for m in found if m.region == region or m.name == region]
        if len(found) == 1:
            owners.append(found[0])
            continue
        reason = (
            "no Japanese local government of this name"
            if not found
            else f"ambiguous: {len(found)} local governments have this name; write it as 都道府県/市区町村"
        )
        problems.append(Problem(reason, field=OWNER_LABEL, value=part, row=line))
    if not owners and not problems:
        problems.append(Problem("the providing local government is required", field=OWNER_LABEL, row=line))
    return owners, problems


def _check_record(session: Session, raw: _RawRecord) -> tuple[CaseRecord | None, list[Problem]]:
    values = {label: raw.values[label].text() for label in LABELS}
    problems: list[Problem] = []
    owners, owner_problems = _owners(session, values[OWNER_LABEL], raw.values[OWNER_LABEL].line)
    problems.extend(owner_problems)
    years_line = raw.values[YEARS_LABEL].line
    years_text = values[YEARS_LABEL]
    years: FiscalYears | None = None
    try:
        years = parse_fiscal_years(years_text, field=YEARS_LABEL)
    except InvalidInput as error:
        problems.extend(
            Problem(p.reason, field=YEARS_LABEL, value=years_text, row=years_line) for p in error.problems
        )
    title_lines = values[TITLE_LABEL].splitlines()
    title = title_lines[0].strip() if title_lines else ""
    if not title:
        problems.append(Problem("the title is empty", field=TITLE_LABEL, row=raw.values[TITLE_LABEL].line))
    elif len(title) > MAX_TITLE:
        problems.append(
            Problem(
                f"longer than {MAX_TITLE} characters", field=TITLE_LABEL, row=raw.values[TITLE_LABEL].line
            )
        )
    if len(years_text) > MAX_YEARS_TEXT:
        problems.append(
            Problem(f"longer than {MAX_YEARS_TEXT} characters", field=YEARS_LABEL, row=years_line)
        )
    partners, _ = extract_partners(values[PARTNERS_LABEL])
    for piece in partners:
        if len(piece.written) > MAX_PARTNER_TEXT:
            problems.append(
                Problem(
                    f"a partner longer than {MAX_PARTNER_TEXT} characters",
                    field=PARTNERS_LABEL,
                    row=raw.values[PARTNERS_LABEL].line,
                )
            )
    if problems or years is None or raw.format is None:
        return None, problems
    details = values[DETAILS_LABEL]
    return (
        CaseRecord(
            line=raw.line,
            format=raw.format,
            owners=owners,
            fiscal_years_text=years_text,
            fiscal_years=years,
            title=title,
            title_note="\n".join(line.strip() for line in title_lines[1:] if line.strip()) or None,
            organiser_text=values[ORGANISER_LABEL] or None,
            partners_text=values[PARTNERS_LABEL],
            partners=partners,
            description=values[CONTENT_LABEL] or None,
            details_text=details or None,
            urls=list(dict.fromkeys(_URL.findall(_nfkc(details)))),
        ),
        [],
    )


def validate(*, session: Session, text: str) -> tuple[int, list[CaseRecord], list[Problem]]:
    """(number of records, the valid records, every problem with its line). Reads only."""
    raws, problems = read_records(text)
    if not raws and not problems:
        problems.append(Problem(f"no records: a record starts with {OWNER_LABEL}", row=1))
    valid: list[CaseRecord] = []
    for raw in raws:
        if any(label not in raw.values for label in LABELS) or raw.format is None:
            continue  # already reported
        record, record_problems = _check_record(session, raw)
        problems.extend(record_problems)
        if record is not None:
            valid.append(record)
    problems.sort(key=lambda p: p.row or 0)
    return len(raws), valid, problems


def infer_fields(*texts: str | None) -> list[str]:
    """Field codes whose words appear in the record, in the codes' order."""
    joined = "\n".join(t for t in texts if t)
    return [code for code, words in _FIELD_WORDS.items() if any(word in joined for word in words)]


@dataclass
class _Writer:
    session: Session
    source_name: str
    report: CasesReport

    def write(self, record: CaseRecord) -> None:
        resolved: list[Municipality | None] = []
        resolutions: list[names_service.Resolution] = []
        for piece in record.partners:
            partner, resolution = self._resolve(piece)
            resolved.append(partner)
            resolutions.append(resolution)
        source = f"import:{self.source_name}:line {record.line}"
        data = ProgrammeCreate(
            title=record.title,
            title_note=record.title_note,
            format=record.format,
            owners=[PartyRef(municipality_id=owner.id) for owner in record.owners],
            partners=[
                PartnerIn(
                    municipality_id=partner.id if partner is not None else None,
                    written_name=piece.written,
                    country=piece.country
                    if piece.country is not None
                    else (partner.country if partner else None),
                    region=piece.region,
                )
                for piece, partner in zip(record.partners, resolved, strict=True)
            ],
            fiscal_years_text=record.fiscal_years_text,
            description=record.description,
            organiser_text=record.organiser_text,
            partners_text=record.partners_text,
            details_text=record.details_text,
            urls=record.urls,
            # Every URL is kept in `urls`; the one shown as the source must fit its column.
            source_url=next((url for url in record.urls if len(url) <= MAX_URL), None),
            source=source,
        )
        result = exchange_service.upsert_programme(session=self.session, data=data)
        programme = result.programme
        if not programme.fields:
            programme.fields = infer_fields(
                record.title, record.title_note, record.organiser_text, record.description
            )
        case = CaseResult(
            line=record.line,
            title=record.title,
            owners=[owner.name for owner in record.owners],
            format=record.format.value,
            fiscal_years_text=record.fiscal_years_text,
            fiscal_years=record.fiscal_years,
            urls=record.urls,
            outcome=result.outcome,
        )
        for row, resolution in zip(result.partners, resolutions, strict=True):
            if row.resolved:
                case.partners.append(row.name)
                continue
            case.unresolved.append(row.written_name)
            self._send_to_review(row, resolution, source)
        setattr(self.report, result.outcome, getattr(self.report, result.outcome) + 1)
        self.report.records.append(case)

    def _resolve(self, piece: PartnerPiece) -> tuple[Municipality | None, names_service.Resolution]:
        """The partner's registry record (created from the gazetteer when needed), or the unsettled
        resolution. An exact registry name comes first, as in the partnerships importer."""
        unresolved = names_service.Resolution(
            piece.name, piece.country, piece.region, "unresolved", None, 0.0, []
        )
        if piece.descriptive:
            return None, unresolved
        found = municipality_service.find_by_name(
            session=self.session, name=piece.name, country=piece.country, region=piece.region
        )
        if len(found) == 1:
            return found[0], unresolved
        resolution = names_service.resolve(
            session=self.session, text=piece.name, country=piece.country, region=piece.region
        )
        if resolution.status == "matched" and resolution.match is not None:
            if resolution.match.source == "gazetteer":
                self.report.municipalities_created += 1
            municipality = names_service.materialise(
                session=self.session, candidate=resolution.match, written=piece.name
            )
            return municipality, resolution
        return None, resolution

    def _send_to_review(
        self, row: ProgrammePartner, resolution: names_service.Resolution, source: str
    ) -> None:
        self.report.review += 1
        if row.review_item_id is not None:
            item = self.session.get(ReviewItem, row.review_item_id)
            if item is not None and item.status == "open":
                return  # already waiting: a re-import does not ask twice
        item = names_service.send_to_review(
            session=self.session,
            resolution=resolution,
            source=source,
            pending={"kind": PENDING_KIND, "programme_partner_id": row.id, "programme_id": row.programme_id},
        )
        exchange_service.mark_for_review(session=self.session, partner=row, review_item_id=item.id)


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without BOM), else Shift_JIS (CP932) as saved on Windows."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            raise InvalidInput(
                "the file is neither UTF-8 nor Shift_JIS text", field="file", value=path.name
            ) from None


def import_cases(
    *,
    session: Session,
    path: Path | None = None,
    text: str | None = None,
    source_name: str | None = None,
    dry_run: bool = False,
) -> CasesReport:
    """Import CLAIR case records from a file or a string within the caller's transaction.

    Every record is checked first; if any is malformed, CasesRefused (an InvalidInput) names every
    problem by line and nothing is written. Writes run in a savepoint, so a dry run leaves the
    caller's transaction as it was. Re-importing the same text changes nothing.
    """
    if (path is None) == (text is None):
        raise InvalidInput("give either a file or a text", field="path")
    if path is not None:
        text = read_text(path)
        source_name = source_name or path.name
    assert text is not None
    text = text.removeprefix("\ufeff")
    rows, valid, problems = validate(session=session, text=text)
    report = CasesReport(rows=rows, dry_run=dry_run)
    if problems:
        report.errors = problems
        raise CasesRefused(report)
    with session.begin_nested() as savepoint:
        writer = _Writer(session=session, source_name=source_name or "text", report=report)
        for record in valid:
            writer.write(record)
        if dry_run:
            savepoint.rollback()
    return report


def link_pending_partner(*, session: Session, pending: dict[str, Any], municipality: Municipality) -> None:
    """Carry out a review answer: the partner text now names `municipality`."""
    partner = session.get(ProgrammePartner, int(pending["programme_partner_id"]))
    if partner is None:
        return  # the programme was deleted while the name waited; the alias is still learnt
    exchange_service.link_partner(session=session, partner_id=partner.id, municipality_id=municipality.id)
