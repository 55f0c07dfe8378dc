"""`tsunagari policy check`: exit 1 when a report is overdue, 0 otherwise; --json for cron scripts."""

from __future__ import annotations

import datetime as dt
import json

import typer
from typer.testing import CliRunner

from tsunagari.cli import policy
from tsunagari.db import get_engine
from tsunagari.exchange import programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work

runner = CliRunner()
app = typer.Typer()
app.add_typer(policy.app, name="policy")


def _plan_visit(report_published_on: dt.date | None) -> None:
    with unit_of_work(get_engine()) as session:
        home = municipality_service.find_by_name(
            session=session, name="村山市", country="JP", region="山形県"
        )[0].id
        programme = programme_service.create_programme(
            session=session,
            data={"title": "ヤクーツク訪問", "format": "people", "owners": [{"municipality_id": home}]},
        )
        policy_service.create_visit(
            session=session,
            data={
                "programme_id": programme.id,
                "title": "公式訪問団",
                "municipality_id": home,
                "start_on": dt.date(2025, 8, 1),
                "end_on": dt.date(2025, 8, 5),
                "purpose_published_on": dt.date(2025, 7, 1),
                "citizen_meeting_on": dt.date(2025, 7, 10),
                "report_published_on": report_published_on,
            },
        )


def test_overdue_report_exits_1(cli_database: str) -> None:
    _plan_visit(report_published_on=None)
    # 村山市 only: the demo's illustrative activities give other municipalities findings of their own.
    within = runner.invoke(
        app, ["policy", "check", "--municipality", "村山市", "--today", "2025-09-01", "--json"]
    )
    assert within.exit_code == 0, within.output
    assert [f["code"] for f in json.loads(within.stdout)] == ["report_due"]
    late = runner.invoke(
        app, ["policy", "check", "--municipality", "村山市", "--today", "2025-09-05", "--json"]
    )
    assert late.exit_code == 1, late.output
    [finding] = json.loads(late.stdout)
    assert (
        finding["code"] == "report_overdue"
        and finding["status"] == "overdue"
        and finding["municipality"] == "村山市"
    )


def test_published_report_exits_0(cli_database: str) -> None:
    _plan_visit(report_published_on=dt.date(2025, 8, 20))
    result = runner.invoke(app, ["policy", "check", "--municipality", "村山市", "--today", "2025-12-01"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["policy", "check", "--today", "soon"])
    assert bad.exit_code == 2
