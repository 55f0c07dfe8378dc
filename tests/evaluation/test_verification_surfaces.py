"""The indicators and the verification report through every surface, on the hand-computed fixture: the CLI's
JSON, the API (the same rows), the report's PDF (its extracted text) and XLSX (its cells), and the staff
pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.staff_support import build_app as staff_app
from tests.staff_support import cookie_client, make_user
from tsunagari.access.roles import Role
from tsunagari.cli.analyze import app as analyze_app
from tsunagari.cli.report import app as report_app
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app

from .verification_fixture import HOME, TIE_A_2015_2020, TIE_B_2015_2020, Built, build

runner = CliRunner()
SPEC_KEYS = [
    "partnership_id",
    "partner",
    "type",
    "years_since_signing",
    "active_years",
    "longest_run_years",
    "activities_per_year",
    "participants",
    "public_cost_yen",
    "cost_per_participant_yen",
    "last_activity",
    "dormant",
]


def _built() -> Built:
    with unit_of_work(get_engine()) as session:
        return build(session, dt.date.today())


def test_cli_and_api_print_the_same_indicators_and_dormant_ties(cli_database: str) -> None:
    built = _built()
    result = runner.invoke(
        analyze_app,
        ["indicators", "--municipality", HOME, "--from", "平成27年度", "--to", "FY2020", "--json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert list(rows[0])[: len(SPEC_KEYS)] == SPEC_KEYS
    by_partner = {row["partner"]: row for row in rows}
    assert TIE_A_2015_2020.items() <= by_partner["アルファ市"].items()
    assert TIE_B_2015_2020.items() <= by_partner["ベータ市"].items()
    assert by_partner["アルファ市"]["partnership_id"] == built.tie_a

    with TestClient(create_app()) as client:
        api = client.get(
            "/api/v1/indicators", params={"municipality": HOME, "from": "2015", "to": "令和2年度"}
        )
        assert api.status_code == 200, api.text
        assert api.json() == rows
        dormant_api = client.get("/api/v1/dormant", params={"municipality": HOME})
        assert dormant_api.status_code == 200
        unknown = client.get("/api/v1/indicators", params={"municipality": "存在しない市"})
        assert unknown.status_code == 422 and "municipality" in unknown.text
        bad_year = client.get("/api/v1/indicators", params={"municipality": HOME, "from": "someday"})
        assert bad_year.status_code == 422 and "from" in bad_year.text

    dormant = runner.invoke(analyze_app, ["dormant", "--municipality", HOME, "--json"])
    assert dormant.exit_code == 0, dormant.output
    listed = json.loads(dormant.stdout)
    assert listed == dormant_api.json()
    assert [(d["partner"], d["last_activity"]) for d in listed] == [
        ("ベータ市", None),
        ("アルファ市", "2021-03-15"),
    ]
    assert {"municipality", "partner", "type", "last_activity", "years_since"} <= listed[0].keys()

    explained = runner.invoke(
        analyze_app, ["indicators", "--municipality", HOME, "--from", "2015", "--to", "2020", "--explain"]
    )
    assert explained.exit_code == 0 and "公費 ÷ 参加者数" in explained.stdout
    assert "市民訪問団 2019" in explained.stdout

    refused = runner.invoke(analyze_app, ["indicators", "--municipality", "存在しない市", "--json"])
    assert refused.exit_code == 2 and "--municipality" in refused.stderr


def test_the_verification_pdf_and_xlsx_hold_the_apis_figures(
    cli_database: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    _built()
    with TestClient(create_app()) as client:
        api = client.get(
            "/api/v1/indicators", params={"municipality": HOME, "from": "2015", "to": "2020"}
        ).json()
    alpha = next(row for row in api if row["partner"] == "アルファ市")

    pdf_path = tmp_path / "verification.pdf"
    result = runner.invoke(
        report_app,
        [
            "verification",
            "--municipality",
            HOME,
            "--from",
            "2015",
            "--to",
            "2020",
            "--format",
            "pdf",
            "-o",
            str(pdf_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(pdf_path)
    (artifacts_dir / "verification-report.pdf").write_bytes(pdf_path.read_bytes())
    reader = PdfReader(pdf_path)
    assert reader.pages[0].mediabox.width == 595 or round(float(reader.pages[0].mediabox.width)) == 595  # A4
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in (
        "交流事業検証報告書",
        "概要",
        "提携ごとの指標",
        "休眠中の提携",
        "交流の方針の遵守",
        "年度別の推移",
        "提言",
        "出典",
    ):
        assert heading in text, heading
    for figure in (
        f"{alpha['public_cost_yen']:,}",
        f"{alpha['cost_per_participant_yen']:,}",
        alpha["last_activity"],
    ):
        assert figure in text, figure

    xlsx_path = tmp_path / "verification.xlsx"
    result = runner.invoke(
        report_app,
        [
            "verification",
            "--municipality",
            HOME,
            "--from",
            "FY2015",
            "--to",
            "FY2020",
            "--format",
            "xlsx",
            "-o",
            str(xlsx_path),
        ],
    )
    assert result.exit_code == 0, result.output
    workbook = load_workbook(io.BytesIO(xlsx_path.read_bytes()))
    assert workbook.sheetnames == ["概要", "提携", "事業", "休眠", "方針の遵守", "推移", "提言", "出典"]
    ties = workbook["提携"]
    assert ties.freeze_panes == "A2" and ties["B1"].value == "相手"
    header = [cell.value for cell in ties[1]]
    row = next(r for r in ties.iter_rows(min_row=2, values_only=True) if r[1] == "アルファ市")
    cells = dict(zip(header, row, strict=True))
    assert cells["公費 (円)"] == alpha["public_cost_yen"]
    assert cells["1人あたり公費 (円)"] == alpha["cost_per_participant_yen"]
    assert cells["最長連続年度"] == alpha["longest_run_years"]
    assert cells["年度あたり活動数"] == alpha["activities_per_year"]
    trend = {r[0]: r for r in workbook["推移"].iter_rows(min_row=2, values_only=True)}
    assert trend[2018][2] == 0 and trend[2015][4] == 1_200_000  # the gap year, and FY2015's cost

    refused = runner.invoke(
        report_app,
        [
            "verification",
            "--municipality",
            "存在しない市",
            "--from",
            "2015",
            "--to",
            "2020",
            "-o",
            str(xlsx_path),
        ],
    )
    assert refused.exit_code == 2


def test_staff_pages_show_the_report_and_dormant_ties(cli_database: str, artifacts_dir: Path) -> None:
    _built()
    client, _ = cookie_client(staff_app(), make_user(Role.reviewer))
    with client:
        page = client.get(
            "/staff/evaluation/verification", params={"municipality": HOME, "from": "2015", "to": "2020"}
        )
        assert page.status_code == 200 and "交流事業検証報告書" in page.text and "3,100,000" in page.text
        (artifacts_dir / "verification-report.html").write_text(page.text, encoding="utf-8")
        english = client.get(
            "/staff/evaluation/verification",
            params={"municipality": HOME, "from": "2015", "to": "2020", "lang": "en"},
        )
        assert english.status_code == 200 and "Every tie with its indicators" in english.text
        (artifacts_dir / "verification-report-en.html").write_text(english.text, encoding="utf-8")
        pdf = client.get(
            "/staff/evaluation/verification",
            params={"municipality": HOME, "from": "2015", "to": "2020", "format": "pdf"},
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        bad = client.get("/staff/evaluation/verification", params={"municipality": HOME, "from": "someday"})
        assert bad.status_code == 422 and "from" in bad.text
        dormant = client.get("/staff/evaluation/dormant", params={"municipality": HOME})
        assert dormant.status_code == 200 and "ベータ市" in dormant.text and "ガンマ町" not in dormant.text
