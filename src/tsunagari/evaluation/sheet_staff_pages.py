"""Staff pages of the 事務事業評価: the generic forms of a programme's sheet, its fiscal years and each
municipality's unit labour cost, the sheet itself (HTML, PDF, XLSX) and a programme's award application
(HTML, PDF); thin: reads through `evaluation.sheet_service` and `reports`, writes through
`evaluation.actions`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from tsunagari.access import permissions
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.evaluation import actions as evaluation_actions
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation import sheet_service
from tsunagari.evaluation.models import GRADE_LABELS, METHOD_LABELS, METRICS, OVERALL_LABELS
from tsunagari.exchange import programme_service
from tsunagari.reports import award as award_report
from tsunagari.reports import jimu_jigyo as jimu_jigyo_report
from tsunagari.reports import sheet_output
from tsunagari.web.forms import FormField, field, options_of
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()
TITLE = "Programme evaluation sheet"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
METRIC_OPTIONS = options_of(METRICS, {code: (name, name) for code, (name, _unit, _f) in METRICS.items()})
GRADES = options_of(GRADE_LABELS, GRADE_LABELS)
BASIC = "Basic facts"
PURPOSE = "Purpose and indicators"
TARGETS = "Targets"
COSTS = "Cost (yen)"
FUNDS = "Funding (yen)"
JUDGEMENT = "Evaluation"

LABOUR_COST = StaffKind(
    kind="labour_cost",
    title="Unit labour cost",
    fields=(
        field("municipality_id", "Municipality", "ref", pick="municipality"),
        field(
            "yen_per_fte",
            "Yearly cost of one full-time employee (yen)",
            "money",
            help="e.g. 8,000,000 or 800万円",
        ),
        field("note", "Basis or source", "textarea"),
    ),
    load=lambda s, i: sheet_service.get_labour_cost(session=s, labour_cost_id=i),
    create=evaluation_actions.create_labour_cost,
    update=evaluation_actions.update_labour_cost,
    delete=evaluation_actions.delete_labour_cost,
    table="labour_cost_rate",
    id_name="labour_cost_id",
)

PROGRAMME_SHEET = StaffKind(
    kind="programme_sheet",
    title="Programme evaluation sheet",
    fields=(
        field("programme_id", "Programme", "ref", pick="programme", group=BASIC),
        field("department", "Department", group=BASIC),
        field("policy", "Policy (comprehensive plan)", "textarea", group=BASIC),
        field("basis", "Basis (rules, agreements)", "textarea", group=BASIC),
        field("start_fy", "First fiscal year", "fiscal_year", group=BASIC),
        field(
            "method",
            "Method",
            "select",
            options=options_of(METHOD_LABELS, METHOD_LABELS),
            blank=True,
            group=BASIC,
        ),
        field("target", "Purpose: whom", "textarea", group=PURPOSE),
        field("intent", "Purpose: intended change", "textarea", group=PURPOSE),
        field("upper_outcome", "Higher-level outcome", "textarea", group=PURPOSE),
        field(
            "activity_metric",
            "Activity indicator",
            "select",
            options=METRIC_OPTIONS,
            group=PURPOSE,
        ),
        field("activity_indicator", "Activity indicator name", group=PURPOSE),
        field(
            "outcome_metric",
            "Outcome indicator",
            "select",
            options=METRIC_OPTIONS,
            group=PURPOSE,
        ),
        field("outcome_indicator", "Outcome indicator name", group=PURPOSE),
    ),
    load=lambda s, i: sheet_service.get_sheet(session=s, programme_sheet_id=i),
    create=evaluation_actions.create_programme_sheet,
    update=evaluation_actions.update_programme_sheet,
    delete=evaluation_actions.delete_programme_sheet,
    table="programme_sheet",
)


def _judgement(code: str, label: str, reason: str) -> tuple[FormField, FormField]:
    """A judgement's grade and the reason for it (both labels are catalogue msgids)."""
    return (
        field(code, label, "select", options=GRADES, blank=True, group=JUDGEMENT),
        field(f"{code}_comment", reason, "textarea", group=JUDGEMENT),
    )


PROGRAMME_SHEET_YEAR = StaffKind(
    kind="programme_sheet_year",
    title="Programme evaluation: one fiscal year",
    fields=(
        field("programme_id", "Programme", "ref", pick="programme", group=BASIC),
        field("fiscal_year", "Fiscal year", "fiscal_year", group=BASIC),
        field("activity_target", "Activity target", "int", group=TARGETS),
        field("outcome_target", "Outcome target", "int", group=TARGETS),
        field("budget_yen", "Direct cost (budget)", "money", group=COSTS),
        field("regular_fte", "Regular staff (FTE)", "float", group=COSTS),
        field("part_time_cost_yen", "Part-time staff cost", "money", group=COSTS),
        field("indirect_cost_yen", "Indirect cost", "money", group=COSTS),
        field("fund_national_yen", "National funds", "money", group=FUNDS),
        field("fund_prefecture_yen", "Prefectural funds", "money", group=FUNDS),
        field("fund_bonds_yen", "Local bonds", "money", group=FUNDS),
        field("fund_other_yen", "Other", "money", group=FUNDS),
        *_judgement("necessity", "Necessity", "Reason for necessity"),
        *_judgement("effectiveness", "Effectiveness", "Reason for effectiveness"),
        *_judgement("efficiency", "Efficiency", "Reason for efficiency"),
        *_judgement("fairness", "Fairness", "Reason for fairness"),
        field(
            "overall",
            "Overall",
            "select",
            options=options_of(OVERALL_LABELS, OVERALL_LABELS),
            blank=True,
            group=JUDGEMENT,
        ),
        field("overall_comment", "Reason and direction", "textarea", group=JUDGEMENT),
    ),
    load=lambda s, i: sheet_service.get_year(session=s, programme_sheet_year_id=i),
    create=evaluation_actions.create_programme_sheet_year,
    update=evaluation_actions.update_programme_sheet_year,
    delete=evaluation_actions.delete_programme_sheet_year,
    table="programme_sheet_year",
)

