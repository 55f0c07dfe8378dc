"""Public JSON of the indicators: every tie of a municipality (or one programme, one tie) over fiscal years,
and dormant ties; thin over `evaluation.indicators` and `evaluation.programme_indicators` (no SQL here), the
same rows `tsunagari analyze indicators|dormant --json` prints."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel

from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation import programme_indicators
from tsunagari.web.deps import SessionDep
from tsunagari.web.public_api import public_router

router = public_router()
Explained = programme_indicators.Explained

MunicipalityText = Annotated[
    str | None, Query(max_length=200, description="a municipality's name in any script, or its id")
]
FiscalYearText = Annotated[
    str | None, Query(max_length=40, description="a fiscal year: 令和7年度, FY2025 or 2025")
]


class TieIndicatorsRead(BaseModel):
    partnership_id: int
    partner: str
    type: str
    years_since_signing: int | None
    active_years: int
    longest_run_years: int
    activities_per_year: float | None
    participants: int
    public_cost_yen: int
    cost_per_participant_yen: int | None
    last_activity: str | None
    dormant: bool
    status: str
    signed_on: str | None
    participants_by_category: dict[str, int]
    actor_kinds: list[str]
    visits: int
    purpose_published_share: float | None
    report_on_time_share: float | None


class DormantTieRead(BaseModel):
    municipality: str
    partner: str
    type: str
    last_activity: str | None
    years_since: int | None
    partnership_id: int
    status: str


def _json(rows: list[dict[str, object]]) -> Response:
    return Response(json.dumps(rows, ensure_ascii=False), media_type="application/json")


class ProgrammeIndicatorsRead(BaseModel):
    programme_id: int
    title: str
    owners: str
    partner: str
    partnership_id: int | None
    began_on: str | None
    years_since_start: int | None
    active_years: int
    longest_run_years: int
    activities_per_year: float | None
    participants: int
    public_cost_yen: int
    cost_per_participant_yen: int | None
    last_activity: str | None
    dormant: bool
    participants_by_category: dict[str, int]
    actor_kinds: list[str]
    visits: int
    purpose_published_share: float | None
    report_on_time_share: float | None


def _row(subject: Explained, explain: bool) -> dict[str, object]:
    row = subject.as_json()
    if explain:
        row["explain"] = [
            {"key": m.key, "formula": m.formula, "value": m.value, "records": list(m.records)}
            for m in subject.explain()
        ]
    return row


@router.get("/indicators", response_model=list[TieIndicatorsRead | ProgrammeIndicatorsRead])
def indicators(
    session: SessionDep,
    municipality: MunicipalityText = None,
    programme: Annotated[
        str | None, Query(max_length=300, description="one programme instead: its id or title")
    ] = None,
    partnership: Annotated[int | None, Query(ge=1, description="one tie instead: its id")] = None,
    first: Annotated[str | None, Query(alias="from", max_length=40, description="first fiscal year")] = None,
    last: Annotated[str | None, Query(alias="to", max_length=40, description="last fiscal year")] = None,
    explain: Annotated[
        bool, Query(description="add each figure's formula and the records it counts")
    ] = False,
) -> Response:
    """指標: every tie of a municipality, one programme (`programme=`) or one tie (`partnership=`) with its
    indicators over the fiscal years; `explain=true` adds each formula and the records it counts."""
    found = programme_indicators.indicators_of(
        session=session,
        municipality=municipality,
        programme=programme,
        partnership=partnership,
        first=first,
        last=last,
        today=dt.date.today(),
    ).found
    return _json([_row(subject, explain) for subject in found])


@router.get("/dormant", response_model=list[DormantTieRead])
def dormant(
    session: SessionDep,
    municipality: Annotated[str | None, Query(max_length=200, description="name or id")] = None,
    years: Annotated[int, Query(ge=1, le=200, description="years without a recorded activity")] = 3,
) -> Response:
    """休眠: ties with no recorded activity in `years` years, ties with none ever recorded included."""
    me = indicators_service.municipality_named(session=session, text=municipality) if municipality else None
    found = indicators_service.dormant(
        session=session, municipality_id=me.id if me else None, years=years, today=dt.date.today()
    )
    return _json([d.as_json() for d in found])
