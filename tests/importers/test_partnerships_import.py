"""`import partnerships` at the service level, on SQLite and PostgreSQL: encodings, idempotence,
every invalid row reported with nothing written, and the review list for ambiguous partners."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import Databases
from tsunagari.db import make_engine
from tsunagari.errors import InvalidInput, Problem
from tsunagari.importers.partnerships import ImportRefused, import_partnerships
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.export import COLUMNS, export_partnerships

DATA = Path(__file__).parent / "data"
HEADER = ",".join(COLUMNS)


# ----------------------------------------------------------------------------- helpers and fixtures
def empty_registry_copy(databases: Databases) -> Iterator[Engine]:
    """A private registry with reference data only (no demo data) on the run's backend.

    The registry is built once per run (~20 s on SQLite) and shared with the export tests.
    """
    url = databases.copy(demo=False)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    databases.discard(url)


@pytest.fixture
def empty_registry(databases: Databases) -> Iterator[Engine]:
    yield from empty_registry_copy(databases)


def write_csv(
    directory: Path, lines: list[str], *, name: str = "partners.csv", encoding: str = "utf-8"
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def row(**values: str) -> str:
    """One CSV line with the given columns filled in, quoted as Excel would."""
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow([values.get(column, "") for column in COLUMNS])
    return line.getvalue()


def problems_of(session: Session, path: Path) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        import_partnerships(session=session, path=path)
    return refused.value.problems


def one(session: Session, name: str, region: str | None = None) -> Municipality:
    found = municipality_service.find_by_name(session=session, name=name, country="JP", region=region)
    assert len(found) == 1, [m.display_name() for m in found]
    return found[0]


# ----------------------------------------------------------------------------- encodings and idempotence
def test_shift_jis_and_utf8_with_and_without_bom_import_to_identical_records(
    session: Session, tmp_path: Path
) -> None:
    text = (DATA / "partners_v1.csv").read_text(encoding="utf-8")
    exports: dict[str, bytes] = {}
    for encoding in ("cp932", "utf-8-sig", "utf-8"):
        # The same file name: the default source ("import:<file>:line n") must not differ.
        path = tmp_path / encoding / "partners_v1.csv"
        path.parent.mkdir()
        path.write_bytes(text.encode(encoding))
        savepoint = session.begin_nested()
        report = import_partnerships(session=session, path=path)
        assert report.rows == 5 and report.review == 0 and report.errors == []
        exports[encoding] = export_partnerships(session=session, format="csv")
        savepoint.rollback()
    assert text.encode("cp932") != text.encode("utf-8")  # the files really differ byte for byte
    assert exports["cp932"] == exports["utf-8-sig"] == exports["utf-8"]


def test_imported_rows_keep_the_date_precision_and_the_type(session: Session) -> None:
    import_partnerships(session=session, path=DATA / "partners_v1.csv")
    murayama = {
        r.name: r for r in partnership_rows.partner_rows(session=session, municipality=one(session, "村山市"))
    }
    assert (murayama["ヤクーツク市"].type, murayama["ヤクーツク市"].signed_on) == (
        "sister_city",
        "1992-04-21",
    )
    assert murayama["ヤクーツク市"].precision == "day"
    akkeshi = partnership_rows.partner_rows(session=session, municipality=one(session, "厚岸町"))
    assert any(r.type == "friendship_city" and r.signed_on == "1991-07-15" for r in akkeshi)
    kanazawa = partnership_rows.partner_rows(session=session, municipality=one(session, "金沢市"))
    suzhou = next(r for r in kanazawa if r.country == "CN")
    assert (suzhou.type, suzhou.signed_on, suzhou.precision) == ("sister_city", "1981", "year")


def test_importing_the_same_file_twice_changes_nothing(session: Session) -> None:
    path = DATA / "partners_v1.csv"
    first = import_partnerships(session=session, path=path)
    assert first.created + first.updated == 5
    before = export_partnerships(session=session, format="csv")
    second = import_partnerships(session=session, path=path)
    assert second.as_json() | {"municipalities_created": 0} == {
        "rows": 5,
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "review": 0,
        "errors": [],
        "municipalities_created": 0,
        "dry_run": False,
    }
    assert export_partnerships(session=session, format="csv") == before


def test_dry_run_reports_what_would_change_and_writes_nothing(session: Session) -> None:
    before = export_partnerships(session=session, format="json")
    report = import_partnerships(session=session, path=DATA / "partners_v1.csv", dry_run=True)
    assert report.dry_run and report.rows == 5 and report.created >= 1  # 金沢市–蘇州市 is new
    assert export_partnerships(session=session, format="json") == before


def test_progress_is_reported_for_every_row(session: Session) -> None:
    seen: list[tuple[int, int]] = []
    import_partnerships(
        session=session, path=DATA / "partners_v1.csv", progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(n, 5) for n in range(1, 6)]


# ----------------------------------------------------------------------------- bad input
def test_every_invalid_row_is_named_and_nothing_is_written(session: Session) -> None:
    before = export_partnerships(session=session, format="csv")
    problems = problems_of(session, DATA / "invalid_rows.csv")
    by_row = {p.row: p for p in problems}
    assert sorted(by_row) == [3, 4, 6], [p.describe() for p in problems]
    assert (by_row[3].field, by_row[3].value) == ("signed_on", "平成31年5月1日")
    assert "令和元年5月1日" in by_row[3].reason
    assert (by_row[4].field, by_row[4].value) == ("municipality_code", "132031")
    assert "check digit" in by_row[4].reason
    assert (by_row[6].field, by_row[6].value) == ("partner_country", "Atlantis")
    assert "unknown country" in by_row[6].reason
    assert export_partnerships(session=session, format="csv") == before


def test_unknown_and_missing_columns_are_reported(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            "municipality,partner,partner_country,signed_on,contact_email",
            "村山市,ヤクーツク市,RU,平成4年4月21日,someone@example.org",
        ],
    )
    problems = {(p.row, p.field): p.reason for p in problems_of(session, path)}
    assert "unknown column" in problems[(1, "contact_email")]
    assert problems[(1, "type")] == "required column is missing"
    # The missing column is reported once for the file, not again on every row.
    assert (2, "type") not in problems


def test_a_file_without_any_home_column_is_refused(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["partner,partner_country,type", "ヤクーツク市,RU,sister_city"])
    problems = problems_of(session, path)
    assert [(p.row, p.field) for p in problems] == [(1, "municipality")]


def test_an_empty_partner_is_reported(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [HEADER, row(municipality_code="062081", partner="", partner_country="RU", type="姉妹都市")],
    )
    [problem] = problems_of(session, path)
    assert (problem.row, problem.field) == (2, "partner")


def test_an_ambiguous_home_is_refused_naming_the_candidates(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(municipality="府中市", partner="ブラショフ市", partner_country="RO", type="exchange_city"),
            row(
                municipality="村山市",
                municipality_prefecture="東京都",
                partner="ヤクーツク市",
                partner_country="RU",
                type="姉妹都市",
            ),
        ],
    )
    problems = problems_of(session, path)
    fuchu = next(p for p in problems if p.row == 2)
    assert fuchu.field == "municipality" and "東京都" in fuchu.reason and "広島県" in fuchu.reason
    wrong_prefecture = next(p for p in problems if p.row == 3)
    assert (wrong_prefecture.field, wrong_prefecture.value) == ("municipality_prefecture", "東京都")


def test_status_and_end_dates_are_checked_together(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="062081",
                partner="ヤクーツク市",
                partner_country="RU",
                type="姉妹都市",
                status="継続中",
                ended_on="2020",
            ),
            row(
                municipality_code="062081",
                partner="バリー市",
                partner_country="CA",
                type="交流都市",
                status="dormant",
            ),
            row(municipality_code="062081", partner="ヤクーツク市", partner_country="RU", type="twin town"),
        ],
    )
    problems = {(p.row, p.field) for p in problems_of(session, path)}
    assert problems == {(2, "status"), (3, "status"), (4, "type")}


def test_an_end_date_alone_means_the_partnership_has_ended(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="062081",
                partner="ヤクーツク市",
                partner_country="RU",
                type="姉妹都市",
                signed_on="平成4年4月21日",
                ended_on="令和2年",
            ),
        ],
    )
    assert import_partnerships(session=session, path=path).updated == 1
    yakutsk = next(
        r
        for r in partnership_rows.partner_rows(session=session, municipality=one(session, "村山市"))
        if r.name == "ヤクーツク市"
    )
    assert yakutsk.status == "ended"


def test_a_code_that_lost_its_zero_or_its_check_digit_still_finds_the_home(
    session: Session, tmp_path: Path
) -> None:
    """Excel saves 062081 (村山市) as 62081; 13203 is 武蔵野市's code without its check digit."""
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(municipality_code="62081", partner="ヤクーツク市", partner_country="RU", type="姉妹都市"),
            row(
                municipality_code="13203", partner="ブラショフ市", partner_country="RO", type="exchange_city"
            ),
        ],
    )
    report = import_partnerships(session=session, path=path)
    assert (report.created, report.review) == (0, 0)


