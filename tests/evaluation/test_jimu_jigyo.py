"""The 事務事業評価シート: inputs entered through the actions (permission, validation, duplicates), the
figures computed by hand for a small programme, the XLSX (one sheet per programme, A4 landscape, フルコスト
= 直接事業費 + 人件費 + 間接費 each year) and PDF, the CLI on a demo programme, and the staff pages."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.staff_support import build_app, cookie_client, make_user
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.cli.report import app as report_app
from tsunagari.db import get_engine
from tsunagari.errors import Conflict, InvalidInput, PermissionDenied
from tsunagari.evaluation import actions
from tsunagari.exchange import activity_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.reports import jimu_jigyo, sheet_output
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD

runner = CliRunner()
ADMIN = Principal(0, "cli:test", "cli:test", Role.admin, via="cli")
TODAY = dt.date(2026, 5, 1)


def _setup(session: Session) -> tuple[int, int]:
    """評価テスト市's programme: FY2023 two activities (15 people, 500,000円), FY2024 one (20, 1,000,000)."""
    home = municipality_service.create(
        session=session, data=MunicipalityCreate(name="評価テスト市", name_en=None, country="JP")
    ).id
    programme = programme_service.create_programme(
        session=session,
        data={"title": "評価テスト青少年派遣", "format": "people", "owners": [{"municipality_id": home}]},
    ).id
    for title, on, people, cost, direction in (
        ("派遣 2023", dt.date(2023, 8, 1), {"students": 10}, 300_000, "outbound"),
        ("受入 2024-01", dt.date(2024, 1, 20), {"students": 5}, 200_000, "hosted"),
        ("派遣 2024", dt.date(2024, 8, 1), {"students": 18, "staff": 2}, 1_000_000, "outbound"),
    ):
        activity_service.record_activity(
            session=session,
            data={
                "programme_id": programme,
                "title": title,
                "start_on": on,
                "participants": people,
                "public_cost": cost,
                "direction": direction,
            },
        )
    return home, programme


def _enter(session: Session, home: int, programme: int, actor: Principal = ADMIN) -> None:
    actions.create_labour_cost(
        session=session, actor=actor, data={"municipality_id": home, "yen_per_fte": 8_000_000}
    )
    actions.create_programme_sheet(
        session=session,
        actor=actor,
        data={
            "programme_id": programme,
            "department": "国際交流課",
            "policy": "多文化共生のまちづくり",
            "basis": "青少年海外派遣事業実施要綱",
            "method": "direct",
            "target": "市内の中学生",
            "intent": "国際感覚を身につける",
            "activity_metric": "activities",
            "activity_indicator": "派遣・受入の回数",
            "outcome_metric": "participants",
        },
    )
    actions.create_programme_sheet_year(
        session=session,
        actor=actor,
        data={
            "programme_id": programme,
            "fiscal_year": 2023,
            "activity_target": 2,
            "outcome_target": 20,
            "budget_yen": 600_000,
            "regular_fte": 0.5,
            "part_time_cost_yen": 1_000_000,
            "indirect_cost_yen": 250_000,
            "fund_national_yen": 100_000,
        },
    )
    actions.create_programme_sheet_year(
        session=session,
        actor=actor,
        data={
            "programme_id": programme,
            "fiscal_year": 2024,
            "activity_target": 1,
            "outcome_target": 25,
            "regular_fte": 0.2,
            "indirect_cost_yen": 100_000,
            "necessity": "A",
            "necessity_comment": "青少年の国際理解は総合計画の重点",
            "overall": "expand",
            "overall_comment": "受入を増やす",
        },
    )


