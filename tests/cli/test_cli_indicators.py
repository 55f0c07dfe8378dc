"""`tsunagari analyze indicators --programme/--partnership [--explain]` and `/api/v1/indicators?programme=`
on the hand-computed fixture (tests/evaluation/verification_fixture.py): one programme's or one tie's
figures, the same on both surfaces, each figure's records listed, bad input refused naming the option."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.evaluation.test_programme_indicators import A1_2015_2020
from tests.evaluation.verification_fixture import TIE_A_2015_2020, Built, build
from tsunagari.cli.analyze import app as analyze_app
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app

runner = CliRunner()


def _built() -> Built:
    with unit_of_work(get_engine()) as session:
        return build(session, dt.date.today())


def test_one_programme_on_the_cli_and_the_api(cli_database: str) -> None:
    built = _built()
    result = runner.invoke(
        analyze_app,
        ["indicators", "--programme", "アルファ青少年派遣", "--from", "2015", "--to", "2020", "--json"],
    )
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["programme_id"] == built.programme_a1
    assert A1_2015_2020.items() <= row.items()
    with TestClient(create_app()) as client:
        by_id = client.get(
            "/api/v1/indicators", params={"programme": str(built.programme_a1), "from": "2015", "to": "2020"}
        )
        assert by_id.status_code == 200, by_id.text
        assert by_id.json() == [row]
        tie = client.get(
            "/api/v1/indicators", params={"partnership": built.tie_a, "from": "2015", "to": "2020"}
        )
        assert tie.status_code == 200 and TIE_A_2015_2020.items() <= tie.json()[0].items()
        explained = client.get(
            "/api/v1/indicators",
            params={"programme": str(built.programme_a1), "from": "2015", "to": "2020", "explain": "true"},
        ).json()[0]["explain"]
        records = {m["key"]: m["records"] for m in explained}
        assert len(records["participants"]) == 4 and any(
            "公式訪問 2020" in r for r in records["participants"]
        )
        for params in (
            {},
            {"municipality": "検証テスト市", "programme": "アルファ青少年派遣"},
            {"programme": "存在しない事業"},
            {"partnership": "999999999"},
        ):
            refused = client.get("/api/v1/indicators", params=params)
            assert refused.status_code == 422, (params, refused.text)
        unknown = client.get("/api/v1/indicators", params={"programme": "存在しない事業"})
        assert "programme" in unknown.text


def test_explain_lists_the_records_each_figure_of_a_programme_or_tie_counts(cli_database: str) -> None:
    built = _built()
    text = runner.invoke(
        analyze_app,
        ["indicators", "--programme", str(built.programme_a1), "--from", "2015", "--to", "2020", "--explain"],
    )
    assert text.exit_code == 0, text.output
    assert "アルファ青少年派遣" in text.stdout and "開始後年数" in text.stdout
    assert "公費 ÷ 参加者数" in text.stdout and "公式訪問 2020" in text.stdout
    assert "学校交流 2016" not in text.stdout  # the other programme's activity is not this one's record
    tie = runner.invoke(
        analyze_app,
        [
            "indicators",
            "--partnership",
            str(built.tie_a),
            "--from",
            "2015",
            "--to",
            "2020",
            "--explain",
            "--json",
        ],
    )
    assert tie.exit_code == 0, tie.output
    [row] = json.loads(tie.stdout)
    explained = {m["key"]: m for m in row["explain"]}
    assert explained["public_cost_yen"]["value"] == 3_100_000
    assert any("学校交流 2016" in r for r in explained["participants"]["records"])
    assert explained["years_since_signing"]["records"] == [f"partnership {built.tie_a}: 締結 2010-05-01"]


def test_the_cli_refuses_no_subject_two_subjects_and_unknown_ones(cli_database: str) -> None:
    built = _built()
    for args, option in (
        (["indicators", "--json"], "--municipality"),
        (
            ["indicators", "--municipality", "検証テスト市", "--partnership", str(built.tie_a)],
            "--municipality",
        ),
        (["indicators", "--programme", "存在しない事業"], "--programme"),
        (["indicators", "--programme", "アルファ"], "--programme"),
        (["indicators", "--partnership", "999999999"], "--partnership"),
    ):
        result = runner.invoke(analyze_app, args)
        assert result.exit_code == 2, (args, result.output)
        assert option in result.stderr, (args, result.stderr)
