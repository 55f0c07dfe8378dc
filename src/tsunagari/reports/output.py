"""Writes a report dataclass as HTML (Jinja, one template per report, its wording from the message
catalogue in Japanese or English), an A4 PDF (WeasyPrint, Noto CJK fonts; Japanese unless asked) or an
XLSX (openpyxl: one sheet per section, Japanese headers, widths, frozen header rows)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tsunagari.evaluation.indicators import FORMULAS
from tsunagari.evaluation.models import GRADE_LABELS, METHOD_LABELS, OVERALL_LABELS
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS
from tsunagari.reports.charts import bar_chart, data_uri
from tsunagari.reports.verification import STATUS_JA, VerificationReport
from tsunagari.web.i18n import half, translations

TEMPLATES = Path(__file__).parent / "templates"
Lang = Literal["ja", "en"]
Format = Literal["html", "pdf", "xlsx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "xlsx")

# Section headings, (Japanese, English): the report is a Japanese council document; the English is the
# catalogue's msgid (context "report"), shown when the page is in English.
HEADINGS: dict[str, tuple[str, str]] = {
    "summary": ("概要", "Summary"),
    "ties": ("提携ごとの指標", "Every tie with its indicators"),
    "programmes": ("事業ごとの費用と成果", "Every programme: cost, participants, outcomes, scores"),
    "dormant": ("休眠中の提携", "Dormant ties"),
    "compliance": ("交流の方針の遵守", "Policy compliance"),
    "trends": ("年度別の推移", "Trends per fiscal year"),
    "recommendations": ("提言", "Recommendations"),
    "sources": ("出典", "Sources"),
    "formulas": ("指標の算式", "How each indicator is computed"),
}
REPORT_CONTEXT = "report"
"""The catalogue context of the reports' wording, so a word can read differently here than on the portal."""

# Japanese labels the report dataclasses carry (実施手法, 評価, 種別 …) → English, for English pages.
SHEET_LABELS: dict[str, tuple[str, str]] = {
    "activity": ("活動指標", "Activity indicator"),
    "outcome": ("成果指標", "Outcome indicator"),
    "necessity": ("必要性", "Necessity"),
    "effectiveness": ("有効性", "Effectiveness"),
    "efficiency": ("効率性", "Efficiency"),
    "fairness": ("公平性", "Fairness"),
}
_ENGLISH_OF_LABEL: dict[str, str] = {
    ja: en
    for table in (
        PARTNERSHIP_TYPE_LABELS,
        STATUS_LABELS,
        METHOD_LABELS,
        GRADE_LABELS,
        OVERALL_LABELS,
        SHEET_LABELS,
    )
    for ja, en in table.values()
}


def say(lang: Lang, message: str, **params: object) -> Markup:
    """A report's wording in `lang` from the message catalogue (context "report"); the catalogue is ours,
    so its text may carry markup (a <br> in a narrow column head); parameters are escaped."""
    text = translations(lang).pgettext(REPORT_CONTEXT, message)
    return Markup(text) % params if params else Markup(text)


@lru_cache(maxsize=2)
def _environment(lang: Lang = "ja") -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yen"] = lambda v: "—" if v is None else f"{v:,}"
    env.filters["num"] = lambda v: "—" if v is None else (f"{v:,}" if isinstance(v, int) else f"{v:,.2f}")
    env.filters["share"] = lambda v: "—" if v is None else f"{v:.0%}"
    env.filters["type_ja"] = lambda code: PARTNERSHIP_TYPE_LABELS.get(code, (code, code))[0]
    env.filters["status_ja"] = lambda code: STATUS_JA.get(code, code)
    index = 1 if lang == "en" else 0
    env.filters["type_label"] = lambda code: PARTNERSHIP_TYPE_LABELS.get(code, (code, code))[index]
    env.filters["status_label"] = lambda code: STATUS_LABELS.get(code, (code, code))[index]
    env.filters["pair"] = lambda text: half(str(text or ""), lang)
    env.filters["label"] = lambda ja: _ENGLISH_OF_LABEL.get(ja, ja) if lang == "en" else ja
    env.globals["t"] = lambda message, **params: say(lang, message, **params)
    return env


def environment(lang: Lang = "ja") -> Environment:
    """The reports' Jinja environment in one language (templates/ beside this module; the yen/num/share
    filters; `t()` for the catalogue's wording, `pair` and `label` for the records' labels)."""
    return _environment(lang)


def heading(key: str, lang: Lang) -> str:
    return str(say(lang, HEADINGS[key][1]))


def charts(report: VerificationReport) -> list[tuple[str, str]]:
    """(title, data URI) of the trend charts."""
    labels = [f"FY{y.fiscal_year}" for y in report.years]
    made = [
        bar_chart("活動件数 / Activities", labels, [("活動", [y.activities for y in report.years])]),
        bar_chart("参加者数 / Participants", labels, [("参加者", [y.participants for y in report.years])]),
        bar_chart(
            "公費 (円) / Public cost (yen)", labels, [("公費", [y.public_cost_yen for y in report.years])]
        ),
    ]
    return [
        (title, data_uri(svg))
        for title, svg in zip(("activities", "participants", "cost"), made, strict=True)
    ]