def test_the_sheet_counts_actuals_from_the_records_and_adds_up_the_full_cost(session: Session) -> None:
    home, programme = _setup(session)
    _enter(session, home, programme)
    sheet = jimu_jigyo.build(
        session=session, programme_id=programme, first_fy=2023, last_fy=2025, today=TODAY
    )
    assert sheet.activity.name == "派遣・受入の回数" and sheet.activity.actuals == (2, 1, 0)
    assert sheet.activity.targets == (2, 1, None) and sheet.activity.rates == (1.0, 1.0, None)
    assert sheet.outcome.name == "参加者数" and sheet.outcome.actuals == (15, 20, 0)
    fy2023, fy2024, fy2025 = sheet.years
    assert fy2023.direct_cost_yen == 500_000 and fy2023.budget_yen == 600_000
    assert fy2023.labour_cost_yen == 5_000_000  # 0.5 × 8,000,000 + 1,000,000
    assert fy2023.full_cost_yen == 5_750_000  # 500,000 + 5,000,000 + 250,000
    assert fy2023.fund_general_yen == 400_000 and fy2023.cost_per_outcome_yen == 383_333
    assert (fy2024.direct_cost_yen, fy2024.labour_cost_yen, fy2024.full_cost_yen) == (
        1_000_000,
        1_600_000,
        2_700_000,
    )
    assert (fy2025.direct_cost_yen, fy2025.full_cost_yen, fy2025.cost_per_outcome_yen) == (0, 0, None)
    assert sheet.evaluated_fy == 2024 and sheet.overall == "拡充"
    assert sheet.judgements[0].grade_label == "A 高い" and sheet.method == "直営"


def test_inputs_are_checked_and_refused_by_field(session: Session) -> None:
    home, programme = _setup(session)
    with pytest.raises(InvalidInput) as bad:
        actions.create_programme_sheet_year(
            session=session,
            actor=ADMIN,
            data={"programme_id": programme, "fiscal_year": 2023, "necessity": "Z", "regular_fte": -1},
        )
    fields = {p.field for p in bad.value.problems}
    assert {"necessity", "regular_fte"} <= fields
    with pytest.raises(InvalidInput) as money:
        actions.create_labour_cost(
            session=session, actor=ADMIN, data={"municipality_id": home, "yen_per_fte": -5}
        )
    assert money.value.problems[0].field == "yen_per_fte"
    _enter(session, home, programme)
    with pytest.raises(Conflict):
        actions.create_programme_sheet_year(
            session=session, actor=ADMIN, data={"programme_id": programme, "fiscal_year": 2023}
        )
    other_editor = Principal(1, "e@example.jp", "e", Role.editor, frozenset({home + 100_000}))
    with pytest.raises(PermissionDenied):
        actions.create_programme_sheet(session=session, actor=other_editor, data={"programme_id": programme})
    own_editor = Principal(2, "o@example.jp", "o", Role.editor, frozenset({home}))
    year = actions.create_programme_sheet_year(
        session=session, actor=own_editor, data={"programme_id": programme, "fiscal_year": 2025}
    )
    updated = actions.update_programme_sheet_year(
        session=session,
        actor=own_editor,
        programme_sheet_year_id=year.id,
        changes={"overall": "continue"},
        version=year.version,
    )
    assert updated.overall == "continue"


def _rows(ws: Worksheet) -> dict[tuple[str, str], list[object]]:
    """(区分 or 指標, 項目) → the values of the fiscal-year columns (E onwards)."""
    found: dict[tuple[str, str], list[object]] = {}
    for row in ws.iter_rows(values_only=True):
        if row[0] and row[1] is not None:
            key = (str(row[0]), str(row[3] if row[0] in ("活動指標", "成果指標") else row[1]))
            found[key] = list(row[4:])
    return found


def test_xlsx_holds_indicators_labour_and_full_cost_per_year(session: Session, artifacts_dir: Path) -> None:
    home, programme = _setup(session)
    _enter(session, home, programme)
    sheet = jimu_jigyo.build(
        session=session, programme_id=programme, first_fy=2023, last_fy=2025, today=TODAY
    )
    data = sheet_output.jimu_jigyo_xlsx([sheet])
    (artifacts_dir / "jimu-jigyo-fixture.xlsx").write_bytes(data)
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.worksheets) == 1
    ws = workbook.worksheets[0]
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.print_area is not None
    rows = _rows(ws)
    assert rows[("活動指標", "実績")][:3] == [2, 1, 0]
    assert rows[("成果指標", "目標")][:3] == [20, 25, None]
    assert rows[("コスト", "人件費")][:3] == [5_000_000, 1_600_000, 0]
    for year in range(3):
        assert rows[("コスト", "フルコスト")][year] == (
            rows[("コスト", "直接事業費 (決算)")][year]
            + rows[("コスト", "人件費")][year]
            + rows[("コスト", "間接費")][year]
        )
    assert rows[("コスト", "フルコスト")][:3] == [5_750_000, 2_700_000, 0]
    pdf = sheet_output.jimu_jigyo([sheet], "pdf")
    (artifacts_dir / "jimu-jigyo-fixture.pdf").write_bytes(pdf)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("事務事業評価シート", "活動指標", "成果指標", "フルコスト", "5,750,000", "拡充"):
        assert expected in text


