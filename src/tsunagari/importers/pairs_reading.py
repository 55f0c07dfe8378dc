"""Reading a pairs CSV (city1,country1[,lat1,lng1],city2,country2[,lat2,lng2]): every row
validated into mentions, or the file refused naming each bad line, column, value and reason."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tsunagari.common.encoding import control_character, control_reason
from tsunagari.errors import InvalidInput, Problem
from tsunagari.importers.pairs_report import PairsRefused, PairsReport
from tsunagari.reference.countries import resolve_country

REQUIRED_COLUMNS = ("city1", "country1", "city2", "country2")
COORDINATE_COLUMNS = ("lat1", "lng1", "lat2", "lng2")
NAME_MAX_LENGTH = 200


def _refused(reason: str) -> PairsRefused:
    return PairsRefused(PairsReport(errors=[Problem(reason=reason, field="file")]))


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class Mention:
    """A city as one row writes it; identical mentions on many rows are one object."""

    name: str
    country: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class PairRow:
    line: int
    left: Mention
    right: Mention


def _decode(data: bytes) -> str:
    # Excel in Japan saves CSV as CP932; everything else we meet is UTF-8 with or without BOM.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refused("the file is neither UTF-8 nor Shift_JIS (CP932)")


def _header(cells: list[str]) -> tuple[dict[str, int], bool]:
    columns = [cell.strip().lower() for cell in cells]
    problems: list[Problem] = []
    known = set(REQUIRED_COLUMNS) | set(COORDINATE_COLUMNS)
    for column in columns:
        if column not in known:
            problems.append(Problem(reason="unknown column", field=column or "(blank)", row=1))
        elif columns.count(column) > 1:
            problems.append(Problem(reason="column given twice", field=column, row=1))
    problems += [
        Problem(reason="required column missing", field=column, row=1)
        for column in REQUIRED_COLUMNS
        if column not in columns
    ]
    present = [column for column in COORDINATE_COLUMNS if column in columns]
    if present and len(present) != len(COORDINATE_COLUMNS):
        problems += [
            Problem(reason="give all of lat1,lng1,lat2,lng2 or none", field=column, row=1)
            for column in COORDINATE_COLUMNS
            if column not in columns
        ]
    if problems:
        raise PairsRefused(PairsReport(errors=list({p.describe(): p for p in problems}.values())))
    return {column: index for index, column in enumerate(columns)}, bool(present)


def _side(
    cells: list[str], index: dict[str, int], side: str, line: int, with_coordinates: bool
) -> tuple[Mention | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(column: str) -> str:
        position = index[column]
        return cells[position].strip() if position < len(cells) else ""

    city, written_country = cell(f"city{side}"), cell(f"country{side}")
    country: str | None = None
    if not city:
        problems.append(Problem(reason="a city name is required", field=f"city{side}", value=city, row=line))
    elif len(city) > NAME_MAX_LENGTH:
        problems.append(
            Problem(
                reason=f"longer than {NAME_MAX_LENGTH} characters", field=f"city{side}", value=city, row=line
            )
        )
    if written_country:
        country = _country_code(written_country)
        if country is None:
            problems += _country_problems(written_country, f"country{side}", line)
    elif city:
        # A few rows leave the country blank and write it in the city cell ("Varna, Bulgaria"), or
        # name a territory as the city ("Falkland Islands"): the cell then carries the country.
        country = _country_code(city)
        if country is None:
            problems.append(
                Problem(
                    reason="a country is required (none is written, and the city cell names none)",
                    field=f"country{side}",
                    value=written_country,
                    row=line,
                )
            )
        else:
            place, _, rest = city.rpartition(",")
            if place.strip() and rest.strip():
                city = place.strip()
    lat = lng = None
    if with_coordinates:
        lat = _coordinate(cell(f"lat{side}"), f"lat{side}", 90.0, line, problems)
        lng = _coordinate(cell(f"lng{side}"), f"lng{side}", 180.0, line, problems)
    if problems or country is None:
        return None, problems
    return Mention(city, country, lat, lng), problems


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str | None:
    """ISO alpha-2 of a written country, None when it names none; a file repeats few names often."""
    try:
        return resolve_country(text).alpha2
    except InvalidInput:
        return None


def _country_problems(text: str, column: str, line: int) -> list[Problem]:
    """Why resolve_country refuses `text` (unknown, ambiguous, dissolved), placed on the line."""
    try:
        resolve_country(text, field=column)
    except InvalidInput as error:
        return [Problem(p.reason, p.field, p.value, line) for p in error.problems]
    return []


def _coordinate(text: str, column: str, limit: float, line: int, problems: list[Problem]) -> float | None:
    what = "latitude" if column.startswith("lat") else "longitude"
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(reason=f"{what} is not a number", field=column, value=text, row=line))
        return None
    if not math.isfinite(value) or abs(value) > limit:
        problems.append(
            Problem(
                reason=f"{what} must be between -{limit:g} and {limit:g}", field=column, value=text, row=line
            )
        )
        return None
    return value


def _control_problems(header: list[str], cells: list[str], line: int) -> list[Problem]:
    """A NUL or other control character in a cell: refused, naming the line and column."""
    problems = []
    for i, cell in enumerate(cells):
        found = control_character(cell)
        if found is not None:
            column = header[i].strip() if i < len(header) else f"column {i + 1}"
            problems.append(Problem(reason=control_reason(found), field=column, value=cell, row=line))
    return problems


def read_pairs(path: Path) -> tuple[list[PairRow], bool]:
    """Every row of the file, validated; PairsRefused names each bad line, column, value and reason.

    Returns the rows and whether the file carries coordinates. Line numbers count the header as 1.
    """
    reader = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _refused("the file is empty") from None
    index, with_coordinates = _header(header)
    rows: list[PairRow] = []
    problems: list[Problem] = []
    read = 0
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            read += 1
            problems += _control_problems(header, cells, line)
            left, left_problems = _side(cells, index, "1", line, with_coordinates)
            right, right_problems = _side(cells, index, "2", line, with_coordinates)
            problems += left_problems + right_problems
            if len(cells) > len(index):
                problems.append(Problem(reason="more cells than columns", field="row", row=line))
            if left is not None and right is not None:
                rows.append(PairRow(line, left, right))
        line = reader.line_num + 1
    if problems:
        raise PairsRefused(PairsReport(rows=read, errors=problems))
    return rows, with_coordinates
