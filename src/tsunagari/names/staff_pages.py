"""Staff pages of the review list (要確認リスト): names the importers could not settle; thin: reads through
`names.service`, resolves through `names.actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.errors import InvalidInput
from tsunagari.names import actions as names_actions
from tsunagari.names import service as names_service
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()


def _candidate_value(candidate: dict[str, Any]) -> str:
    """What `resolve_review` takes: a registry id, or g:<geonameid> for a gazetteer place."""
    return str(candidate["id"]) if candidate.get("source") == "registry" else f"g:{candidate['id']}"


def _review_page(request: Request, session: Session, status_code: int = 200, **context: Any) -> Response:
    items = names_service.open_reviews(session=session)
    return render(
        request,
        "names/review.html",
        status_code,
        title="要確認リスト / Review list",
        items=items,
        candidate_value=_candidate_value,
        can_resolve=permissions.allowed("resolve_review", getattr(request.state, "principal", None)),
        errors=context.pop("errors", {}),
        **context,
    )


@router.get("/review", name="staff.review")
def review(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_review_list", actor)
    resolved = request.query_params.get("resolved")
    return _review_page(request, session, resolved=resolved)


@router.post("/review/{record_id}/resolve", name="staff.resolve_review")
def resolve_review(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    # What waited on the item is carried out by the handler its importer registered (web.app imports
    # the importers, so their handlers are registered before any request).
    target = (form.get("other") or "").strip() or (form.get("target") or "").strip()
    try:
        item = names_actions.resolve_review(session=session, actor=actor, item_id=record_id, target=target)
    except InvalidInput as error:
        session.rollback()
        return _review_page(request, session, 422, errors={record_id: problem_texts(error)})
    return RedirectResponse(f"/staff/review?resolved={item.id}", status_code=303)
