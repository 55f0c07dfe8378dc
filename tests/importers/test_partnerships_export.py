"""`export partnerships`: the v1 columns, byte-identical round trips through an empty registry, and
text that a spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import Databases
from tests.importers.test_partnerships_import import HEADER, empty_registry_copy, row, write_csv
from tsunagari.importers.partnerships import import_partnerships
from tsunagari.partnership.export import COLUMNS, FORMATS, ExportFormat, export_partnerships

FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture
def empty_registry(databases: Databases) -> Iterator[Engine]:
    yield from empty_registry_copy(databases)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_the_v1_header_exactly_and_a_bom_for_excel(session: Session) -> None:
    data = export_partnerships(session=session, format="csv")
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    rows = csv_rows(data)
    yakutsk = next(r for r in rows if r["partner"] == "ヤクーツク市")
    assert yakutsk == {
        **dict.fromkeys(COLUMNS, ""),
        "municipality": "村山市",
        "municipality_code": "062081",
        "municipality_prefecture": "山形県",
        "partner": "ヤクーツク市",
        "partner_name_en": "Yakutsk",
        "partner_country": "RU",
        "type": "sister_city",
        "signed_on": "1992-04-21",
        "status": "active",
        "source": yakutsk["source"],
    }
    assert yakutsk["source"].startswith("seed 002")
    brasov = next(r for r in rows if r["partner"] == "ブラショフ市")
    assert (brasov["municipality"], brasov["partner_country"], brasov["type"]) == (
        "武蔵野市",
        "RO",
        "exchange_city",
    )


def test_partnerships_with_an_organisation_are_left_out(session: Session) -> None:
    """村山市商工会–厚岸町商工会 (姉妹商工会, seed 002) has no municipality on either side."""
    rows = csv_rows(export_partnerships(session=session, format="csv"))
    assert len(rows) == 34
    assert not any("商工会" in r["municipality"] + r["partner"] for r in rows)


def test_the_precision_of_a_date_is_kept(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="172014",
                partner="蘇州市",
                partner_country="CN",
                type="姉妹都市",
                signed_on="1981",
            ),
        ],
    )
    import_partnerships(session=session, path=path)
    [suzhou] = [
        r for r in json.loads(export_partnerships(session=session, format="json")) if r["partner"] == "蘇州市"
    ]
    assert suzhou["signed_on"] == "1981" and suzhou["municipality"] == "金沢市" and suzhou["ended_on"] is None


@pytest.mark.parametrize("format", ["csv", "xlsx", "json"])
def test_export_is_deterministic(session: Session, format: ExportFormat) -> None:
    assert export_partnerships(session=session, format=format) == export_partnerships(
        session=session, format=format
    )


def test_xlsx_has_fixed_properties_and_member_times(session: Session) -> None:
    data = export_partnerships(session=session, format="xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.properties.created == workbook.properties.modified
    assert workbook.properties.created.year == 2000
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    # A code is text, so 062081 keeps its leading zero.
    codes = {c.value for c in sheet["B"][1:]}
    assert "062081" in codes


@pytest.mark.parametrize("format", ["csv", "xlsx", "json"])
def test_export_import_into_an_empty_registry_export_gives_the_same_bytes(
    session: Session, empty_registry: Engine, tmp_path: Path, format: ExportFormat
) -> None:
    first = export_partnerships(session=session, format=format)
    path = tmp_path / f"partnerships.{format}"
    path.write_bytes(first)
    with Session(empty_registry) as target:
        assert export_partnerships(session=target, format=format) != first  # really empty
        report = import_partnerships(session=target, path=path)
        assert (report.rows, report.created, report.review) == (34, 34, 0)
        target.commit()
    with Session(empty_registry) as target:
        second = export_partnerships(session=target, format=format)
        again = import_partnerships(session=target, path=path)
        assert again.unchanged == 34
    assert second == first


def test_a_name_that_looks_like_a_formula_is_exported_as_text_and_reimports_unchanged(
    session: Session, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="062081",
                partner=FORMULA,
                partner_country="US",
                type="sister_city",
                notes="-1 は負の数ではない",
            ),
        ],
    )
    assert import_partnerships(session=session, path=path).created == 1

    exported = export_partnerships(session=session, format="csv")
    [line] = [r for r in csv_rows(exported) if "HYPERLINK" in r["partner"]]
    assert line["partner"] == "'" + FORMULA and line["notes"] == "'-1 は負の数ではない"

    workbook = load_workbook(io.BytesIO(export_partnerships(session=session, format="xlsx")))
    [cell] = [c for c in workbook.active["D"] if c.value == FORMULA]
    assert cell.data_type == "s"
    assert cell.quotePrefix

    for format in FORMATS:
        again = tmp_path / f"again.{format}"
        again.write_bytes(export_partnerships(session=session, format=format))
        report = import_partnerships(session=session, path=again)
        assert (report.created, report.updated) == (0, 0), format
    assert export_partnerships(session=session, format="csv") == exported
