"""Writes the 事務事業評価シート (XLSX: one programme per sheet, A4 landscape print area; PDF through
WeasyPrint) and the award application (HTML, PDF) from their report dataclasses."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tsunagari.reports.award import TITLE as AWARD_TITLE
from tsunagari.reports.award import AwardApplication
from tsunagari.reports.jimu_jigyo import TITLE, JimuJigyoSheet
from tsunagari.reports.output import Lang, environment, pdf_from_html

SheetFormat = Literal["xlsx", "pdf", "html"]
SHEET_FORMATS: tuple[SheetFormat, ...] = ("xlsx", "pdf", "html")
AwardFormat = Literal["html", "pdf"]
AWARD_FORMATS: tuple[AwardFormat, ...] = ("html", "pdf")

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LABEL_FILL = PatternFill("solid", fgColor="DDE7F0")
_SECTION_FILL = PatternFill("solid", fgColor="1F5F8B")
_WRAP = Alignment(wrap_text=True, vertical="top")
YEN = "#,##0"


COST_LABELS: dict[str, str] = {
    # The cost table's wording: the catalogue's msgid (context "report") → the Japanese the sheet prints.
    "Cost": "コスト",
    "Funding": "財源内訳",
    "Direct cost (budget)": "直接事業費 (予算)",
    "Direct cost (settled)": "直接事業費 (決算)",
    "Regular staff (FTE)": "正職員 従事量 (人工)",
    "Unit labour cost (yen per FTE)": "人件費単価 (円/人工)",
    "Regular staff cost (FTE × unit cost)": "正職員人件費 (FTE × 単価)",
    "Part-time staff": "会計年度任用職員",
    "Labour cost": "人件費",
    "Indirect cost": "間接費",
    "Full cost": "フルコスト",
    "Full cost per unit of outcome": "成果1単位あたりフルコスト",
    "National funds": "国庫支出金",
    "Prefectural funds": "都道府県支出金",
    "Local bonds": "地方債",
    "Other": "その他",
    "General funds": "一般財源",
}
TOTAL_ROWS = frozenset({"Full cost", "Labour cost", "General funds"})


def cost_rows(sheet: JimuJigyoSheet) -> list[tuple[str, str, list[object], str]]:
    """(区分, 項目, a value per fiscal year, number format) of the cost table, in the order printed; 区分
    and 項目 are the catalogue's msgids (COST_LABELS gives their Japanese)."""
    y = sheet.years
    return [
        ("Cost", "Direct cost (budget)", [c.budget_yen for c in y], YEN),
        ("Cost", "Direct cost (settled)", [c.direct_cost_yen for c in y], YEN),
        ("Cost", "Regular staff (FTE)", [c.regular_fte for c in y], "0.00"),
        ("Cost", "Unit labour cost (yen per FTE)", [c.unit_cost_yen for c in y], YEN),
        ("Cost", "Regular staff cost (FTE × unit cost)", [c.regular_labour_yen for c in y], YEN),
        ("Cost", "Part-time staff", [c.part_time_cost_yen for c in y], YEN),
        ("Cost", "Labour cost", [c.labour_cost_yen for c in y], YEN),
        ("Cost", "Indirect cost", [c.indirect_cost_yen for c in y], YEN),
        ("Cost", "Full cost", [c.full_cost_yen for c in y], YEN),
        ("Cost", "Full cost per unit of outcome", [c.cost_per_outcome_yen for c in y], YEN),
        ("Funding", "National funds", [c.fund_national_yen for c in y], YEN),
        ("Funding", "Prefectural funds", [c.fund_prefecture_yen for c in y], YEN),
        ("Funding", "Local bonds", [c.fund_bonds_yen for c in y], YEN),
        ("Funding", "Other", [c.fund_other_yen for c in y], YEN),
        ("Funding", "General funds", [c.fund_general_yen for c in y], YEN),
    ]


def _cell(ws: Worksheet, row: int, column: int, value: object, *, label: bool = False) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.border = _BOX
    cell.alignment = _WRAP
    if label:
        cell.fill, cell.font = _LABEL_FILL, Font(bold=True)


def _section(ws: Worksheet, row: int, text: str, last_column: int) -> int:
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, color="FFFFFF")
    for column in range(1, last_column + 1):
        ws.cell(row=row, column=column).fill = _SECTION_FILL
    return row + 1


