"""Staff pages of programmes, their partners and their activities; thin: reads through
`exchange.programme_service` and `exchange.activity_service`, writes through `exchange.actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput, NotFound, Problem
from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.download_staff_pages import PROGRAMME_PARTNERS as PROGRAMME_PARTNERS_EXPORT
from tsunagari.exchange.download_staff_pages import numbered
from tsunagari.exchange.models import (
    DIRECTION_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    ActivityDirection,
    ProgrammeFormat,
)
from tsunagari.exchange.schemas import PARTICIPANT_CATEGORY_LABELS
from tsunagari.web.forms import Picker, field, form_values, messages, options_of, register_picker
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import render, say, staff_router

router = staff_router()

BASIC, DATES, PEOPLE, COSTS, PUBLISHED = (
    "Basics",
    "Dates",
    "Participants",
    "Costs",
    "Published",
)
DATE_HELP = "Japanese era or western dates (R7.7.25, 2025/7/25)"
MONEY_HELP = "Any of 1,200,000, 1200000円 or 120万円"


def describe_programme(programme: Any) -> str:
    """日米青少年交流事業（令和7年度）: the title with its fiscal years."""
    years = programme.fiscal_years_text
    return f"{programme.title}（{years}）" if years else str(programme.title)


register_picker(
    Picker(
        what="programme",
        search=lambda s, text: [
            (p.id, describe_programme(p)) for p in programme_service.search_programmes(session=s, q=text)[:10]
        ],
        load=lambda s, i: programme_service.get_programme(session=s, programme_id=i),
        describe=describe_programme,
    )
)

ACTIVITY_FIELDS = (
    field("programme_id", "Programme", "ref", pick="programme", group=BASIC),
    field("title", "Activity title", group=BASIC),
    field(
        "direction",
        "Direction",
        "select",
        options=options_of(ActivityDirection, DIRECTION_LABELS),
        blank=True,
        group=BASIC,
    ),
    field("place", "Place", group=BASIC),
    field(
        "fields",
        "Fields",
        "checkboxes",
        options=options_of(FIELD_LABELS, FIELD_LABELS),
        group=BASIC,
        help="None ticked: the programme's fields",
    ),
    field("official_visit", "Official visit", "bool", group=BASIC),
    field("start_on", "Start", "date", precision=True, group=DATES, help=DATE_HELP),
    field("end_on", "End", "date", precision=True, group=DATES),
    field(
        "participants",
        "Participants",
        "counts",
        options=options_of(PARTICIPANT_CATEGORY_LABELS, PARTICIPANT_CATEGORY_LABELS),
        group=PEOPLE,
        help="One row per category",
    ),
    field("public_cost", "Public cost (yen)", "money", group=COSTS, help=MONEY_HELP),
    field("private_cost", "Private cost (yen)", "money", group=COSTS),
    field("purpose", "Purpose", "textarea", group=PUBLISHED),
    field("purpose_published_on", "Purpose published on", "date", group=PUBLISHED),
    field("report_published_on", "Report published on", "date", group=PUBLISHED),
    field("report_medium", "Published in", group=PUBLISHED),
    field("outcomes", "Outcomes", "textarea", group=PUBLISHED),
)


def _owners(values: dict[str, Any]) -> dict[str, Any]:
    """Creating a programme names its owner (editing moves it not)."""
    owner = values.pop("owner_municipality_id", None)
    values["owners"] = [{"municipality_id": owner}] if owner else []
    return values


PROGRAMME = StaffKind(
    kind="programme",
    title="Programme",
    fields=(
        field("title", "Title", group=BASIC),
        field(
            "format",
            "Format",
            "select",
            options=options_of(ProgrammeFormat, FORMAT_LABELS),
            group=BASIC,
        ),
        field(
            "fiscal_years_text",
            "Fiscal years",
            "fiscal_years",
            group=BASIC,
            help="e.g. 令和7年度 or FY2025",
        ),
        field(
            "fields",
            "Fields",
            "checkboxes",
            options=options_of(FIELD_LABELS, FIELD_LABELS),
            group=BASIC,
        ),
        field("description", "Description", "textarea", group=PUBLISHED),
        field("results", "Outcomes", "textarea", group=PUBLISHED),
    ),
    create_only=(
        field(
            "owner_municipality_id",
            "Owner municipality",
            "ref",
            pick="municipality",
            group=BASIC,
        ),
    ),
    before_create=_owners,
    load=lambda s, i: programme_service.get_programme(session=s, programme_id=i),
    create=exchange_actions.create_programme,
    update=exchange_actions.update_programme,
    delete=exchange_actions.delete_programme,
    table="programme",
    describe=describe_programme,
    edit_context=lambda _s, _r, record_id: {"partners_url": f"/staff/programme/{record_id}/partners"},
)


def _new_activity_inputs(session: Session, inputs: dict[str, str]) -> dict[str, str]:
    """/staff/activity/new?programme_id=3: the programme named, its fields ticked (unless some are given)."""
    raw = inputs.get("programme_id", "").strip()
    if not raw.isdigit():
        return inputs
    try:
        programme = programme_service.get_programme(session=session, programme_id=int(raw))
    except NotFound:
        return inputs
    shown = dict(inputs)
    shown.setdefault("programme_id__q", describe_programme(programme))
    if not any(key.startswith("fields.") for key in inputs):
        shown.update({f"fields.{code}": "on" for code in programme.fields or []})
    return shown


ACTIVITY = StaffKind(
    kind="activity",
    title="Activity",
    fields=ACTIVITY_FIELDS,
    load=lambda s, i: activity_service.get_activity(session=s, activity_id=i),
    create=exchange_actions.create_activity,
    update=exchange_actions.update_activity,
    delete=exchange_actions.delete_activity,
    table="activity",
    describe=lambda record: str(record.title),
    new_inputs=_new_activity_inputs,
)
register_kind(router, PROGRAMME)
register_kind(router, ACTIVITY)


# ----------------------------------------------------------------------------- programme partners
PARTNER_FIELDS = (
    field("municipality_id", "Partner municipality", "ref", pick="municipality"),
    field("organisation_id", "Partner organisation", "ref", pick="organisation"),
    field("written_name", "Name"),
    field("country", "Country"),
)


def _partners_page(
    request: Request, session: Session, programme_id: int, status_code: int = 200, **context: Any
) -> Response:
    programme = programme_service.get_programme(session=session, programme_id=programme_id)
    context.setdefault("values", {})
    context.setdefault("errors", [])
    title = say(request, "Programme partners: %(programme)s", programme=programme.title)
    return render(
        request,
        "exchange/programme_partners.html",
        status_code,
        title=title,
        programme=programme,
        picker_fields=PARTNER_FIELDS[:2],
        downloads=download_links(request, f"/staff/programme/{programme_id}/partners"),
        **context,
    )


@router.get("/programme/{record_id}/partners", name="staff.programme_partners")
def programme_partners(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    if wanted_format(request):
        programme = programme_service.get_programme(session=session, programme_id=record_id)
        return PROGRAMME_PARTNERS_EXPORT.response(request, numbered(list(programme.partners)))
    return _partners_page(request, session, record_id, saved=request.query_params.get("saved") == "1")


@router.post("/programme/{record_id}/partners", name="staff.add_programme_partner")
def add_programme_partner(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    try:
        values = {
            k: v
            for k, v in form_values(PARTNER_FIELDS, form, session=session, lang=lang_of(request)).items()
            if v not in (None, "")
        }
        if "country" in values:
            values["country"] = str(values["country"]).upper()
        exchange_actions.add_programme_partner(
            session=session, actor=actor, programme_id=record_id, data=values
        )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        problems = error.problems if isinstance(error, InvalidInput) else [Problem(str(error))]
        shown = messages(InvalidInput(problems=problems), PARTNER_FIELDS, lang_of(request))
        return _partners_page(request, session, record_id, 422, values=form, errors=shown)
    return RedirectResponse(f"/staff/programme/{record_id}/partners?saved=1", status_code=303)


@router.post("/programme-partner/{record_id}/remove", name="staff.remove_programme_partner")
def remove_programme_partner(record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    programme_id = programme_service.get_partner(session=session, partner_id=record_id).programme_id
    exchange_actions.remove_programme_partner(session=session, actor=actor, partner_id=record_id)
    return RedirectResponse(f"/staff/programme/{programme_id}/partners?saved=1", status_code=303)
