"""Tabular files (CSV, XLSX, JSON) read into rows of text, each with the line number a person sees.

Encodings, control characters and the formula guard are shared ground (tsunagari.common.encoding). Every
file is read within limits (docs/security.md): its size, an XLSX's uncompressed size, rows and columns, a
JSON document's nesting; XML entities are refused (openpyxl parses with defusedxml). Whatever breaks them
is an InvalidInput naming the file, never a traceback or gigabytes of memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tsunagari.common.encoding import control_character, control_reason, decode_text, unguard_formula
from tsunagari.errors import InvalidInput, Problem

SUPPORTED_SUFFIXES: Final = (".csv", ".xlsx", ".json")

# Limits of what a file to import may hold: far beyond any registry's (the global corpus is 1.6 MB and
# 12,000 rows), far below what would exhaust a small server.
MAX_FILE_BYTES: Final = 64 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED_BYTES: Final = 256 * 1024 * 1024
MAX_ROWS: Final = 200_000
MAX_COLUMNS: Final = 200


@dataclass(frozen=True)
class Row:
    """One data row: `line` is the row number shown by a text editor or Excel (header = 1)."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    """The rows of a file and what is wrong with its header (unknown, missing or repeated columns)."""

    columns: list[str]
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)


# ----------------------------------------------------------------------------- reading
def read_table(
    path: Path,
    *,
    known_columns: Sequence[str],
    required_columns: Iterable[str] = (),
    json_key: str | None = None,
    code_columns: Mapping[str, int] | None = None,
) -> Table:
    """Read `path` by its suffix. Raises InvalidInput when the file cannot be read at all.

    `code_columns` names columns holding codes (column → digits): a spreadsheet that stored such a
    code as a number has dropped its leading zeros (062081 → 62081), which are put back.
    """
    if not path.is_file():
        raise InvalidInput("no such file", field="FILE", value=str(path))
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidInput(
            f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", field="FILE", value=path.name
        )
    data = path.read_bytes()
    if suffix == ".csv":
        columns, rows, cell_problems = _read_csv(data, path.name)
        header_line: int | None = 1
    elif suffix == ".xlsx":
        columns, rows, cell_problems = _read_xlsx(data, path.name, code_columns or {})
        header_line = 1
    elif suffix == ".json":
        columns, rows, cell_problems = _read_json(data, path.name, json_key, code_columns or {})
        header_line = None
    else:
        raise InvalidInput(
            f"unsupported file type; give one of {', '.join(SUPPORTED_SUFFIXES)}",
            field="FILE",
            value=path.name,
        )
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            f"the file has {len(rows):,} rows; the limit is {MAX_ROWS:,}", field="FILE", value=path.name
        )
    if suffix == ".json" and not rows:
        # A JSON file names its columns in its objects; an empty list (what exporting an empty
        # registry gives) has none to miss and imports as nothing.
        required_columns = ()
    problems = _header_problems(columns, known_columns, required_columns, header_line)
    if suffix == ".json":
        problems += _unknown_json_keys(rows, known_columns)
    return Table(
        columns=columns, rows=rows, problems=problems + cell_problems + _control_problems(columns, rows)
    )


def _control_problems(columns: Sequence[str], rows: Sequence[Row]) -> list[Problem]:
    """A NUL or other control character in a header or a cell: refused, naming the row and column."""
    problems: list[Problem] = []
    for column in columns:
        found = control_character(column)
        if found is not None:
            problems.append(Problem(control_reason(found), field=repr(column), value=column, row=1))
    for row in rows:
        for column, text in row.values.items():
            found = control_character(text) or control_character(column)
            if found is not None:
                problems.append(Problem(control_reason(found), field=column, value=text, row=row.line))
    return problems


def _header_problems(
    columns: Sequence[str], known: Sequence[str], required: Iterable[str], header_line: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            problems.append(Problem("column appears twice", field=column, value=column, row=header_line))
        seen.add(column)
        if column not in known and header_line is not None:
            problems.append(
                Problem(
                    f"unknown column; the columns are: {', '.join(known)}",
                    field=column,
                    value=column,
                    row=header_line,
                )
            )
    for column in required:
        if column not in seen:
            problems.append(Problem("required column is missing", field=column, row=header_line))
    return problems


def _unknown_json_keys(rows: Sequence[Row], known: Sequence[str]) -> list[Problem]:
    """JSON has no header: an unknown key is reported at the first object that uses it."""
    problems: list[Problem] = []
    reported: set[str] = set()
    for row in rows:
        for key in row.values:
            if key not in known and key not in reported:
                reported.add(key)
                problems.append(
                    Problem(
                        f"unknown column; the columns are: {', '.join(known)}",
                        field=key,
                        value=key,
                        row=row.line,
                    )
                )
    return problems


def _clean_header(cell: object) -> str:
    return unicodedata.normalize("NFC", str(cell if cell is not None else "")).strip()


def _beyond_header(line: int, texts: Sequence[str], width: int) -> list[Problem]:
    extra = [text for text in texts[width:] if text.strip()]
    if not extra:
        return []
    return [Problem("values beyond the last named column", value=", ".join(extra), row=line)]


def _read_csv(data: bytes, name: str) -> tuple[list[str], list[Row], list[Problem]]:
    text = decode_text(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput(
                "the file is empty: the first line must name the columns", field="FILE", value=name
            )
        columns = [_clean_header(cell) for cell in header]
        rows: list[Row] = []
        problems: list[Problem] = []
        # A quoted value may span lines; a row is numbered by the line it starts on.
        next_line = reader.line_num + 1
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                column: unguard_formula(cells[i]) if i < len(cells) else ""
                for i, column in enumerate(columns)
                if column
            }
            problems += _beyond_header(line, cells, len(columns))
            rows.append(Row(line=line, values=values))
    except csv.Error as error:
        raise InvalidInput(
            f"not readable as CSV: {error}", field="FILE", value=name, row=reader.line_num
        ) from None
    return [c for c in columns if c], rows, problems


def _check_xlsx_archive(data: bytes, name: str) -> None:
    """Before openpyxl opens it: a zip whose members unpack within the limit (a zip bomb does not)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InvalidInput(
            f"not readable as an Excel workbook (.xlsx): {error}", field="FILE", value=name
        ) from None
    # zipfile stops reading a member at its declared size, so the declared sizes bound the memory used.
    if unpacked > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise InvalidInput(
            f"the workbook unpacks to {unpacked:,} bytes; the limit is {MAX_XLSX_UNCOMPRESSED_BYTES:,}",
            field="FILE",
            value=name,
        )


