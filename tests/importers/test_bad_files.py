"""Issue 17: hostile files given to an importer end in InvalidInput (exit 2 from the CLI) naming the file,
row or column — never a traceback or gigabytes of memory: NUL bytes, a cell at XFD1048576, zip bombs, XML
entities and billion laughs, JSON nested 100,000 deep, files over the size limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tsunagari.errors import InvalidInput
from tsunagari.importers import tabular
from tsunagari.importers.tabular import read_table

COLUMNS = ("municipality", "partner", "notes")


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def _replace_member(path: Path, member: str, content: bytes) -> None:
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info))
    path.write_bytes(out.getvalue())


def test_a_csv_with_a_nul_byte_names_the_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes("municipality,partner,notes\n武蔵野市,Laval,a\x00b\n".encode())
    table = read_table(path, known_columns=COLUMNS)
    problems = [p for p in table.problems if "control character" in p.reason]
    assert [(p.row, p.field) for p in problems] == [(2, "notes")]


def test_an_xlsx_with_a_control_character_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "c.xlsx", [list(COLUMNS), ["武蔵野市", "Laval", "x"]])
    _replace_member(
        path,
        "xl/worksheets/sheet1.xml",
        zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").replace(b">x<", b">a&#x1F;b<"),
    )
    # XML 1.0 cannot hold U+001F at all: the workbook is refused as unreadable, not a traceback.
    with pytest.raises(InvalidInput, match="not readable as an Excel workbook"):
        read_table(path, known_columns=COLUMNS)


def test_a_cell_at_xfd1048576_is_refused_at_once(tmp_path: Path) -> None:
    """The finding: a 5 kB file grew the importer to 6.6 GB."""
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active["XFD1048576"] = "far"
    path = tmp_path / "far.xlsx"
    workbook.save(path)
    assert path.stat().st_size < 10_000
    with pytest.raises(InvalidInput, match="row 1,048,576"):
        read_table(path, known_columns=COLUMNS)


def test_a_wide_sheet_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.cell(row=2, column=tabular.MAX_COLUMNS + 5, value="wide")
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    with pytest.raises(InvalidInput, match="column"):
        read_table(path, known_columns=COLUMNS)


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_XLSX_UNCOMPRESSED_BYTES", 1_000_000)
    path = _xlsx(tmp_path / "bomb.xlsx", [list(COLUMNS)])
    _replace_member(path, "xl/worksheets/sheet1.xml", b" " * 5_000_000)
    assert path.stat().st_size < 100_000
    with pytest.raises(InvalidInput, match="unpacks to 5,0"):
        read_table(path, known_columns=COLUMNS)


ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("sheet", [ENTITY, LAUGHS], ids=["entity", "billion-laughs"])
def test_xml_entities_are_refused(tmp_path: Path, sheet: bytes) -> None:
    """The finding: both ended in a traceback (exit 1)."""
    path = _xlsx(tmp_path / "entity.xlsx", [list(COLUMNS)])
    _replace_member(path, "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(InvalidInput, match="not readable as an Excel workbook"):
        read_table(path, known_columns=COLUMNS)


def test_json_nested_100000_deep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidInput, match="nested too deeply"):
        read_table(path, known_columns=COLUMNS)


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_text("municipality,partner,notes\n" + "武蔵野市,Laval,x\n" * 20)
    with pytest.raises(InvalidInput, match="the limit is 100"):
        read_table(path, known_columns=COLUMNS)


def test_the_partnerships_import_exits_2_on_a_nul_and_writes_nothing(
    cli_database: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from tsunagari.cli.main import app

    path = tmp_path / "nul.csv"
    path.write_bytes(
        "municipality,partner,partner_country,type\n武蔵野市,La\x00val,CA,sister_city\n".encode()
    )
    before = CliRunner().invoke(app, ["export", "partnerships", "--format", "json"]).output
    result = CliRunner().invoke(app, ["import", "partnerships", str(path)])
    assert result.exit_code == 2, result.output
    assert "control character" in result.output
    assert CliRunner().invoke(app, ["export", "partnerships", "--format", "json"]).output == before