def verification_html(
    report: VerificationReport, *, lang: Lang = "ja", links: dict[str, str] | None = None
) -> str:
    return (
        _environment(lang)
        .get_template("verification.html")
        .render(
            report=report,
            lang=lang,
            h=lambda key: heading(key, lang),
            charts=charts(report),
            formulas=FORMULAS,
            links=links or {},
        )
    )


def pdf_from_html(html: str) -> bytes:
    """An A4 PDF of an HTML document (its @page rules set the size); fonts from fontconfig (Noto CJK)."""
    from weasyprint import HTML  # imported here: loading pango costs start-up time elsewhere

    return bytes(HTML(string=html, base_url=str(TEMPLATES)).write_pdf())


# ----------------------------------------------------------------------------- XLSX
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def _sheet(workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        longest = max([len(str(header)) * 2, *(len(str(r[index - 1] or "")) * 2 for r in rows)], default=10)
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(60, longest + 2))
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"


def verification_xlsx(report: VerificationReport) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    s = report.summary
    _sheet(
        workbook,
        "概要",
        ["項目", "値"],
        [
            ["自治体", report.municipality],
            ["対象年度", report.range_label],
            ["基準日", report.as_of.isoformat()],
            ["提携数", s.ties],
            ["継続中の提携", s.active_ties],
            ["休眠中の提携", s.dormant_ties],
            ["事業数", s.programmes],
            ["活動件数", s.activities],
            ["参加者数", s.participants],
            ["公費 (円)", s.public_cost_yen],
            ["参加者1人あたり公費 (円)", s.cost_per_participant_yen],
            ["方針違反のある訪問", s.visits_flagged],
            ["報告期限超過", s.reports_overdue],
        ],
    )
    _sheet(
        workbook,
        "提携",
        [
            "提携ID",
            "相手",
            "国",
            "種別",
            "状態",
            "締結日",
            "締結後年数",
            "活動年度数",
            "最長連続年度",
            "年度あたり活動数",
            "参加者数",
            "公費 (円)",
            "1人あたり公費 (円)",
            "主体の種類",
            "訪問数",
            "目的の事前公表率",
            "報告の期限内公表率",
            "最終活動日",
            "休眠",
        ],
        [
            [
                t.partnership_id,
                t.partner,
                t.partner_country,
                t.type_label,
                STATUS_JA.get(t.status, t.status),
                t.signed_on.isoformat() if t.signed_on else None,
                t.years_since_signing,
                t.active_years,
                t.longest_run_years,
                t.activities_per_year,
                t.participants,
                t.public_cost_yen,
                t.cost_per_participant_yen,
                len(t.actor_kinds),
                t.visits,
                t.purpose_published_share,
                t.report_on_time_share,
                t.last_activity.isoformat() if t.last_activity else None,
                "休眠" if t.dormant else "",
            ]
            for t in report.ties
        ],
    )
    _sheet(
        workbook,
        "事業",
        [
            "事業ID",
            "事業名",
            "相手",
            "活動件数",
            "参加者数",
            "公費 (円)",
            "1人あたり公費 (円)",
            "成果",
            "評価平均",
            "評価者数",
        ],
        [
            [
                p.id,
                p.title,
                p.partner,
                p.activities,
                p.participants,
                p.public_cost_yen,
                p.cost_per_participant_yen,
                "\n".join(p.outcomes),
                p.score_mean,
                p.reviewers,
            ]
            for p in report.programmes
        ],
    )
    _sheet(
        workbook,
        "休眠",
        ["提携ID", "相手", "種別", "最終活動日", "最終活動からの年数"],
        [
            [
                t.partnership_id,
                t.partner,
                t.type_label,
                t.last_activity.isoformat() if t.last_activity else "記録なし",
                t.years_since_last_activity,
            ]
            for t in report.dormant
        ],
    )
    _sheet(
        workbook,
        "方針の遵守",
        ["活動ID", "訪問", "区分", "状態", "内容", "期限"],
        [
            [c.activity_id, c.title, c.code, c.status, c.message, c.due_on.isoformat() if c.due_on else None]
            for c in report.compliance
        ],
    )
    _sheet(
        workbook,
        "推移",
        ["年度", "和暦", "活動件数", "参加者数", "公費 (円)"],
        [[y.fiscal_year, y.label, y.activities, y.participants, y.public_cost_yen] for y in report.years],
    )
    _sheet(
        workbook,
        "提言",
        ["区分", "相手", "提携ID", "根拠となる数値"],
        [[r.label, r.partner, r.partnership_id, half(r.figures, "ja")] for r in report.recommendations],
    )
    _sheet(workbook, "出典", ["出典"], [[s] for s in report.sources])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def verification(report: VerificationReport, format: Format, *, lang: Lang = "ja") -> bytes:
    if format == "xlsx":
        return verification_xlsx(report)
    html = verification_html(report, lang=lang)
    return pdf_from_html(html) if format == "pdf" else html.encode("utf-8")