def _read_xlsx(
    data: bytes, name: str, code_columns: Mapping[str, int]
) -> tuple[list[str], list[Row], list[Problem]]:
    from openpyxl import load_workbook

    _check_xlsx_archive(data, name)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            # Read-only: rows are parsed as they are read, so a sheet is never held whole in memory.
            workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
            try:
                return _xlsx_rows(workbook.worksheets[0], name, code_columns)
            finally:
                workbook.close()
    except InvalidInput:
        raise
    except Exception as error:  # defusedxml's EntitiesForbidden, a broken part, a bad zip: all bad input
        raise InvalidInput(
            f"not readable as an Excel workbook (.xlsx): {type(error).__name__}: {error}",
            field="FILE",
            value=name,
        ) from None


def _xlsx_rows(
    sheet: Any, name: str, code_columns: Mapping[str, int]
) -> tuple[list[str], list[Row], list[Problem]]:
    # The sheet's stated size first (Excel and openpyxl always state it): a cell at XFD1048576 is refused
    # here, before a row is read. Reading is bounded on both axes as well, whatever the sheet states.
    rows_stated, columns_stated = sheet.max_row, sheet.max_column
    if isinstance(rows_stated, int) and rows_stated > MAX_ROWS + 1:
        raise InvalidInput(
            f"the sheet reaches row {rows_stated:,}; the limit is {MAX_ROWS:,} rows", field="FILE", value=name
        )
    if isinstance(columns_stated, int) and columns_stated > MAX_COLUMNS:
        raise InvalidInput(
            f"the sheet reaches column {columns_stated:,}; the limit is {MAX_COLUMNS} columns",
            field="FILE",
            value=name,
        )
    lines = sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True)
    header = next(lines, None)
    if header is None or not any(cell is not None for cell in header):
        raise InvalidInput("the first sheet is empty: row 1 must name the columns", field="FILE", value=name)
    if len(header) > MAX_COLUMNS and header[MAX_COLUMNS] is not None:
        raise InvalidInput(f"more than {MAX_COLUMNS} columns", field="FILE", value=name, row=1)
    columns = [_clean_header(cell) for cell in header[:MAX_COLUMNS]]
    while columns and not columns[-1]:
        columns.pop()
    rows: list[Row] = []
    problems: list[Problem] = []
    for line, cells in enumerate(lines, start=2):
        if not any(cell is not None and cell != "" for cell in cells):
            continue
        if line > MAX_ROWS + 1:
            raise InvalidInput(f"more than {MAX_ROWS:,} rows", field="FILE", value=name, row=line)
        if len(cells) > MAX_COLUMNS and cells[MAX_COLUMNS] is not None:
            raise InvalidInput(f"more than {MAX_COLUMNS} columns", field="FILE", value=name, row=line)
        texts = [_cell_text(cell) for cell in cells[:MAX_COLUMNS]]
        if not any(text.strip() for text in texts):
            continue
        values: dict[str, str] = {}
        for i, column in enumerate(columns):
            if not column:
                continue
            cell = cells[i] if i < len(cells) else None
            text = texts[i] if i < len(texts) else ""
            width = code_columns.get(column)
            if width and isinstance(cell, int) and not isinstance(cell, bool):
                text = str(cell).zfill(width)
            values[column] = text
        problems += _beyond_header(line, texts, len(columns))
        rows.append(Row(line=line, values=values))
    return [c for c in columns if c], rows, problems


def _cell_text(cell: Any) -> str:
    """A cell as the text a person typed: whole numbers without '.0', dates without midnight."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _read_json(
    data: bytes, name: str, json_key: str | None, code_columns: Mapping[str, int]
) -> tuple[list[str], list[Row], list[Problem]]:
    try:
        document = json.loads(decode_text(data, name))
    except RecursionError:
        raise InvalidInput("JSON nested too deeply to read", field="FILE", value=name) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            field="FILE",
            value=name,
        ) from None
    if isinstance(document, dict) and json_key is not None and json_key in document:
        document = document[json_key]
    if not isinstance(document, list):
        wanted = f'a list of objects, or {{"{json_key}": [...]}}' if json_key else "a list of objects"
        raise InvalidInput(f"expected {wanted}", field="FILE", value=name)
    columns: list[str] = []
    rows: list[Row] = []
    problems: list[Problem] = []
    for index, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            problems.append(Problem("expected an object with the columns as keys", row=index, value=item))
            continue
        values: dict[str, str] = {}
        for key, value in item.items():
            column = _clean_header(key)
            if column not in columns:
                columns.append(column)
            if isinstance(value, dict | list):
                problems.append(
                    Problem("expected text, a number or null", field=column, value=value, row=index)
                )
                continue
            width = code_columns.get(column)
            if width and isinstance(value, int) and not isinstance(value, bool):
                value = str(value).zfill(width)
            values[column] = _cell_text(value)
        rows.append(Row(line=index, values=values))
    return columns, rows, problems
