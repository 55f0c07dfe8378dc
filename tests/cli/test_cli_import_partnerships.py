"""`tsunagari import partnerships FILE` and `export partnerships`: exit codes, the report on stderr,
the `--json` shape, and a database left as it was when any row is invalid."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from tsunagari.cli.main import app
from tsunagari.partnership.export import COLUMNS

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "importers" / "data"
REPORT_KEYS = {"rows", "created", "updated", "unchanged", "review", "errors"}
WIDE = {"COLUMNS": "250"}


def export_csv() -> bytes:
    result = runner.invoke(app, ["export", "partnerships", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_import_reports_counts_and_a_second_run_changes_nothing(cli_database: str) -> None:
    first = runner.invoke(app, ["import", "partnerships", str(DATA / "partners_v1.csv"), "--json"])
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report.keys() >= REPORT_KEYS
    assert report["rows"] == 5 and report["errors"] == [] and report["review"] == 0
    assert report["created"] + report["updated"] == 5

    before = export_csv()
    second = runner.invoke(app, ["import", "partnerships", str(DATA / "partners_v1.csv"), "--json"])
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout) | {"municipalities_created": 0} == {
        "rows": 5,
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "review": 0,
        "errors": [],
        "municipalities_created": 0,
        "dry_run": False,
    }
    assert export_csv() == before


def test_invalid_rows_exit_2_name_every_row_on_stderr_and_write_nothing(cli_database: str) -> None:
    before = export_csv()
    result = runner.invoke(app, ["import", "partnerships", str(DATA / "invalid_rows.csv")], env=WIDE)
    assert result.exit_code == 2
    stderr = " ".join(result.stderr.split())
    assert "row 3, field 'signed_on', value '平成31年5月1日': 平成 ended on 2019-04-30" in stderr
    assert "row 4, field 'municipality_code', value '132031': check digit should be 9, not 1" in stderr
    assert "row 6, field 'partner_country', value 'Atlantis': unknown country" in stderr
    assert "row 2" not in stderr and "row 5" not in stderr
    assert export_csv() == before


def test_invalid_rows_with_json_give_the_errors_on_stdout_too(cli_database: str) -> None:
    result = runner.invoke(app, ["import", "partnerships", str(DATA / "invalid_rows.csv"), "--json"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert [(e["row"], e["field"], e["value"]) for e in report["errors"]] == [
        (3, "signed_on", "平成31年5月1日"),
        (4, "municipality_code", "132031"),
        (6, "partner_country", "Atlantis"),
    ]
    assert all(e["reason"] for e in report["errors"])
    assert (report["rows"], report["created"], report["updated"]) == (5, 0, 0)


def test_dry_run_writes_nothing(cli_database: str) -> None:
    before = export_csv()
    result = runner.invoke(
        app, ["import", "partnerships", str(DATA / "partners_v1.csv"), "--dry-run"], env=WIDE
    )
    assert result.exit_code == 0, result.stderr
    assert "dry run" in result.stdout and "5 rows" in result.stdout
    assert export_csv() == before


def test_a_missing_file_is_invalid_input(cli_database: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "partnerships", str(tmp_path / "nothing.csv")])
    assert result.exit_code == 2
    assert "no such file" in " ".join(result.stderr.split())


def test_export_writes_each_format_to_stdout_or_a_file(cli_database: str, tmp_path: Path) -> None:
    csv_bytes = export_csv()
    assert csv_bytes.startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())

    as_json = runner.invoke(app, ["export", "partnerships", "--format", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert len(rows) == 34 and all(list(r) == list(COLUMNS) for r in rows)

    target = tmp_path / "partnerships.xlsx"
    as_xlsx = runner.invoke(app, ["export", "partnerships", "--format", "xlsx", "-o", str(target)])
    assert as_xlsx.exit_code == 0, as_xlsx.stderr
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet.max_row == 35 and [c.value for c in sheet[1]] == list(COLUMNS)


def test_commands_have_help() -> None:
    for command, opening in (
        (["import", "partnerships"], "Import partnerships (提携) from a file"),
        (["export", "partnerships"], "Export every partnership between municipalities"),
    ):
        result = runner.invoke(app, [*command, "--help"], env=WIDE)
        assert result.exit_code == 0
        assert opening in " ".join(result.stdout.split())
