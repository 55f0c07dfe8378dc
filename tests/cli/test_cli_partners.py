"""`tsunagari partners NAME`: the JSON shape scripts rely on, exit codes, homonyms."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tsunagari.cli.main import app

runner = CliRunner()

STABLE_KEYS = {
    "name",
    "name_en",
    "country",
    "region",
    "type",
    "type_label",
    "signed_on",
    "precision",
    "status",
    "domestic",
}


def test_musashino_lists_fifteen_partners_nine_in_japan(cli_database: str) -> None:
    result = runner.invoke(app, ["partners", "武蔵野市", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 15
    assert sum(1 for r in rows if r["domestic"]) == 9
    assert sum(1 for r in rows if not r["domestic"]) == 6
    for row in rows:
        assert row.keys() >= STABLE_KEYS
        assert len(row["country"]) == 2
    lubbock = next(r for r in rows if r["country"] == "US")
    assert lubbock["region"]


def test_takasaki_lists_five_with_the_seed_dates(cli_database: str) -> None:
    result = runner.invoke(app, ["partners", "高崎市", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted((r["signed_on"], r["precision"], r["type_label"]) for r in rows) == [
        ("1981-07-01", "day", "姉妹都市"),
        ("1981-10-02", "day", "姉妹都市"),
        ("1987-10-06", "day", "姉妹都市"),
        ("1990-08-01", "day", "姉妹都市"),
        ("2006-10-28", "day", "姉妹都市"),
    ]
    assert all(r["status"] == "active" and r["domestic"] is False for r in rows)


def test_the_table_view_shows_both_calendars(cli_database: str) -> None:
    result = runner.invoke(app, ["partners", "高崎市"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1981-07-01" in result.stdout and "昭和56年7月1日" in result.stdout


def test_an_ambiguous_name_exits_2_and_names_the_candidates(cli_database: str) -> None:
    result = runner.invoke(app, ["partners", "府中市", "--json"])
    assert result.exit_code == 2
    assert "東京都" in result.stderr and "広島県" in result.stderr
    narrowed = runner.invoke(app, ["partners", "府中市", "--prefecture", "東京都", "--json"])
    assert narrowed.exit_code == 0, narrowed.output
    assert json.loads(narrowed.stdout) == []


def test_an_unknown_name_exits_1(cli_database: str) -> None:
    result = runner.invoke(app, ["partners", "存在しない市", "--json"])
    assert result.exit_code == 1
    assert "存在しない市" in result.stderr


def test_a_jis_code_selects_the_municipality(cli_database: str) -> None:
    result = runner.invoke(app, ["partners", "132039", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 15