# ----------------------------------------------------------------------------- other formats
def test_xlsx_rows_are_numbered_as_excel_shows_them_and_numeric_codes_keep_their_zero(
    session: Session, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    values = dict.fromkeys(COLUMNS)
    # Excel turns a typed 062081 into the number 62081.
    sheet.append(
        [
            {
                **values,
                "municipality_code": 62081,
                "partner": "ヤクーツク市",
                "partner_country": "RU",
                "type": "姉妹都市",
                "signed_on": "平成4年4月21日",
            }[c]
            for c in COLUMNS
        ]
    )
    sheet.append([None] * len(COLUMNS))  # a blank row keeps its number
    sheet.append(
        [
            {
                **values,
                "municipality_code": "132039",
                "partner": "ブラショフ市",
                "partner_country": "RO",
                "type": "exchange_city",
                "signed_on": "平成31年5月1日",
            }[c]
            for c in COLUMNS
        ]
    )
    path = tmp_path / "partners.xlsx"
    workbook.save(path)
    [problem] = problems_of(session, path)
    assert (problem.row, problem.field) == (4, "signed_on")
    sheet.delete_rows(4)
    workbook.save(path)
    report = import_partnerships(session=session, path=path)
    assert (report.rows, report.updated + report.unchanged) == (1, 1)


def test_json_accepts_a_list_or_an_object_and_numbers_rows_from_one(session: Session, tmp_path: Path) -> None:
    good = {
        "municipality_code": 62081,  # a number: the leading zero is put back
        "partner": "ヤクーツク市",
        "partner_country": "RU",
        "type": "sister_city",
        "signed_on": "1992-04-21",
    }
    bad = {**good, "partner_country": "Atlantis", "fax": None}
    path = tmp_path / "partners.json"
    path.write_text(json.dumps({"partnerships": [good, bad]}, ensure_ascii=False), encoding="utf-8")
    problems = {(p.row, p.field) for p in problems_of(session, path)}
    assert problems == {(2, "partner_country"), (2, "fax")}
    path.write_text(json.dumps([good]), encoding="utf-8")
    assert import_partnerships(session=session, path=path).rows == 1


def test_an_empty_json_list_imports_as_nothing(session: Session, tmp_path: Path) -> None:
    """An empty JSON list (what exporting an empty registry gives) has no columns to miss."""
    path = tmp_path / "partners.json"
    for document in ([], {"partnerships": []}):
        path.write_text(json.dumps(document), encoding="utf-8")
        report = import_partnerships(session=session, path=path)
        assert (report.rows, report.created, report.errors) == (0, 0, [])
    # A CSV header that lacks the columns is still refused, naming each.
    path = write_csv(tmp_path, ["notes"])
    fields = {p.field for p in problems_of(session, path)}
    assert {"municipality", "partner", "partner_country", "type"} <= fields


def test_an_undecodable_file_is_reported_clearly(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(HEADER.encode() + b"\r\n\x82\xff\xfe\x80,\r\n")
    with pytest.raises(InvalidInput) as raised:
        import_partnerships(session=session, path=path)
    [problem] = raised.value.problems
    assert (problem.field, problem.value) == ("FILE", "broken.csv")
    assert "UTF-8" in problem.reason and "Shift_JIS" in problem.reason


# ----------------------------------------------------------------------------- partners and the review list
def test_a_partner_settled_before_is_not_sent_to_review_again(session: Session, tmp_path: Path) -> None:
    """川上村 is in 長野県 and in 奈良県; Musashino's exchange partner (seed 000) is already linked."""
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(municipality_code="132039", partner="川上村", partner_country="JP", type="exchange_city"),
        ],
    )
    report = import_partnerships(session=session, path=path)
    assert (report.review, report.created) == (0, 0)


