"""Activities (実施記録) from CSV / XLSX / JSON and from the command line's options.

An exchange office keeps its delegations, homestays and secondments in a spreadsheet: one row an
activity, costs in yen, dates as people write them (平成22年8月1日, 2010/8/1). Every row is checked
first; any invalid row means nothing is written, and the report names each row, field and value.
Importing the same file again changes nothing: an activity is found again by its programme, title
and start.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.fields import parse_field_text
from tsunagari.dates import parse_date
from tsunagari.errors import InvalidInput, Problem
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import DIRECTION_LABELS, Activity, Programme
from tsunagari.exchange.schemas import ActivityCreate, parse
from tsunagari.importers.tabular import Row, read_table

COLUMNS: Final = (
    "programme_id",
    "programme",
    "title",
    "start",
    "end",
    "direction",
    "place",
    "fields",
    "participants",
    "public_cost",
    "private_cost",
    "official_visit",
    "purpose",
    "purpose_published_on",
    "report_published_on",
    "report_medium",
    "outcomes",
    "source",
)
REQUIRED_COLUMNS: Final = ("title",)

_TRUE: Final = frozenset({"yes", "y", "true", "1", "はい", "公式", "○", "◯"})
_FALSE: Final = frozenset({"no", "n", "false", "0", "いいえ", "非公式", "×", ""})
# 派遣 → outbound …: the labels the pages show are accepted as well as the codes.
_DIRECTIONS: Final = {
    **{code: code for code in DIRECTION_LABELS},
    **{ja: code for code, (ja, _en) in DIRECTION_LABELS.items()},
    **{en.lower(): code for code, (_ja, en) in DIRECTION_LABELS.items()},
}


@dataclass
class ActivityLine:
    line: int
    programme_id: int
    title: str
    start_on: str | None
    outcome: str
    """created, updated or unchanged."""
    activity_id: int | None = None


@dataclass
class ActivitiesReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    lines: list[ActivityLine] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "review": 0,
            "errors": [],
            "dry_run": self.dry_run,
            "activities": [line.__dict__ for line in self.lines],
        }


# ----------------------------------------------------------------------------- cells
def _yen(text: str, column: str) -> int | None:
    """1,200,000 / 1200000円 / ￥1,200,000 → 1200000; a negative sum is left for the schema to refuse."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("¥", "").removesuffix("円")
    if not cleaned:
        return None
    if not re.fullmatch(r"-?\d+", cleaned):
        raise InvalidInput("not a whole number of yen", field=column, value=text)
    return int(cleaned)


def _participants(text: str) -> dict[str, int]:
    """ "students=12; staff=3" (also 、 or , between, ：or : for =) → {"students": 12, "staff": 3}."""
    counts: dict[str, int] = {}
    normalised = unicodedata.normalize("NFKC", text).strip()
    if not normalised:
        return counts
    for part in re.split(r"[;、,]", normalised):
        if not part.strip():
            continue
        category, sep, number = part.replace(":", "=").partition("=")
        number = number.strip().removesuffix("人").removesuffix("名")
        if not sep or not re.fullmatch(r"-?\d+", number):
            raise InvalidInput(
                "write participants as category=count, separated by ; (students=12; staff=3)",
                field="participants",
                value=text,
            )
        counts[category.strip()] = int(number)
    return counts


def _fields(text: str) -> list[str] | None:
    """交流分野: codes or labels (教育、青少年 / education; youth), separated as the partnerships file's
    column is; an empty cell is None (a new activity takes its programme's fields, a stored one keeps its)."""
    if not text.strip():
        return None
    try:
        return parse_field_text(text)
    except ValueError as error:
        raise InvalidInput(str(error), field="fields", value=text) from None


def _flag(text: str, column: str) -> bool:
    value = unicodedata.normalize("NFKC", text).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput("write yes or no (はい / いいえ)", field=column, value=text)


def _direction(text: str) -> str | None:
    value = text.strip()
    if not value:
        return None
    code = _DIRECTIONS.get(value) or _DIRECTIONS.get(value.lower())
    if code is None:
        choices = ", ".join(f"{code} ({ja})" for code, (ja, _en) in DIRECTION_LABELS.items())
        raise InvalidInput(f"unknown direction; use one of {choices}", field="direction", value=text)
    return code


def _date(values: Mapping[str, str], column: str, target: dict[str, Any], precision: bool) -> None:
    text = values.get(column, "").strip()
    if not text:
        return
    written = parse_date(text, field=column)
    name = {"start": "start_on", "end": "end_on"}.get(column, column)
    target[name] = written.value
    if precision:
        target[f"{name}_precision"] = written.precision
    elif written.precision != "day":
        raise InvalidInput("give the day of publication", field=column, value=text)


