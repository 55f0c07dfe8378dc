"""Staff pages of citizen benefits: the form (和暦 dates, amounts as staff write them, http(s) links only, the
kinds by their Japanese labels) and a municipality's list edited in place; thin: reads through
`exchange.benefit_service`, writes through `exchange.benefit_actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.errors import InvalidInput
from tsunagari.exchange import benefit_actions, benefit_service
from tsunagari.exchange.benefit_models import BENEFIT_KIND_LABELS, BenefitKind
from tsunagari.exchange.download_staff_pages import BENEFITS as BENEFITS_EXPORT
from tsunagari.partnership.staff_pages import municipality_choice
from tsunagari.web.forms import display, field, options_of
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import InlineRows, StaffKind, inline_html, register_inline, register_kind
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

BASIC, CONTENT, DATES, COSTS = (
    "Basics",
    "Details and how to apply",
    "Period and deadline",
    "Cost",
)
DATE_HELP = "Japanese era or western dates (R8.4.1, 2026/4/1)"
MONEY_HELP = "0 means free; 30,000 or 3万円"

BENEFIT = StaffKind(
    kind="benefit",
    title="Citizen benefit",
    fields=(
        field(
            "municipality_id",
            "Offered by",
            "ref",
            pick="municipality",
            group=BASIC,
            help="only this municipality's editors may edit it",
        ),
        field("partnership_id", "Partnership", "ref", pick="partnership", group=BASIC),
        field("programme_id", "Programme", "ref", pick="programme", group=BASIC),
        field(
            "kind",
            "Kind of benefit",
            "select",
            options=options_of(BenefitKind, BENEFIT_KIND_LABELS),
            group=BASIC,
        ),
        field("title", "Name", group=BASIC),
        field("description", "Description", "textarea", group=CONTENT),
        field("eligibility", "Who may apply", "textarea", group=CONTENT),
        field("how_to_apply", "How to apply", "textarea", group=CONTENT),
        field(
            "apply_url",
            "Link to apply",
            group=CONTENT,
            help="an address starting with http:// or https://",
        ),
        field("deadline", "Deadline", "date", group=DATES, help=DATE_HELP),
        field("valid_from", "Valid from", "date", group=DATES),
        field(
            "valid_until",
            "End of validity",
            "date",
            group=DATES,
            help="for an event, the days it is held",
        ),
        field("cost_yen", "Cost to the resident", "money", group=COSTS, help=MONEY_HELP),
        field("cost_note", "About the cost", group=COSTS),
        field("source", "Source", group=COSTS),
    ),
    load=lambda s, i: benefit_actions.get_benefit(session=s, benefit_id=i),
    create=benefit_actions.create_benefit,
    update=benefit_actions.update_benefit,
    delete=benefit_actions.delete_benefit,
    table="benefit",
    describe=lambda record: str(record.title),
)
register_kind(router, BENEFIT)


def _cells(_session: Session, record: Any) -> list[str]:
    ja, en = BENEFIT_KIND_LABELS.get(record.kind, (record.kind, record.kind))
    return [f"#{record.id}", f"{ja} / {en}", str(record.title), display(record.deadline)]


def _may_update(_session: Session, record: Any, principal: Any) -> bool:
    return permissions.allowed("update_benefit", principal, benefit_actions.benefit_target(record, record.id))


BENEFIT_ROWS = InlineRows(BENEFIT, ("valid_from", "valid_until"), _cells, _may_update)
register_inline(router, BENEFIT_ROWS)


@router.get("/benefits", name="staff.benefits")
def benefits_page(
    request: Request, session: SessionDep, actor: CurrentUser, municipality: str | None = None
) -> Response:
    """A municipality's benefits, past ones included, whose validity period can be edited in place."""
    try:
        chosen = municipality_choice(session, actor, municipality)
        error = None
    except InvalidInput as invalid:
        if wanted_format(request):
            raise
        chosen, error = None, "; ".join(p.describe() for p in invalid.problems)
    records = (benefit_service.list_benefits(session=session, municipality_id=chosen.id) if chosen else [])[
        :500
    ]
    if wanted_format(request):
        return BENEFITS_EXPORT.response(request, records)
    rows = [inline_html(request, session, BENEFIT_ROWS, b.id) for b in records]
    return render(
        request,
        "list.html",
        422 if error else 200,
        title="Citizen benefits",
        heading_cells=["ID", "Kind of benefit", "Name", "Deadline"],
        fields=BENEFIT_ROWS.fields,
        rows=rows,
        chosen=chosen,
        query=municipality or "",
        error=error,
        action="/staff/benefits",
        evaluate_kind=None,
        ids=[b.id for b in records],
        downloads=download_links(request),
    )