def test_an_ambiguous_partner_waits_on_the_review_list_until_a_person_chooses(
    empty_registry: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality="武蔵野市",
                municipality_prefecture="東京都",
                partner="川上村",
                partner_country="JP",
                type="交流都市",
            ),
            row(
                municipality="村山市",
                partner="ヤクーツク市",
                partner_name_en="Yakutsk",
                partner_country="RU",
                type="姉妹都市",
                signed_on="平成4年4月21日",
            ),
        ],
    )
    with Session(empty_registry) as session:
        musashino = one(session, "武蔵野市")
        report = import_partnerships(session=session, path=path)
        assert (report.rows, report.created, report.review) == (2, 1, 1)
        assert not [r for r in partnership_rows.partner_rows(session=session, municipality=musashino)]
        [item] = names_service.open_reviews(session=session)
        assert (item.text, item.country) == ("川上村", "JP")
        assert {c["region"] for c in item.candidates} == {"長野県", "奈良県"}

        again = import_partnerships(session=session, path=path)
        assert (again.review, again.unchanged) == (1, 1)
        assert len(names_service.open_reviews(session=session)) == 1

        kawakami = one(session, "川上村", region="長野県")
        names_service.resolve_review(session=session, item_id=item.id, target=str(kawakami.id))
        [partner] = partnership_rows.partner_rows(session=session, municipality=musashino)
        assert (partner.partner_id, partner.name, partner.type) == (kawakami.id, "川上村", "exchange_city")
        assert names_service.open_reviews(session=session) == []

        settled = import_partnerships(session=session, path=path)
        assert (settled.review, settled.unchanged) == (0, 2)
        session.rollback()