def _demo_programme() -> tuple[int, int]:
    with unit_of_work(get_engine()) as session:
        found = [
            p
            for p in programme_service.search_programmes(session=session, q="姉妹友好都市間地球市民環境会議")
            if p.title == "姉妹友好都市間地球市民環境会議"
        ]
        programme = found[0]
        owner = programme.owners[0].municipality_id
        assert owner is not None
        return programme.id, owner


def test_cli_writes_the_demo_programmes_sheet(cli_database: str, tmp_path: Path, artifacts_dir: Path) -> None:
    programme, owner = _demo_programme()
    with unit_of_work(get_engine()) as session:
        _enter_demo = actions.create_labour_cost
        _enter_demo(session=session, actor=ADMIN, data={"municipality_id": owner, "yen_per_fte": 7_500_000})
        actions.create_programme_sheet_year(
            session=session,
            actor=ADMIN,
            data={
                "programme_id": programme,
                "fiscal_year": 2024,
                "regular_fte": 1.0,
                "indirect_cost_yen": 300_000,
            },
        )
    path = tmp_path / "sheet.xlsx"
    result = runner.invoke(
        report_app,
        ["jimu-jigyo", "--programme", str(programme), "--from", "2015", "--to", "令和7年度", "-o", str(path)],
    )
    assert result.exit_code == 0, result.output
    (artifacts_dir / "jimu-jigyo-demo.xlsx").write_bytes(path.read_bytes())
    rows = _rows(load_workbook(path).worksheets[0])
    assert ("活動指標", "実績") in rows and ("成果指標", "実績") in rows
    assert len(rows[("コスト", "フルコスト")]) == 11  # FY2015–FY2025
    for year in range(11):
        assert rows[("コスト", "フルコスト")][year] == (
            rows[("コスト", "直接事業費 (決算)")][year]
            + rows[("コスト", "人件費")][year]
            + rows[("コスト", "間接費")][year]
        )
    assert rows[("コスト", "人件費")][9] == 7_500_000  # FY2024: 1.0 FTE × 7,500,000
    refused = runner.invoke(
        report_app, ["jimu-jigyo", "--programme", "999999", "--from", "2015", "--to", "2016", "-o", str(path)]
    )
    assert refused.exit_code == 2 and "--programme" in refused.output
    backwards = runner.invoke(
        report_app,
        ["jimu-jigyo", "--programme", str(programme), "--from", "2020", "--to", "2016", "-o", str(path)],
    )
    assert backwards.exit_code == 2


def test_staff_enter_a_year_on_the_form_and_open_the_sheet(cli_database: str, artifacts_dir: Path) -> None:
    programme, _owner = _demo_programme()
    client, csrf = cookie_client(build_app(), make_user(Role.editor, ("高崎市",)))
    with client:
        bad = client.post(
            "/staff/programme_sheet_year/new",
            data={
                CSRF_FIELD: csrf,
                "programme_id": str(programme),
                "fiscal_year": "令和6年度",
                "budget_yen": "たくさん",
            },
        )
        assert bad.status_code == 422 and "たくさん" in bad.text
        saved = client.post(
            "/staff/programme_sheet_year/new",
            data={
                CSRF_FIELD: csrf,
                "programme_id": str(programme),
                "fiscal_year": "令和6年度",
                "budget_yen": "120万円",
                "regular_fte": "0.3",
                "overall": "continue",
            },
        )
        assert saved.status_code == 303, saved.text
        page = client.get(
            "/staff/evaluation/jimu-jigyo", params={"programme": str(programme), "from": "2020", "to": "2025"}
        )
        assert page.status_code == 200 and "1,200,000" in page.text and "継続" in page.text
        (artifacts_dir / "jimu-jigyo-page.html").write_text(page.text, encoding="utf-8")
        xlsx = client.get(
            "/staff/evaluation/jimu-jigyo", params={"programme": str(programme), "format": "xlsx"}
        )
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        wrong = client.get("/staff/evaluation/jimu-jigyo", params={"programme": "abc"})
        assert wrong.status_code == 422 and "abc" in wrong.text
