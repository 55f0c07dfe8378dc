"""`tsunagari geocode` and `tsunagari review` through the CLI: JSON shapes, exit codes, no writes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tsunagari.cli.main import app

runner = CliRunner()


def geocode(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["geocode", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_katakana_and_latin_give_the_same_city(cli_database: str) -> None:
    katakana = geocode("ブラショフ市", "--country", "RO")
    latin = geocode("Brașov", "--country", "ルーマニア")
    assert katakana["match"] is not None and latin["match"] is not None
    assert katakana["match"]["id"] == latin["match"]["id"]  # type: ignore[index]
    for key in ("id", "name", "name_en", "country", "lat", "lng"):
        assert key in katakana["match"]  # type: ignore[operator]
    assert {"match", "confidence", "alternatives"} <= katakana.keys()


def test_fuchu_reports_two_candidates_and_writes_nothing(cli_database: str) -> None:
    before = runner.invoke(app, ["export", "partnerships", "--format", "json"]).stdout
    result = geocode("府中市", "--country", "JP")
    assert result["match"] is None
    alternatives = result["alternatives"]
    assert isinstance(alternatives, list) and len(alternatives) == 2
    assert sorted(a["region"] for a in alternatives) == ["広島県", "東京都"]
    review = runner.invoke(app, ["review", "list", "--json"])
    assert review.exit_code == 0 and json.loads(review.stdout) == []
    assert runner.invoke(app, ["export", "partnerships", "--format", "json"]).stdout == before


def test_an_unknown_country_exits_2(cli_database: str) -> None:
    result = runner.invoke(app, ["geocode", "Nara", "--country", "Atlantis", "--json"])
    assert result.exit_code == 2
    assert "Atlantis" in result.stderr


def test_resolving_an_unknown_review_item_fails(cli_database: str) -> None:
    result = runner.invoke(app, ["review", "resolve", "999", "--to", "1"])
    assert result.exit_code == 1
