"""CLAIR case records (seed 001) into programmes: the records read by cases_parsing are checked
(owners found in the registry, fiscal years, lengths), partners resolved by name, and partner text
that cannot be resolved kept and put on the review list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Final

from sqlalchemy.orm import Session

from tsunagari.dates import FiscalYears, parse_fiscal_years
from tsunagari.errors import InvalidInput, Problem
from tsunagari.exchange import programme_service
from tsunagari.exchange.models import ProgrammeFormat, ProgrammePartner
from tsunagari.exchange.schemas import PartnerIn, PartyRef, ProgrammeCreate
from tsunagari.importers.cases_parsing import (
    CONTENT_LABEL,
    DETAILS_LABEL,
    LABELS,
    ORGANISER_LABEL,
    OWNER_LABEL,
    PARTNERS_LABEL,
    TITLE_LABEL,
    YEARS_LABEL,
    PartnerPiece,
    PartnersText,
    _nfkc,
    _RawRecord,
    _split_top,
    countries_of_members,
    read_partners,
    read_records,
    read_text,
)
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem
from tsunagari.names.partners import resolve_partner
from tsunagari.names.pending import PendingAction, register

PENDING_KIND: Final = "programme_partner"
# Limits of the columns these values are stored in.
MAX_TITLE: Final = 300
MAX_YEARS_TEXT: Final = 200
MAX_PARTNER_TEXT: Final = 500
MAX_URL: Final = 500

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
    members: dict[str, Any] = field(default_factory=dict)

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
            "members": self.members,
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
    members: PartnersText
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
    read = read_partners(values[PARTNERS_LABEL])
    # Members written with their country in 団体名 (⑤アメリカ合衆国ハワイ州) count for the country.
    read.member_countries = list(
        dict.fromkeys(read.member_countries + countries_of_members(values[ORGANISER_LABEL]))
    )
    partners = read.partners
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
            members=read,
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
            # Counts and descriptions of members are never partners (issue 18 item 4).
            member_count=record.members.member_count,
            members_text="\n".join(record.members.members) or None,
            member_countries=record.members.member_countries,
            details_text=record.details_text,
            urls=record.urls,
            # Every URL is kept in `urls`; the one shown as the source must fit its column.
            source_url=next((url for url in record.urls if len(url) <= MAX_URL), None),
            source=source,
        )
        result = programme_service.upsert_programme(session=self.session, data=data)
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
            members={
                "count": record.members.member_count,
                "texts": record.members.members,
                "countries": record.members.member_countries,
            },
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
        """The partner's registry record (made from the gazetteer when needed), or the unsettled
        resolution: resolve_partner, as every importer, without making records of unknown names."""
        found = resolve_partner(
            session=self.session, name=piece.name, country=piece.country, region=piece.region
        )
        if found.new_to_registry:
            self.report.municipalities_created += 1
        return found.municipality, found.resolution

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
            pending=PendingProgrammePartner(programme_partner_id=row.id, programme_id=row.programme_id),
        )
        programme_service.mark_for_review(session=self.session, partner=row, review_item_id=item.id)


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


@register
@dataclass(frozen=True)
class PendingProgrammePartner(PendingAction):
    """A programme's partner text that waits on the review list for a person to name the municipality."""

    kind: ClassVar[str] = PENDING_KIND
    programme_partner_id: int
    programme_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"programme_partner_id": self.programme_partner_id, "programme_id": self.programme_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingProgrammePartner:
        programme_id = data.get("programme_id")
        return cls(int(data["programme_partner_id"]), int(programme_id) if programme_id is not None else None)

    def carry_out(self, *, session: Session, municipality: Municipality) -> None:
        """The partner text now names `municipality`."""
        partner = session.get(ProgrammePartner, self.programme_partner_id)
        if partner is None:
            return  # the programme was deleted while the name waited; the alias is still learnt
        programme_service.link_partner(
            session=session, partner_id=partner.id, municipality_id=municipality.id
        )
