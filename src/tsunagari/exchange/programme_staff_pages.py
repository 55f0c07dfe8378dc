"""Staff pages of programmes, their partners and their activities; thin: reads through
`exchange.programme_service` and `exchange.activity_service`, writes through `exchange.actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import activity_service, programme_service
from tsunagari.web.forms import field, form_values, messages
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

ACTIVITY_FIELDS = (
    field("programme_id", "交流事業ID / Programme id", "int"),
    field("title", "件名 / Title"),
    field("start_on", "開始日 / Start", "date"),
    field("end_on", "終了日 / End", "date"),
    field("direction", "方向 / Direction", "select", ("", "outbound", "inbound", "both", "hosted")),
    field("place", "場所 / Place"),
    field("participants", '参加者 / Participants (JSON 例 e.g. {"students": 10})', "json"),
    field("public_cost", "公費 (円) / Public cost (yen)", "int"),
    field("private_cost", "私費 (円) / Private cost (yen)", "int"),
    field("official_visit", "公式訪問 / Official visit", "bool"),
    field("purpose", "目的 / Purpose", "textarea"),
    field("purpose_published_on", "目的の公表日 / Purpose published on", "date"),
    field("report_published_on", "報告の公表日 / Report published on", "date"),
    field("report_medium", "公表媒体 / Published in"),
    field("outcomes", "成果 / Outcomes", "textarea"),
)


def _owners(values: dict[str, Any]) -> dict[str, Any]:
    """Creating a programme names its owner (editing moves it not)."""
    owner = values.pop("owner_municipality_id", None)
    values["owners"] = [{"municipality_id": owner}] if owner else []
    return values


PROGRAMME = StaffKind(
    kind="programme",
    title="交流事業 / Programme",
    fields=(
        field("title", "事業名 / Title"),
        field("format", "形式 / Format", "select", ("people", "conference")),
        field("fiscal_years_text", "実施年度 / Fiscal years"),
        field("fields", "分野 (カンマ区切り) / Fields (comma-separated)", "list"),
        field("description", "内容 / Description", "textarea"),
        field("results", "成果 / Outcomes", "textarea"),
    ),
    create_only=(field("owner_municipality_id", "実施自治体ID / Owner municipality id", "int"),),
    before_create=_owners,
    load=lambda s, i: programme_service.get_programme(session=s, programme_id=i),
    create=exchange_actions.create_programme,
    update=exchange_actions.update_programme,
    delete=exchange_actions.delete_programme,
    table="programme",
    edit_context=lambda _s, _r, record_id: {"partners_url": f"/staff/programme/{record_id}/partners"},
)
ACTIVITY = StaffKind(
    kind="activity",
    title="実施記録 / Activity",
    fields=ACTIVITY_FIELDS,
    load=lambda s, i: activity_service.get_activity(session=s, activity_id=i),
    create=exchange_actions.create_activity,
    update=exchange_actions.update_activity,
    delete=exchange_actions.delete_activity,
    table="activity",
)
register_kind(router, PROGRAMME)
register_kind(router, ACTIVITY)


# ----------------------------------------------------------------------------- programme partners
PARTNER_FIELDS = (
    field("municipality_id", "相手自治体ID / Partner municipality id", "int"),
    field("organisation_id", "相手団体ID / Partner organisation id", "int"),
    field("written_name", "名称 / Name"),
    field("country", "国 / Country"),
)


def _partners_page(
    request: Request, session: Session, programme_id: int, status_code: int = 200, **context: Any
) -> Response:
    programme = programme_service.get_programme(session=session, programme_id=programme_id)
    context.setdefault("values", {})
    context.setdefault("errors", [])
    title = f"交流事業の相手 / Programme partners: {programme.title}"
    return render(
        request, "exchange/programme_partners.html", status_code, title=title, programme=programme, **context
    )


@router.get("/programme/{record_id}/partners", name="staff.programme_partners")
def programme_partners(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    return _partners_page(request, session, record_id, saved=request.query_params.get("saved") == "1")


@router.post("/programme/{record_id}/partners", name="staff.add_programme_partner")
def add_programme_partner(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    try:
        values = {k: v for k, v in form_values(PARTNER_FIELDS, form).items() if v not in (None, "")}
        if "country" in values:
            values["country"] = str(values["country"]).upper()
        exchange_actions.add_programme_partner(
            session=session, actor=actor, programme_id=record_id, data=values
        )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        problems = error.problems if isinstance(error, InvalidInput) else [Problem(str(error))]
        shown = messages(InvalidInput(problems=problems), PARTNER_FIELDS)
        return _partners_page(request, session, record_id, 422, values=form, errors=shown)
    return RedirectResponse(f"/staff/programme/{record_id}/partners?saved=1", status_code=303)


@router.post("/programme-partner/{record_id}/remove", name="staff.remove_programme_partner")
def remove_programme_partner(record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    programme_id = programme_service.get_partner(session=session, partner_id=record_id).programme_id
    exchange_actions.remove_programme_partner(session=session, actor=actor, partner_id=record_id)
    return RedirectResponse(f"/staff/programme/{programme_id}/partners?saved=1", status_code=303)
