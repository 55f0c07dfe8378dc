"""Staff pages of the review list (要確認リスト): names the importers could not settle, and the diff screen
that shows field by field what a resolution writes before it is confirmed; thin: reads through
`names.service`, resolves through `names.actions`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.access.action_kit import TABLE_LABELS
from tsunagari.errors import InvalidInput
from tsunagari.names import actions as names_actions
from tsunagari.names import service as names_service
from tsunagari.names.download_staff_pages import REVIEW as REVIEW_EXPORT
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_crud import KINDS
from tsunagari.web.staff_pages import render, say, staff_router

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
        title="Review list",
        items=items,
        downloads=download_links(request, "/staff/review"),
        candidate_value=_candidate_value,
        can_resolve=permissions.allowed("resolve_review", getattr(request.state, "principal", None)),
        errors=context.pop("errors", {}),
        **context,
    )


@router.get("/review", name="staff.review")
def review(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_review_list", actor)
    if wanted_format(request):
        return REVIEW_EXPORT.response(request, names_service.open_reviews(session=session))
    resolved = request.query_params.get("resolved")
    return _review_page(request, session, resolved=resolved)


def _field_label(table_name: str, name: str, lang: str) -> str:
    """A column's label as the staff form of its table shows it, else the column name."""
    for spec in KINDS.values():
        if spec.table == table_name:
            for form_field in spec.create_fields:
                if form_field.name == name:
                    return form_field.label_in("en" if lang == "en" else "ja")
    return name


def _fingerprint(changes: list[names_service.ResolutionChange]) -> str:
    # Only what needs confirming: a record the resolution creates gets a new id on every run.
    rows = [(c.table_name, c.record_id, c.field, c.before, c.after) for c in changes if c.overwrites]
    return hashlib.sha256(json.dumps(rows, default=str, ensure_ascii=False).encode()).hexdigest()[:24]


Changes = list[names_service.ResolutionChange]
CHANGED_SINCE = "Something changed: check again."
TICK_OVERWRITE = "Tick the overwrite box to replace stored values."


def _confirm_page(request: Request, item_id: int, target: str, changes: Changes, note: str = "") -> Response:
    lang = lang_of(request)
    rows = [
        {
            "table": TABLE_LABELS.get(c.table_name, (c.table_name, c.table_name))[0 if lang == "ja" else 1],
            "record_id": c.record_id,
            "action": c.action,
            "field": _field_label(c.table_name, c.field, lang),
            "before": "" if c.before is None else c.before,
            "after": "" if c.after is None else c.after,
            "overwrites": c.overwrites,
        }
        for c in changes
    ]
    return render(
        request,
        "names/review_confirm.html",
        title=say(request, "What resolving #%(item)s changes", item=item_id),
        item_id=item_id,
        target=target,
        rows=rows,
        overwrites=any(c.overwrites for c in changes),
        fingerprint=_fingerprint(changes),
        note=note,
    )


@router.post("/review/{record_id}/resolve", name="staff.resolve_review")
def resolve_review(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    """First the diff screen (what the resolution writes, field by field); then, confirmed from it, the
    resolution itself. A stored value is replaced only when the overwrite box was ticked."""
    # What waited on the item is carried out by the handler its importer registered (web.app imports
    # the importers, so their handlers are registered before any request).
    target = (form.get("other") or "").strip() or (form.get("target") or "").strip()
    try:
        changes = names_actions.preview_review(session=session, actor=actor, item_id=record_id, target=target)
        if form.get("confirm") != "yes":
            return _confirm_page(request, record_id, target, changes)
        if form.get("fingerprint") != _fingerprint(changes):
            return _confirm_page(request, record_id, target, changes, CHANGED_SINCE)
        if any(c.overwrites for c in changes) and form.get("overwrite") != "yes":
            return _confirm_page(request, record_id, target, changes, TICK_OVERWRITE)
        item = names_actions.resolve_review(
            session=session,
            actor=actor,
            item_id=record_id,
            target=target,
            overwrite_confirmed=form.get("overwrite") == "yes",
        )
    except InvalidInput as error:
        session.rollback()
        return _review_page(request, session, 422, errors={record_id: problem_texts(error)})
    return RedirectResponse(f"/staff/review?resolved={item.id}", status_code=303)
