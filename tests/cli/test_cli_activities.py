"""`tsunagari activities add|list|import`: impossible activities exit 2 naming the field and write nothing
(issue 5); a file is imported whole or not at all, and a second import changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tsunagari.audit.models import AuditEntry
from tsunagari.cli.main import app
from tsunagari.db import get_engine
from tsunagari.exchange import programme_service
from tsunagari.exchange.models import Activity
from tsunagari.municipality import service as municipality_service
from tsunagari.session import unit_of_work

runner = CliRunner()


def _programme() -> int:
    with unit_of_work(get_engine()) as session:
        home = municipality_service.find_by_name(session=session, name="村山市", country="JP")[0].id
        return programme_service.create_programme(
            session=session,
            data={"title": "バリー市青少年交流", "format": "people", "owners": [{"municipality_id": home}]},
        ).id


def _activity_count() -> int:
    with unit_of_work(get_engine()) as session:
        return session.scalar(select(func.count()).select_from(Activity)) or 0


def _audit_count() -> int:
    with unit_of_work(get_engine()) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_add_records_an_activity_with_era_dates_and_yen(cli_database: str) -> None:
    programme = _programme()
    result = runner.invoke(
        app,
        [
            "activities", "add", "--programme", str(programme), "--title", "第12回青少年派遣",
            "--start", "平成20年7月25日", "--end", "平成20年8月3日", "--direction", "派遣",
            "--participants", "students=10; staff=2", "--public-cost", "1,200,000円", "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    activity = json.loads(result.stdout)
    assert activity["programme_id"] == programme
    assert (activity["start_on"], activity["end_on"]) == ("2008-07-25", "2008-08-03")
    assert activity["direction"] == "outbound"
    assert activity["participants"] == {"students": 10, "staff": 2}
    assert activity["public_cost"] == 1_200_000
    listed = runner.invoke(app, ["activities", "list", "--programme", str(programme), "--json"])
    assert [a["title"] for a in json.loads(listed.stdout)] == ["第12回青少年派遣"]


@pytest.mark.parametrize(
    ("options", "field", "value"),
    [
        (["--start", "2010-08-10", "--end", "2010-08-01"], "end_on", "2010-08-01"),
        (["--participants", "students=-3"], "participants.students", "-3"),
        (["--public-cost", "-1"], "public_cost", "-1"),
        (["--private-cost", "-500"], "private_cost", "-500"),
        (["--start", "平成45年4月1日"], "start", "平成45年4月1日"),
        (["--direction", "sideways"], "direction", "sideways"),
    ],
)
def test_impossible_activities_exit_2_naming_the_field(
    cli_database: str, options: list[str], field: str, value: str
) -> None:
    programme = _programme()
    before = (_activity_count(), _audit_count())
    result = runner.invoke(
        app, ["activities", "add", "--programme", str(programme), "--title", "訪問団", *options]
    )
    assert result.exit_code == 2, result.output
    assert f"field '{field}'" in result.stderr and value in result.stderr, result.stderr
    assert (_activity_count(), _audit_count()) == before


def test_an_unknown_programme_exits_2_naming_programme_id(cli_database: str) -> None:
    before = _activity_count()
    result = runner.invoke(app, ["activities", "add", "--programme", "987654", "--title", "訪問団"])
    assert result.exit_code == 2, result.output
    assert "field 'programme_id'" in result.stderr and "987654" in result.stderr
    assert _activity_count() == before


def _write_csv(path: Path, programme: int, *rows: str) -> Path:
    header = "programme_id,title,start,end,direction,participants,public_cost,official_visit"
    path.write_text("\n".join([header, *(row.format(p=programme) for row in rows)]) + "\n", encoding="utf-8")
    return path


def test_import_is_whole_or_nothing_and_names_every_bad_row(cli_database: str, tmp_path: Path) -> None:
    programme = _programme()
    path = _write_csv(
        tmp_path / "activities.csv",
        programme,
        "{p},青少年派遣,2008-07-25,2008-08-03,outbound,students=10,1200000,はい",
        "{p},受入,2009-08-01,2009-07-20,inbound,students=8,,いいえ",
        "987654,教員交流,2009-10-01,,,,-5,no",
    )
    before = (_activity_count(), _audit_count())
    result = runner.invoke(app, ["activities", "import", str(path)])
    assert result.exit_code == 2, result.output
    report = result.stderr
    assert "row 3, field 'end_on'" in report
    assert "row 4, field 'programme_id', value 987654" in report or "row 4, field 'programme_id'" in report
    assert "row 4" in report and "public_cost" in report
    assert "row 2" not in report
    assert (_activity_count(), _audit_count()) == before


def test_import_twice_changes_nothing_and_xlsx_reads_the_same(cli_database: str, tmp_path: Path) -> None:
    programme = _programme()
    path = _write_csv(
        tmp_path / "activities.csv",
        programme,
        '{p},青少年派遣,平成20年7月25日,平成20年8月3日,派遣,students=10; staff=2,"1,200,000",はい',
        "{p},受入,2009-08-01,2009-08-10,inbound,students=8,,いいえ",
    )
    first = runner.invoke(app, ["activities", "import", str(path), "--json"])
    assert first.exit_code == 0, first.output
    assert (json.loads(first.stdout)["created"], json.loads(first.stdout)["unchanged"]) == (2, 0)
    audit_after_first = _audit_count()
    second = runner.invoke(app, ["activities", "import", str(path), "--json"])
    assert (json.loads(second.stdout)["created"], json.loads(second.stdout)["unchanged"]) == (0, 2)
    assert _audit_count() == audit_after_first
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["programme_id", "title", "start", "end", "direction", "participants", "public_cost"])
    sheet.append([programme, "受入", "2009-08-01", "2009-08-10", "inbound", "students=8", None])
    workbook.save(tmp_path / "activities.xlsx")
    third = runner.invoke(app, ["activities", "import", str(tmp_path / "activities.xlsx"), "--json"])
    assert third.exit_code == 0, third.output
    assert json.loads(third.stdout)["unchanged"] == 1
    assert _activity_count() >= 2


def test_dry_run_writes_nothing(cli_database: str, tmp_path: Path) -> None:
    programme = _programme()
    path = _write_csv(tmp_path / "a.csv", programme, "{p},青少年派遣,2008-07-25,,outbound,,,")
    before = _activity_count()
    result = runner.invoke(app, ["activities", "import", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1
    assert _activity_count() == before


def test_add_takes_fields_as_labels_and_defaults_to_the_programmes(cli_database: str) -> None:
    programme = _programme()
    with unit_of_work(get_engine()) as session:
        programme_service.update_programme(
            session=session,
            programme=programme_service.get_programme(session=session, programme_id=programme),
            changes={"fields": ["youth"]},
        )
    given = runner.invoke(
        app,
        [
            "activities",
            "add",
            "--programme",
            str(programme),
            "--title",
            "派遣",
            "--fields",
            "教育、スポーツ",
            "--json",
        ],
    )
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout)["fields"] == ["education", "sports"]
    plain = runner.invoke(
        app, ["activities", "add", "--programme", str(programme), "--title", "受入", "--json"]
    )
    assert json.loads(plain.stdout)["fields"] == ["youth"]
    before = _activity_count()
    refused = runner.invoke(
        app, ["activities", "add", "--programme", str(programme), "--title", "視察", "--fields", "宇宙開発"]
    )
    assert refused.exit_code == 2, refused.output
    assert "field 'fields'" in refused.stderr and "宇宙開発" in refused.stderr
    assert _activity_count() == before