def _programme_id(session: Session, values: Mapping[str, str]) -> int:
    """By id, or by the programme's exact title when only one programme has it."""
    raw = unicodedata.normalize("NFKC", values.get("programme_id", "")).strip()
    if raw:
        if not raw.isdigit():
            raise InvalidInput("not a programme id", field="programme_id", value=values["programme_id"])
        return programme_service.referenced_programme(session=session, programme_id=int(raw)).id
    title = values.get("programme", "").strip()
    if not title:
        raise InvalidInput("give programme_id or the programme's title", field="programme_id", value="")
    found = list(session.scalars(select(Programme.id).where(Programme.title == title).limit(2)))
    if len(found) != 1:
        reason = (
            "no programme has this title" if not found else "several programmes have this title; give its id"
        )
        raise InvalidInput(reason, field="programme", value=title)
    return found[0]


def activity_from_values(session: Session, values: Mapping[str, str]) -> ActivityCreate:
    """One activity from the text of a row (or of the CLI's options); raises InvalidInput naming fields."""
    problems: list[Problem] = []
    data: dict[str, Any] = {"title": values.get("title", "").strip()}

    def read(name: str, reader: Callable[[], Any]) -> None:
        # Every cell is read even after a bad one, so that the report names all of them at once.
        try:
            value = reader()
        except InvalidInput as error:
            problems.extend(error.problems)
            return
        if name:
            data[name] = value

    read("programme_id", lambda: _programme_id(session, values))
    for column in ("start", "end"):
        read("", partial(_date, values, column, data, precision=True))
    for column in ("purpose_published_on", "report_published_on"):
        read("", partial(_date, values, column, data, precision=False))
    read("direction", lambda: _direction(values.get("direction", "")))
    read("fields", lambda: _fields(values.get("fields", "")))
    read("participants", lambda: _participants(values.get("participants", "")))
    for column in ("public_cost", "private_cost"):
        read(column, partial(_yen, values.get(column, ""), column))
    read("official_visit", lambda: _flag(values.get("official_visit", ""), "official_visit"))
    for name in ("place", "purpose", "report_medium", "outcomes", "source"):
        text = values.get(name, "").strip()
        if text:
            data[name] = text
    try:
        # Checked even when a cell was unreadable, so that a negative cost on the same row is named too;
        # a programme that could not be found stands in as 0 for that check alone.
        activity_in = parse(ActivityCreate, {"programme_id": 0, **data})
    except InvalidInput as error:
        named = {problem.field for problem in problems}
        problems += [problem for problem in error.problems if problem.field not in named]
    if problems:
        raise InvalidInput(problems=problems)
    return activity_in


# ----------------------------------------------------------------------------- import
def _as_written(activity: Activity, activity_in: ActivityCreate) -> ActivityCreate:
    """The stored activity as a row would write it; a row without fields leaves them out of the comparison."""
    stored = {name: getattr(activity, name) for name in ActivityCreate.model_fields}
    if activity_in.fields is None:
        stored["fields"] = None
    return ActivityCreate.model_validate(stored)


def import_activities(*, session: Session, path: Path, dry_run: bool = False) -> ActivitiesReport:
    """Read, check every row, then write all of them (or, on any problem, none). Flushes only."""
    table = read_table(path, known_columns=COLUMNS, required_columns=REQUIRED_COLUMNS, json_key="activities")
    problems = list(table.problems)
    parsed: list[tuple[Row, ActivityCreate]] = []
    for row in table.rows:
        try:
            parsed.append((row, activity_from_values(session, row.values)))
        except InvalidInput as error:
            problems += [
                Problem(reason=p.reason, field=p.field, value=p.value, row=row.line) for p in error.problems
            ]
    if problems:
        raise InvalidInput(problems=problems)
    report = ActivitiesReport(rows=len(table.rows), dry_run=dry_run)
    seen: dict[tuple[int, str, Any], int] = {}
    for row, activity_in in parsed:
        key = (activity_in.programme_id, activity_in.title, activity_in.start_on)
        if key in seen:
            problems.append(
                Problem(
                    reason=f"repeats row {seen[key]} (same programme, title and start)",
                    field="title",
                    value=activity_in.title,
                    row=row.line,
                )
            )
        seen[key] = row.line
    if problems:
        raise InvalidInput(problems=problems)
    for row, activity_in in parsed:
        existing = activity_service.find_activity(
            session=session,
            programme_id=activity_in.programme_id,
            title=activity_in.title,
            start_on=activity_in.start_on,
        )
        activity_id = None if existing is None else existing.id
        if existing is None:
            outcome = "created"
            if not dry_run:
                activity_id = activity_service.record_activity(session=session, data=activity_in).id
        elif _as_written(existing, activity_in) == activity_in:
            outcome = "unchanged"
        else:
            outcome = "updated"
            if not dry_run:
                activity_service.update_activity(
                    session=session, activity=existing, changes=activity_in.model_dump()
                )
        setattr(report, outcome, getattr(report, outcome) + 1)
        report.lines.append(
            ActivityLine(
                line=row.line,
                programme_id=activity_in.programme_id,
                title=activity_in.title,
                start_on=activity_in.start_on.isoformat() if activity_in.start_on else None,
                outcome=outcome,
                activity_id=activity_id,
            )
        )
    session.flush()
    return report
