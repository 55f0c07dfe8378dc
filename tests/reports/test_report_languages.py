"""The report pages in English: the verification report, the 事務事業評価シート and the award application
take their wording from the message catalogue (context "report") in the page's language, while the PDFs stay
Japanese; the catalogue's Japanese is the wording the XLSX and the PDFs print."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.evaluation.verification_fixture import HOME, Built, build
from tests.staff_support import build_app as staff_app
from tests.staff_support import cookie_client, make_user
from tsunagari.access.roles import Role
from tsunagari.cli.report import app as report_app
from tsunagari.db import get_engine
from tsunagari.reports.output import HEADINGS, say
from tsunagari.reports.sheet_output import COST_LABELS
from tsunagari.session import unit_of_work

SPAN = {"from": "2015", "to": "2020"}


@pytest.mark.parametrize(
    ("english", "japanese"), [*((en, ja) for ja, en in HEADINGS.values()), *COST_LABELS.items()]
)
def test_the_catalogue_gives_the_wording_the_spreadsheets_and_pdfs_print(english: str, japanese: str) -> None:
    assert str(say("ja", english)) == japanese
    assert str(say("en", english)) == english


def _built() -> Built:
    with unit_of_work(get_engine()) as session:
        return build(session, dt.date.today())


def test_report_pages_speak_the_pages_language(cli_database: str) -> None:
    built = _built()
    client, _ = cookie_client(staff_app(), make_user(Role.reviewer))
    pages = {
        "verification": (
            "/staff/evaluation/verification",
            {"municipality": HOME, **SPAN},
            [
                "提携ごとの指標",
                "締結後<br>年数",
                "最終活動からの年数",
                "根拠となる数値",
                # ベータ市's recommendation and the FY2020 visit's policy finding, in the page's language
                "締結後2年、活動の記録なし (休眠)",
                "訪問の目的の公表が出発後でした。",
            ],
            [
                "Every tie with its indicators",
                "Years since<br>signing",
                "Years since the last activity",
                "2 years since signing, no activity recorded (dormant)",
                "The purpose of the visit was published after departure.",
            ],
        ),
        "jimu-jigyo": (
            "/staff/evaluation/jimu-jigyo",
            {"programme": str(built.programme_a1), **SPAN},
            ["事務事業評価シート", "フルコスト", "人件費", "活動指標", "成果指標", "直接事業費 (決算)"],
            [
                "Programme evaluation sheet",
                "Full cost",
                "Labour cost",
                "Activity indicator",
                "Outcome indicator",
            ],
        ),
        "award": (
            "/staff/evaluation/award",
            {"programme": str(built.programme_a1)},
            ["姉妹自治体交流表彰 応募資料", "地域の概要", "評価のポイント (審査の6つの観点)", "提携年月日"],
            [
                "Sister-city exchange award: application",
                "The region",
                "Points against the six award criteria",
            ],
        ),
    }
    with client:
        for name, (path, params, japanese, english) in pages.items():
            ja = client.get(path, params={**params, "lang": "ja"})
            en = client.get(path, params={**params, "lang": "en"})
            assert ja.status_code == en.status_code == 200, (name, ja.text[:300], en.text[:300])
            for text in japanese:
                assert text in ja.text, (name, text)
                assert text not in en.text, (name, text)
            for text in english:
                assert text in en.text, (name, text)
                assert text not in ja.text, (name, text)
            assert '<html lang="en">' in en.text and '<html lang="ja">' in ja.text
        # The award application as a PDF from its page, in Japanese; a wrong id is refused naming the field.
        pdf = client.get(
            "/staff/evaluation/award", params={"programme": str(built.programme_a1), "format": "pdf"}
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "地域の概要" in text.replace(" ", "") and "The region" not in text
        for bad in ("abc", "999999999"):
            refused = client.get("/staff/evaluation/award", params={"programme": bad})
            assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text, bad
        form = client.get("/staff/evaluation/award")
        assert form.status_code == 200 and 'name="programme"' in form.text


def test_the_report_commands_write_english_when_asked(cli_database: str, tmp_path: Path) -> None:
    built = _built()
    runner = CliRunner()
    english = tmp_path / "award-en.html"
    result = runner.invoke(
        report_app,
        [
            "award",
            "--programme",
            str(built.programme_a1),
            "--format",
            "html",
            "--lang",
            "en",
            "-o",
            str(english),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "The region" in english.read_text(encoding="utf-8")
    japanese = tmp_path / "verification.html"
    args = ["verification", "--municipality", HOME, "--from", "2015", "--to", "2020", "--format", "html"]
    result = runner.invoke(report_app, [*args, "-o", str(japanese)])
    assert result.exit_code == 0, result.output
    assert "提携ごとの指標" in japanese.read_text(encoding="utf-8")
    refused = runner.invoke(report_app, [*args, "--lang", "fr", "-o", str(japanese)])
    assert refused.exit_code == 2 and "--lang" in refused.stderr
