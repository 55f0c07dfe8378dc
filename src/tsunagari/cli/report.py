"""`tsunagari report …`: the council's verification report, the 事務事業評価シート, the award application and
the brochure as HTML, PDF or XLSX; thin over `reports` (read only: nothing is written to the database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from tsunagari.cli.common import handle_errors, session_scope
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.reports import award as award_report
from tsunagari.reports import brochure as brochure_report
from tsunagari.reports import jimu_jigyo as jimu_jigyo_report
from tsunagari.reports import output, sheet_output
from tsunagari.reports import verification as verification_report
from tsunagari.reports.output import Lang

LangOption = Annotated[
    str, typer.Option("--lang", help="Wording of the HTML and PDF: ja (default) or en; the XLSX is Japanese")
]


def _lang(text: str) -> Lang:
    if text not in ("ja", "en"):
        raise InvalidInput("ja か en / ja or en", field="--lang", value=text)
    return "en" if text == "en" else "ja"


app = typer.Typer(
    help="報告書 / Reports: verification, 事務事業評価シート, the award application and the brochure."
)


@app.callback()
def reports() -> None:
    """報告書 / Reports for councils, written as HTML, PDF or XLSX."""


@app.command("verification")
@handle_errors
def verification(
    municipality: Annotated[str, typer.Option(help="Municipality name (any script) or id")],
    first: Annotated[str, typer.Option("--from", help="First fiscal year: 令和2年度, FY2020 or 2020")],
    last: Annotated[str, typer.Option("--to", help="Last fiscal year")],
    output_path: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    format: Annotated[str, typer.Option("--format", help="html, pdf or xlsx")] = "pdf",
    lang: LangOption = "ja",
) -> None:
    """交流事業検証報告書: every tie, programme, dormant tie, policy finding and trend of a municipality."""
    language = _lang(lang)
    if format not in output.FORMATS:
        raise InvalidInput(
            "html, pdf, xlsx のいずれか / one of html, pdf, xlsx", field="--format", value=format
        )
    first_fy = indicators_service.fiscal_year_option(first, field="--from")
    last_fy = indicators_service.fiscal_year_option(last, field="--to")
    for option, given, value in (("--from", first, first_fy), ("--to", last, last_fy)):
        if value is None:
            raise InvalidInput("年度を指定してください / give a fiscal year", field=option, value=given)
    assert first_fy is not None and last_fy is not None
    with session_scope() as session:
        me = indicators_service.municipality_named(session=session, text=municipality, field="--municipality")
        report = verification_report.build(
            session=session, municipality=me, first_fy=first_fy, last_fy=last_fy, today=dt.date.today()
        )
    output_path.write_bytes(output.verification(report, format, lang=language))
    typer.echo(str(output_path))


def _fiscal_year(text: str, option: str) -> int:
    value = indicators_service.fiscal_year_option(text, field=option)
    if value is None:
        raise InvalidInput("年度を指定してください / give a fiscal year", field=option, value=text)
    return value


@app.command("jimu-jigyo")
@handle_errors
def jimu_jigyo(
    programme: Annotated[list[int], typer.Option(help="Programme id (repeat for one sheet each)")],
    first: Annotated[str, typer.Option("--from", help="First fiscal year: 令和2年度, FY2020 or 2020")],
    last: Annotated[str, typer.Option("--to", help="Last fiscal year")],
    output_path: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    format: Annotated[str, typer.Option("--format", help="xlsx, pdf or html")] = "xlsx",
    lang: LangOption = "ja",
) -> None:
    """事務事業評価シート: indicators, full cost, funding and evaluation of programmes per fiscal year."""
    language = _lang(lang)
    if format not in sheet_output.SHEET_FORMATS:
        raise InvalidInput(
            "xlsx, pdf, html のいずれか / one of xlsx, pdf, html", field="--format", value=format
        )
    first_fy, last_fy = _fiscal_year(first, "--from"), _fiscal_year(last, "--to")
    today = dt.date.today()
    with session_scope() as session:
        sheets = []
        for programme_id in programme:
            try:
                sheets.append(
                    jimu_jigyo_report.build(
                        session=session,
                        programme_id=programme_id,
                        first_fy=first_fy,
                        last_fy=last_fy,
                        today=today,
                    )
                )
            except NotFound:
                raise InvalidInput(
                    "この番号の事業はありません / no programme has this id",
                    field="--programme",
                    value=programme_id,
                ) from None
    output_path.write_bytes(sheet_output.jimu_jigyo(sheets, format, lang=language))
    typer.echo(str(output_path))


@app.command("award")
@handle_errors
def award(
    programme: Annotated[int, typer.Option(help="Programme id")],
    output_path: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    format: Annotated[str, typer.Option("--format", help="html or pdf")] = "pdf",
    lang: LangOption = "ja",
) -> None:
    """姉妹自治体交流表彰の応募資料: partners with signing dates, regional overview, the undertaking, its
    effects and its points against the six award criteria."""
    language = _lang(lang)
    if format not in sheet_output.AWARD_FORMATS:
        raise InvalidInput("html, pdf のいずれか / one of html, pdf", field="--format", value=format)
    with session_scope() as session:
        try:
            application = award_report.build(session=session, programme_id=programme, today=dt.date.today())
        except NotFound:
            raise InvalidInput(
                "この番号の事業はありません / no programme has this id", field="--programme", value=programme
            ) from None
    output_path.write_bytes(sheet_output.award(application, format, lang=language))
    typer.echo(str(output_path))


@app.command("brochure")
@handle_errors
def brochure(
    municipality: Annotated[str, typer.Option(help="Municipality name (any script) or id")],
    output_path: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    format: Annotated[str, typer.Option("--format", help="pdf or html")] = "pdf",
    site: Annotated[
        str, typer.Option(help="The portal's public address, to link each programme to its page there")
    ] = "",
) -> None:
    """交流パンフレット: the profile, each partner with how its exchange runs and its programmes, maps."""
    if format not in ("pdf", "html"):
        raise InvalidInput("pdf, html のいずれか / one of pdf, html", field="--format", value=format)
    if site and not site.startswith(("https://", "http://")):
        raise InvalidInput("http(s):// で始まる URL / an http(s):// address", field="--site", value=site)
    with session_scope() as session:
        me = indicators_service.municipality_named(session=session, text=municipality, field="--municipality")
        made = brochure_report.build(session=session, municipality=me, today=dt.date.today())
    if format == "pdf":
        output_path.write_bytes(brochure_report.brochure_pdf(made, site=site))
    else:
        output_path.write_text(brochure_report.brochure_html(made, site=site), encoding="utf-8")
    typer.echo(str(output_path))
