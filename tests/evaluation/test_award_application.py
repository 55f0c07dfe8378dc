"""The award application rebuilt from the records in the layout of CLAIR's award sheets (seed 003): 高崎市's
programme lists its five partners with their signing dates, the regional overview with as-of dates and
the six criteria, as HTML and PDF."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from tsunagari.cli.report import app as report_app
from tsunagari.db import get_engine
from tsunagari.exchange import programme_service
from tsunagari.session import unit_of_work

runner = CliRunner()
# Seed 003: 提携先 and 提携年月日 of 高崎市.
PARTNERS = (
    ("バトルクリーク", "1981年7月1日"),
    ("サントアンドレ", "1981年10月2日"),
    ("承徳", "1987年10月6日"),
    ("プルゼニ", "1990年8月1日"),
    ("モンテンルパ", "2006年10月28日"),
)


def _takasaki_programme() -> int:
    with unit_of_work(get_engine()) as session:
        return next(
            p.id
            for p in programme_service.search_programmes(session=session, q="姉妹友好都市間地球市民環境会議")
            if p.title == "姉妹友好都市間地球市民環境会議"
        )


def test_award_pdf_lists_takasakis_five_partners_with_signing_dates(
    cli_database: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    programme = _takasaki_programme()
    path = tmp_path / "award.pdf"
    result = runner.invoke(
        report_app, ["award", "--programme", str(programme), "--format", "pdf", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    (artifacts_dir / "award-takasaki.pdf").write_bytes(path.read_bytes())
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    compact = text.replace(" ", "").replace("\n", "")
    for name, signed in PARTNERS:
        assert f"{name}" in compact and signed in compact, (name, signed)
    for heading in (
        "地域の概要",
        "交流事業の概要",
        "評価のポイント",
        "先進性",
        "独自性",
        "継続性",
        "活発性",
        "協働性",
        "成果",
    ):
        assert heading in compact
    assert "374,997人（2011年3月31日）" in compact  # 高崎市's population with its as-of date (H23.3.31)
    assert "53,364人（2000年）" in compact  # バトルクリーク


def test_award_html_and_refusals(cli_database: str, tmp_path: Path, artifacts_dir: Path) -> None:
    programme = _takasaki_programme()
    path = tmp_path / "award.html"
    result = runner.invoke(
        report_app, ["award", "--programme", str(programme), "--format", "html", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    html = path.read_text(encoding="utf-8")
    (artifacts_dir / "award-takasaki.html").write_text(html, encoding="utf-8")
    assert "姉妹友好都市間地球市民環境会議" in html and "第5回 姉妹自治体交流表彰（総務大臣賞）" in html
    assert html.count("1981年") >= 2
    missing = runner.invoke(report_app, ["award", "--programme", "999999", "-o", str(path)])
    assert missing.exit_code == 2 and "--programme" in missing.output
    wrong = runner.invoke(
        report_app, ["award", "--programme", str(programme), "--format", "xlsx", "-o", str(path)]
    )
    assert wrong.exit_code == 2 and "--format" in wrong.output
