"""Staff pages of the indicators: one sortable table across a municipality's ties (with the 休眠 flag) and
its programmes, and one tie's or programme's figures, each with its formula and, a click away, the records
it counts; thin: reads through `evaluation.indicators` and `evaluation.programme_indicators`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response

from tsunagari.access import permissions
from tsunagari.errors import InvalidInput
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation import programme_indicators
from tsunagari.evaluation.indicators import FORMULAS
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_pages import render, say, staff_router

router = staff_router()
TITLE = "Indicators"
SubjectKind = Literal["partnership", "programme"]
Text = Annotated[str, Query(max_length=200)]
FiscalYear = Annotated[str, Query(max_length=40)]

# Columns of the table across ties, each a FORMULAS key (its label heads the column) and a sort key.
COLUMNS: tuple[str, ...] = (
    "years_since_signing",
    "active_years",
    "longest_run_years",
    "activities_per_year",
    "participants",
    "public_cost_yen",
    "cost_per_participant_yen",
    "last_activity",
    "dormant",
)
SORT_KEYS = ("partner", *COLUMNS)


def _sorted(
    rows: list[indicators_service.TieIndicators], key: str, descending: bool
) -> list[indicators_service.TieIndicators]:
    """Rows by one column; blanks (no signing date, no activity) last either way."""
    present = [r for r in rows if getattr(r, key) is not None]
    blank = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), r.partnership_id), reverse=descending)
    return [*present, *blank]


def _span(first: str, last: str) -> tuple[int | None, int | None]:
    return (
        indicators_service.fiscal_year_option(first, field="from"),
        indicators_service.fiscal_year_option(last, field="to"),
    )


@router.get("/evaluation/indicators", name="staff.indicators")
def indicators(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    municipality: Text = "",
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
    sort: Annotated[str, Query(max_length=40)] = "partner",
    desc: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """指標: every tie of a municipality (sortable by any column, 休眠 flagged) and its programmes."""
    permissions.require("view_evaluations", actor)
    values = {"municipality": municipality, "from": first, "to": last}
    context: dict[str, Any] = {"title": TITLE, "values": values, "formulas": FORMULAS, "columns": COLUMNS}
    if not municipality.strip():
        return render(request, "evaluation/indicators.html", ties=None, **context)
    try:
        if sort not in SORT_KEYS:
            raise InvalidInput("並べ替えの列が不明です / unknown column to sort by", field="sort", value=sort)
        first_fy, last_fy = _span(first, last)
        me = indicators_service.municipality_named(session=session, text=municipality)
        today = dt.date.today()
        ties = indicators_service.ties(
            session=session, municipality_id=me.id, first_fy=first_fy, last_fy=last_fy, today=today
        )
        programmes = programme_indicators.programmes_of(
            session=session, municipality_id=me.id, first_fy=first_fy, last_fy=last_fy, today=today
        )
    except InvalidInput as error:
        return render(
            request, "evaluation/indicators.html", 422, ties=None, errors=problem_texts(error), **context
        )
    span = {"from": first, "to": last}
    query = {"municipality": municipality, **span}
    return render(
        request,
        "evaluation/indicators.html",
        municipality=me,
        ties=_sorted(ties, sort, desc == "1"),
        programmes=programmes,
        sort=sort,
        desc=desc == "1",
        sort_url=lambda key: (
            "/staff/evaluation/indicators?"
            + urlencode({**query, "sort": key, "desc": "1" if key == sort and desc != "1" else ""})
        ),
        detail_query=urlencode({**span, "municipality": str(me.id)}),
        type_label=lambda code: " / ".join(PARTNERSHIP_TYPE_LABELS.get(code, (code, code))),
        errors=[],
        **context,
    )


@router.get("/evaluation/indicators/{kind}/{record_id}", name="staff.indicator_detail")
def indicator_detail(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    kind: SubjectKind,
    record_id: int,
    municipality: Text = "",
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> Response:
    """One tie's or programme's indicators, each with its formula and the records it counts."""
    permissions.require("view_evaluations", actor)
    first_fy, last_fy = _span(first, last)
    today = dt.date.today()
    subject: indicators_service.TieIndicators | programme_indicators.ProgrammeIndicators
    if kind == "programme":
        subject = programme_indicators.programme(
            session=session, programme_id=record_id, first_fy=first_fy, last_fy=last_fy, today=today
        )
        heading = subject.title
    else:
        seen_from = (
            indicators_service.municipality_named(session=session, text=municipality).id
            if municipality.strip()
            else None
        )
        subject = indicators_service.tie(
            session=session,
            partnership_id=record_id,
            municipality_id=seen_from,
            first_fy=first_fy,
            last_fy=last_fy,
            today=today,
        )
        heading = f"{subject.municipality} – {subject.partner}"
    return render(
        request,
        "evaluation/indicator_detail.html",
        title=say(request, "%(subject)s: indicators", subject=heading),
        heading=heading,
        kind=kind,
        record_id=record_id,
        subject=subject,
        measures=subject.explain(),
        values={"from": first, "to": last, "municipality": municipality},
    )