def _pair(ws: Worksheet, row: int, label: str, value: object, last_column: int) -> int:
    _cell(ws, row, 1, label, label=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    _cell(ws, row, 3, value)
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=last_column)
    lines = max(1, len(str(value or "")) // 70 + 1)
    ws.row_dimensions[row].height = 16 * min(lines, 6)
    return row + 1


def _write_sheet(ws: Worksheet, sheet: JimuJigyoSheet) -> None:
    years = sheet.years
    first_year_column = 5
    last = first_year_column + len(years) - 1
    ws.cell(row=1, column=1, value=f"{TITLE}　{sheet.title}").font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=f"対象年度 {sheet.range_label}　作成日 {sheet.made_on.isoformat()}")
    row = _section(ws, 4, "1. 事業の概要", last)
    for label, value in (
        ("事業名", sheet.title),
        ("実施主体", sheet.owners),
        ("担当課", sheet.department),
        ("政策体系 (総合計画の施策)", sheet.policy),
        ("根拠 (要綱・協定)", sheet.basis),
        ("開始年度", sheet.start_label),
        ("実施手法", sheet.method),
        ("目的 (対象)", sheet.target),
        ("目的 (意図)", sheet.intent),
        ("上位成果", sheet.upper_outcome),
        ("事業内容", sheet.description),
        ("分野", sheet.fields),
    ):
        row = _pair(ws, row, label, value, last)
    row = _section(ws, row + 1, "2. 指標 (目標と実績)", last)
    for column, header in enumerate(("区分", "指標名", "算式・単位", "項目"), start=1):
        _cell(ws, row, column, header, label=True)
    for index, cost in enumerate(years):
        _cell(ws, row, first_year_column + index, f"{cost.label}\nFY{cost.fiscal_year}", label=True)
    header_row = row
    row += 1
    for indicator in (sheet.activity, sheet.outcome):
        lines: tuple[tuple[str, Sequence[object], str], ...] = (
            ("目標", indicator.targets, "#,##0"),
            ("実績", indicator.actuals, "#,##0"),
            ("達成率", indicator.rates, "0.0%"),
        )
        for item, values, number_format in lines:
            _cell(ws, row, 1, indicator.kind, label=True)
            _cell(ws, row, 2, indicator.name)
            _cell(ws, row, 3, f"{indicator.formula} ({indicator.unit})")
            _cell(ws, row, 4, item, label=True)
            for index, figure in enumerate(values):
                _cell(ws, row, first_year_column + index, figure)
                ws.cell(row=row, column=first_year_column + index).number_format = number_format
            row += 1
    row = _section(ws, row + 1, "3. コストと財源 (円)", last)
    for section, item, amounts, amount_format in cost_rows(sheet):
        _cell(ws, row, 1, COST_LABELS[section], label=True)
        _cell(ws, row, 2, COST_LABELS[item], label=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        for index, amount in enumerate(amounts):
            _cell(ws, row, first_year_column + index, amount)
            ws.cell(row=row, column=first_year_column + index).number_format = amount_format
        row += 1
    _cell(ws, row, 1, "算式", label=True)
    _cell(
        ws,
        row,
        2,
        "人件費 = 正職員 FTE × 単価 + 会計年度任用職員; フルコスト = 直接事業費 (決算) + 人件費 + 間接費; "
        "一般財源 = 直接事業費 (決算) − 特定財源",
    )
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last)
    row = _section(
        ws, row + 2, f"4. 評価 ({f'FY{sheet.evaluated_fy}' if sheet.evaluated_fy else '未評価'})", last
    )
    for judgement in sheet.judgements:
        row = _pair(ws, row, f"{judgement.label}: {judgement.grade_label}", judgement.comment or "", last)
    row = _pair(ws, row, f"総合評価: {sheet.overall}", sheet.overall_comment, last)
    row = _pair(ws, row + 1, "出典", "\n".join(sheet.sources) or "—", last)
    widths = {1: 12, 2: 22, 3: 30, 4: 8}
    for column in range(1, last + 1):
        ws.column_dimensions[get_column_letter(column)].width = widths.get(column, 14)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=first_year_column)
    ws.print_area = f"A1:{get_column_letter(last)}{row - 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"


def jimu_jigyo_xlsx(sheets: Sequence[JimuJigyoSheet]) -> bytes:
    """One worksheet per programme, named by its id and title."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        name = f"{sheet.programme_id} {sheet.title}"
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        _write_sheet(workbook.create_sheet(name[:31]), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def jimu_jigyo_html(
    sheets: Sequence[JimuJigyoSheet], *, lang: Lang = "ja", links: dict[str, str] | None = None
) -> str:
    return (
        environment(lang)
        .get_template("jimu_jigyo.html")
        .render(
            sheets=sheets,
            lang=lang,
            cost_rows=cost_rows,
            links=links or {},
            TITLE=TITLE,
            TOTAL_ROWS=TOTAL_ROWS,
        )
    )


def jimu_jigyo(sheets: Sequence[JimuJigyoSheet], format: SheetFormat, *, lang: Lang = "ja") -> bytes:
    if format == "xlsx":
        return jimu_jigyo_xlsx(sheets)
    html = jimu_jigyo_html(sheets, lang=lang)
    return pdf_from_html(html) if format == "pdf" else html.encode("utf-8")


def award_html(
    application: AwardApplication, *, lang: Lang = "ja", links: dict[str, str] | None = None
) -> str:
    return (
        environment(lang)
        .get_template("award.html")
        .render(a=application, lang=lang, links=links or {}, TITLE=AWARD_TITLE)
    )


def award(application: AwardApplication, format: AwardFormat, *, lang: Lang = "ja") -> bytes:
    html = award_html(application, lang=lang)
    return pdf_from_html(html) if format == "pdf" else html.encode("utf-8")
