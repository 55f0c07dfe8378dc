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
    "基本情報 / Basics",
    "内容・申込 / Details and how to apply",
    "期間・締切 / Period and deadline",
    "費用 / Cost",
)
DATE_HELP = "和暦・西暦どちらでも（令和8年4月1日、R8.4.1、2026/4/1） / Japanese era or western dates"
MONEY_HELP = "0は無料。30,000、3万円のどれでも / 0 means free; 30,000 or 3万円"

BENEFIT = StaffKind(
    kind="benefit",
    title="市民向けの特典 / Citizen benefit",
    fields=(
        field(
            "municipality_id",
            "提供する自治体 / Offered by",
            "ref",
            pick="municipality",
            group=BASIC,
            help="この自治体の担当者だけが編集できます / only this municipality's editors may edit it",
        ),
        field("partnership_id", "提携 / Partnership", "ref", pick="partnership", group=BASIC),
        field("programme_id", "交流事業 / Programme", "ref", pick="programme", group=BASIC),
        field(
            "kind",
            "種類 / Kind",
            "select",
            options=options_of(BenefitKind, BENEFIT_KIND_LABELS),
            group=BASIC,
        ),
        field("title", "名称 / Title", group=BASIC),
        field("description", "内容 / Description", "textarea", group=CONTENT),
        field("eligibility", "対象 / Who may apply", "textarea", group=CONTENT),
        field("how_to_apply", "申込方法 / How to apply", "textarea", group=CONTENT),
        field(
            "apply_url",
            "申込・詳細のURL / Link to apply",
            group=CONTENT,
            help="http:// または https:// で始まるアドレス / an address starting with http:// or https://",
        ),
        field("deadline", "申込締切 / Deadline", "date", group=DATES, help=DATE_HELP),
        field("valid_from", "有効期間の開始 / Valid from", "date", group=DATES),
        field(
            "valid_until",
            "有効期間の終了 / Valid until",
            "date",
            group=DATES,
            help="イベントは開催日 / for an event, the days it is held",
        ),
        field("cost_yen", "参加者の負担額 / Cost to the resident", "money", group=COSTS, help=MONEY_HELP),
        field("cost_note", "費用の説明 / About the cost", group=COSTS),
        field("source", "出典 / Source", group=COSTS),
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
        title="市民向けの特典 / Citizen benefits",
        heading_cells=["ID", "種類 / Kind", "名称 / Title", "申込締切 / Deadline"],
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