for _kind in (PROGRAMME_SHEET, PROGRAMME_SHEET_YEAR, LABOUR_COST):
    register_kind(router, _kind)


@router.get("/evaluation/jimu-jigyo", name="staff.jimu_jigyo")
def jimu_jigyo(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    programme: Annotated[str, Query(max_length=20)] = "",
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
    format: Literal["html", "pdf", "xlsx"] = "html",
) -> Response:
    """事務事業評価シート of one programme and fiscal years: the page, or its PDF or XLSX."""
    permissions.require("view_evaluations", actor)
    values = {"programme": programme, "from": first, "to": last}

    def form(status: int = 200, errors: list[str] | None = None) -> Response:
        sheets = [
            (s, programme_service.get_programme(session=session, programme_id=s.programme_id).title)
            for s in sheet_service.list_sheets(session=session)
        ]
        return render(
            request,
            "evaluation/jimu_jigyo_form.html",
            status,
            title=TITLE,
            values=values,
            errors=errors or [],
            sheets=sheets,
        )

    if not programme.strip():
        return form()
    today = dt.date.today()
    try:
        if not programme.strip().isdigit():
            raise InvalidInput("事業のID (数字) / a programme id", field="programme", value=programme)
        last_fy = indicators_service.fiscal_year_option(last, field="to")
        last_fy = (
            last_fy
            if last_fy is not None
            else indicators_service.FiscalRange.make(first_fy=None, last_fy=None, today=today).last_fy
        )
        first_fy = indicators_service.fiscal_year_option(first, field="from")
        first_fy = first_fy if first_fy is not None else last_fy - 4
        try:
            sheet = jimu_jigyo_report.build(
                session=session, programme_id=int(programme), first_fy=first_fy, last_fy=last_fy, today=today
            )
        except NotFound:
            raise InvalidInput(
                "この番号の事業はありません / no programme has this id", field="programme", value=programme
            ) from None
    except InvalidInput as error:
        return form(422, problem_texts(error))
    if format != "html":
        name = f"jimu-jigyo-{sheet.programme_id}-FY{first_fy}-FY{last_fy}.{format}"
        return Response(
            sheet_output.jimu_jigyo([sheet], format),
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    query = {"programme": str(sheet.programme_id), "from": str(first_fy), "to": str(last_fy)}
    stored = sheet_service.sheet_for(session=session, programme_id=sheet.programme_id)
    links = {
        "PDF": f"/staff/evaluation/jimu-jigyo?{urlencode({**query, 'format': 'pdf'})}",
        "Excel (XLSX)": f"/staff/evaluation/jimu-jigyo?{urlencode({**query, 'format': 'xlsx'})}",
        "シートを編集 / Edit the sheet": (
            f"/staff/programme_sheet/{stored.id}/edit" if stored else "/staff/programme_sheet/new"
        ),
        "年度を追加 / Add a fiscal year": "/staff/programme_sheet_year/new",
        "← 職員ページ / Staff": "/staff/evaluation/jimu-jigyo",
    }
    for year in sheet_service.years_for(
        session=session, programme_id=sheet.programme_id, first_fy=first_fy, last_fy=last_fy
    ):
        links[f"FY{year.fiscal_year}"] = f"/staff/programme_sheet_year/{year.id}/edit"
    return HTMLResponse(sheet_output.jimu_jigyo_html([sheet], lang=lang_of(request), links=links))


AWARD_TITLE = "Award application"


@router.get("/evaluation/award", name="staff.award_application")
def award_application(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    programme: Annotated[str, Query(max_length=20)] = "",
    format: Literal["html", "pdf"] = "html",
) -> Response:
    """姉妹自治体交流表彰の応募資料 of one programme, rebuilt from the records: the page or its PDF."""
    permissions.require("view_evaluations", actor)
    values = {"programme": programme}
    if not programme.strip():
        return render(request, "evaluation/award_form.html", title=AWARD_TITLE, values=values, errors=[])
    try:
        if not programme.strip().isdigit():
            raise InvalidInput("事業のID (数字) / a programme id", field="programme", value=programme)
        try:
            application = award_report.build(
                session=session, programme_id=int(programme), today=dt.date.today()
            )
        except NotFound:
            raise InvalidInput(
                "この番号の事業はありません / no programme has this id", field="programme", value=programme
            ) from None
    except InvalidInput as error:
        return render(
            request,
            "evaluation/award_form.html",
            422,
            title=AWARD_TITLE,
            values=values,
            errors=problem_texts(error),
        )
    if format == "pdf":
        return Response(
            sheet_output.award(application, "pdf"),
            media_type=MEDIA_TYPES["pdf"],
            headers={"Content-Disposition": f'attachment; filename="award-{application.programme_id}.pdf"'},
        )
    lang = lang_of(request)
    query = {"programme": str(application.programme_id)}
    links = {
        "PDF": f"/staff/evaluation/award?{urlencode({**query, 'format': 'pdf'})}",
        ("English" if lang == "ja" else "日本語"): (
            f"/staff/evaluation/award?{urlencode({**query, 'lang': 'en' if lang == 'ja' else 'ja'})}"
        ),
        "← 職員ページ / Staff": "/staff/evaluation/award",
    }
    return HTMLResponse(sheet_output.award_html(application, lang=lang, links=links))
