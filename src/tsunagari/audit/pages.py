"""Staff pages of the audit trail: one record's history and the audit log; thin: reads through
`audit.service`."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response

from tsunagari.access import permissions
from tsunagari.audit import service as audit_service
from tsunagari.web.forms import display
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()


@router.get("/history/{table}/{record_id}", name="staff.history")
def history(
    request: Request, table: str, record_id: str, actor: CurrentUser, session: SessionDep
) -> Response:
    entries = audit_service.history(session=session, table_name=table, record_id=record_id)
    return render(
        request,
        "audit/history.html",
        title=f"{table} #{record_id} の履歴 / History",
        entries=entries,
        display=display,
    )


@router.get("/audit", name="staff.audit_log")
def audit_log(
    request: Request,
    actor: CurrentUser,
    session: SessionDep,
    user: str | None = None,
    table: str | None = None,
    record: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Response:
    permissions.require("view_audit_log", actor)
    if table and record:
        entries = list(audit_service.history(session=session, table_name=table, record_id=record))
        entries = [e for e in entries if not user or e.actor_name == user]
    else:
        entries = list(
            audit_service.log(
                session=session,
                actor_name=user or None,
                table_name=table or None,
                since=dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
                until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC) if until else None,
                limit=200,
            )
        )
    filters = {
        "user": user or "",
        "table": table or "",
        "record": record or "",
        "since": since or "",
        "until": until or "",
    }
    return render(
        request,
        "audit/history.html",
        title="監査ログ / Audit log",
        entries=entries,
        display=display,
        filters=filters,
    )