def test_a_partner_from_the_gazetteer_is_added_to_the_registry_with_the_row_names(
    empty_registry: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="132039",
                partner="ブラショフ市",
                partner_name_en="Brașov",
                partner_country="ルーマニア",
                type="exchange_city",
            ),
        ],
    )
    with Session(empty_registry) as session:
        report = import_partnerships(session=session, path=path)
        assert (report.created, report.municipalities_created) == (1, 1)
        [brasov] = municipality_service.find_by_name(session=session, name="ブラショフ市", country="RO")
        assert brasov.geonameid is not None and brasov.name_en == "Brașov"
        assert municipality_service.find_by_name(session=session, name="Brasov", country="RO") == [brasov]
        session.rollback()


def test_a_foreign_partner_unknown_to_the_gazetteer_is_added_from_the_row(
    empty_registry: Engine, tmp_path: Path
) -> None:
    """Seed 000: Musashino's partner 江東区 of Seoul is a district, absent from the city gazetteer."""
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="132039",
                partner="江東区 (ソウル特別市)",
                partner_name_en="Gangdong District, Seoul",
                partner_country="KR",
                partner_region="ソウル特別市",
                type="交流都市",
            ),
        ],
    )
    with Session(empty_registry) as session:
        report = import_partnerships(session=session, path=path)
        assert (report.created, report.review, report.municipalities_created) == (1, 0, 1)
        [gangdong] = municipality_service.find_by_name(
            session=session, name="Gangdong District, Seoul", country="KR"
        )
        assert (gangdong.name, gangdong.region) == ("江東区 (ソウル特別市)", "ソウル特別市")
        assert gangdong.source == "import:partners.csv:line 2"
        session.rollback()
