"""Staff pages of the council verification: dormant ties and the verification report (HTML, PDF, XLSX);
thin: reads through `evaluation.indicators` and `reports` (nothing written)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from tsunagari.access import permissions
from tsunagari.errors import InvalidInput
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation.download_staff_pages import DORMANT as DORMANT_EXPORT
from tsunagari.evaluation.download_staff_pages import dormant_rows
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.reports import output
from tsunagari.reports import verification as verification_report
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()
TITLE = "Verification report"

Text = Annotated[str, Query(max_length=200)]
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/evaluation/dormant", name="staff.dormant")
def dormant(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    municipality: Text = "",
    years: Annotated[str, Query(max_length=4)] = str(indicators_service.DORMANT_YEARS),
) -> Response:
    """休眠中の提携: ties with no recorded activity in N years, one municipality's or everyone's."""
    permissions.require("view_evaluations", actor)
    values = {"municipality": municipality, "years": years}
    try:
        if not years.strip().isdigit():
            raise InvalidInput("1以上の整数 / a whole number of years", field="years", value=years)
        me = (
            indicators_service.municipality_named(session=session, text=municipality)
            if municipality.strip()
            else None
        )
        found = indicators_service.dormant(
            session=session, municipality_id=me.id if me else None, years=int(years), today=dt.date.today()
        )
    except InvalidInput as error:
        if wanted_format(request):
            raise
        return render(
            request,
            "evaluation/dormant.html",
            422,
            title="Dormant ties",
            rows=[],
            values=values,
            errors=problem_texts(error),
        )
    if wanted_format(request):
        return DORMANT_EXPORT.response(request, dormant_rows(session, found))
    # The type as its label in the page's language (the template shows one half of a pair), not a code.
    shown = [
        dataclasses.replace(tie, type=" / ".join(PARTNERSHIP_TYPE_LABELS.get(tie.type, (tie.type, tie.type))))
        for tie in found
    ]
    return render(
        request,
        "evaluation/dormant.html",
        title="Dormant ties",
        rows=shown[:1000],
        total=len(found),
        values=values,
        errors=[],
        downloads=download_links(request),
    )


@router.get("/evaluation/verification", name="staff.verification")
def verification(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    municipality: Text = "",
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
    format: Literal["html", "pdf", "xlsx"] = "html",
) -> Response:
    """交流事業検証報告書 for a municipality and fiscal years: the page, or its PDF or XLSX."""
    permissions.require("view_evaluations", actor)
    values = {"municipality": municipality, "from": first, "to": last}
    if not municipality.strip():
        return render(
            request,
            "evaluation/verification_form.html",
            title=TITLE,
            values=values,
            errors=[],
        )
    try:
        first_fy = indicators_service.fiscal_year_option(first, field="from")
        last_fy = indicators_service.fiscal_year_option(last, field="to")
        me = indicators_service.municipality_named(session=session, text=municipality)
        today = dt.date.today()
        last_fy = (
            last_fy
            if last_fy is not None
            else indicators_service.FiscalRange.make(first_fy=None, last_fy=None, today=today).last_fy
        )
        first_fy = first_fy if first_fy is not None else last_fy - 9
        report = verification_report.build(
            session=session, municipality=me, first_fy=first_fy, last_fy=last_fy, today=today
        )
    except InvalidInput as error:
        return render(
            request,
            "evaluation/verification_form.html",
            422,
            title=TITLE,
            values=values,
            errors=problem_texts(error),
        )
    if format != "html":
        name = f"verification-{me.id}-FY{first_fy}-FY{last_fy}.{format}"
        return Response(
            output.verification(report, format),
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    query = {"municipality": str(me.id), "from": str(first_fy), "to": str(last_fy)}
    lang = lang_of(request)
    links = {
        "PDF": f"/staff/evaluation/verification?{urlencode({**query, 'format': 'pdf'})}",
        "Excel (XLSX)": f"/staff/evaluation/verification?{urlencode({**query, 'format': 'xlsx'})}",
        ("English" if lang == "ja" else "日本語"): (
            f"/staff/evaluation/verification?{urlencode({**query, 'lang': 'en' if lang == 'ja' else 'ja'})}"
        ),
        "← 職員ページ / Staff": "/staff/evaluation/verification",
    }
    return HTMLResponse(output.verification_html(report, lang=lang, links=links))
