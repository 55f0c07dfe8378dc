"""The generic staff pages of a kind of record (new, edit, conflict, delete; inline rows edited with HTMX),
driven by a `StaffKind` a domain hands in: its fields, how to load a record, the actions to call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput
from tsunagari.web.forms import FormField, display, form_values, form_version, messages, record_json
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_pages import render, render_fragment

Values = dict[str, Any]


def _same(values: Values) -> Values:
    return values


def _no_context(_session: Session, _record: Any, _record_id: int) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class StaffKind:
    """One kind of record as its staff form shows it and its domain's actions write it."""

    kind: str
    title: str
    fields: tuple[FormField, ...]
    load: Callable[[Session, int], Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    table: str
    """The audit trail's name for the table (the history link)."""
    create_only: tuple[FormField, ...] = ()
    id_name: str = ""
    """The actions' keyword for the record's id (default `<kind>_id`)."""
    to_service: Callable[[Values], Values] = _same
    """Form values → what the actions take, for create and update alike."""
    before_create: Callable[[Values], Values] = _same
    current_values: Callable[[Any], Values] = record_json
    version_of: Callable[[Any], int] = field(default=lambda record: int(record.version))
    record_id: Callable[[Any], int] = field(default=lambda record: int(record.id))
    edit_context: Callable[[Session, Any, int], dict[str, Any]] = _no_context
    """More for the edit form (findings, a partners link)."""

    @property
    def id_keyword(self) -> str:
        return self.id_name or f"{self.kind}_id"

    @property
    def create_fields(self) -> tuple[FormField, ...]:
        return self.fields + self.create_only

    def do_update(self, session: Session, actor: Any, record_id: int, changes: Values, version: int) -> Any:
        return self.update(
            session=session,
            actor=actor,
            changes=self.to_service(changes),
            version=version,
            **{self.id_keyword: record_id},
        )

    def do_create(self, session: Session, actor: Any, values: Values) -> Any:
        return self.create(session=session, actor=actor, data=self.to_service(self.before_create(values)))


# The kinds registered, by kind: the staff home links to a new form for each.
KINDS: dict[str, StaffKind] = {}


def staff_kinds(request: Request) -> dict[str, tuple[str]]:
    """The kinds with a new form, in the order the app serves them: kind → (title,)."""
    found: dict[str, tuple[str]] = {}
    for route in request.app.routes:
        name = getattr(route, "name", "") or ""
        kind = name.removeprefix("staff.new_")
        if name.startswith("staff.new_") and kind in KINDS:
            found[kind] = (KINDS[kind].title,)
    return found


def conflict_rows(
    fields: tuple[FormField, ...], form: dict[str, str], current: Values
) -> list[tuple[FormField, str, str]]:
    return [(f, display(form.get(f.name, "")), display(current.get(f.name))) for f in fields]


def register_kind(router: APIRouter, spec: StaffKind) -> None:
    """GET/POST /{kind}/new, GET/POST /{kind}/{id}/edit and POST /{kind}/{id}/delete on `router`."""
    KINDS[spec.kind] = spec
    kind, title, fields, create_fields = spec.kind, spec.title, spec.fields, spec.create_fields

    @router.get(f"/{kind}/new", name=f"staff.new_{kind}")
    def new_form(request: Request, actor: CurrentUser) -> Response:
        return render(
            request,
            "form.html",
            title=f"{title}: 新規登録 / New",
            fields=create_fields,
            values={},
            errors=[],
            action=f"/staff/{kind}/new",
            version=None,
            display=display,
        )

    @router.post(f"/{kind}/new", name=f"staff.create_{kind}")
    def create(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
        try:
            record = spec.do_create(session, actor, form_values(create_fields, form))
        except InvalidInput as error:
            session.rollback()
            return render(
                request,
                "form.html",
                422,
                title=f"{title}: 新規登録 / New",
                fields=create_fields,
                values=form,
                errors=messages(error, create_fields),
                action=f"/staff/{kind}/new",
                version=None,
                display=display,
            )
        return RedirectResponse(f"/staff/{kind}/{spec.record_id(record)}/edit?saved=1", status_code=303)

    @router.get(f"/{kind}/{{record_id}}/edit", name=f"staff.edit_{kind}")
    def edit_form(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        record = spec.load(session, record_id)
        context: dict[str, Any] = {"findings": [], "partners_url": None}
        context.update(spec.edit_context(session, record, record_id))
        return render(
            request,
            "form.html",
            title=f"{title}: 編集 / Edit",
            fields=fields,
            values=spec.current_values(record),
            errors=[],
            action=f"/staff/{kind}/{record_id}/edit",
            version=spec.version_of(record),
            display=display,
            saved=request.query_params.get("saved") == "1",
            history_url=f"/staff/history/{spec.table}/{record_id}",
            delete_url=f"/staff/{kind}/{record_id}/delete",
            **context,
        )

    @router.post(f"/{kind}/{{record_id}}/edit", name=f"staff.update_{kind}")
    def update(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        action = f"/staff/{kind}/{record_id}/edit"
        version = form_version(form)
        try:
            spec.do_update(session, actor, record_id, form_values(fields, form), version)
        except InvalidInput as error:
            session.rollback()
            return render(
                request,
                "form.html",
                422,
                title=f"{title}: 編集 / Edit",
                fields=fields,
                values=form,
                errors=messages(error, fields),
                action=action,
                version=version,
                display=display,
            )
        except Conflict as error:
            session.rollback()
            current = spec.current_values(spec.load(session, record_id))
            return render(
                request,
                "conflict.html",
                409,
                title=f"{title}: 編集の競合 / Edit conflict",
                message=str(error),
                rows=conflict_rows(fields, form, current),
                action=action,
                current_version=current.get("version"),
                display=display,
            )
        return RedirectResponse(f"{action}?saved=1", status_code=303)

    @router.post(f"/{kind}/{{record_id}}/delete", name=f"staff.delete_{kind}")
    def delete(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        raw = form.get("version")
        version = int(raw) if isinstance(raw, str) and raw.isdigit() else None
        spec.delete(session=session, actor=actor, version=version, **{spec.id_keyword: record_id})
        return RedirectResponse("/staff?deleted=1", status_code=303)


# ----------------------------------------------------------------------------- inline editing (HTMX)
@dataclass(frozen=True)
class InlineRows:
    """The fields of a kind edited in place on a list page; everything else stays on the full form."""

    spec: StaffKind
    field_names: tuple[str, ...]
    static_cells: Callable[[Session, Any], list[str]]
    """The read-only cells in front of the editable ones."""
    may_update: Callable[[Session, Any, Any], bool]
    """Whether the principal (or None) may update the record."""

    @property
    def fields(self) -> tuple[FormField, ...]:
        by_name = {f.name: f for f in self.spec.fields}
        return tuple(by_name[name] for name in self.field_names)


def inline_html(
    request: Request,
    session: Session,
    rows: InlineRows,
    record_id: int,
    *,
    mode: str = "view",
    values: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    conflict_rows: list[tuple[FormField, str, str]] | None = None,
    message: str = "",
) -> str:
    """One table row of a record: shown, being edited, saved, or in conflict (both versions side by side)."""
    record = rows.spec.load(session, record_id)
    current = rows.spec.current_values(record)
    principal = getattr(request.state, "principal", None)
    return render_fragment(
        request,
        "_inline_row.html",
        kind=rows.spec.kind,
        record_id=record_id,
        cells=rows.static_cells(session, record),
        fields=rows.fields,
        values=values if values is not None else current,
        current=current,
        version=current["version"],
        mode=mode,
        errors=errors or [],
        conflict_rows=conflict_rows or [],
        message=message,
        display=display,
        can_edit=rows.may_update(session, record, principal),
    )


def inline_row(
    request: Request, session: Session, rows: InlineRows, record_id: int, *, status_code: int = 200, **kw: Any
) -> Response:
    return HTMLResponse(inline_html(request, session, rows, record_id, **kw), status_code=status_code)


def register_inline(router: APIRouter, rows: InlineRows) -> None:
    """GET /{kind}/{id}/inline, GET …/inline/edit and POST /{kind}/{id}/inline on `router`."""
    spec, fields = rows.spec, rows.fields
    kind = spec.kind

    @router.get(f"/{kind}/{{record_id}}/inline", name=f"staff.inline_view_{kind}")
    def view_row(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        return inline_row(request, session, rows, record_id)

    @router.get(f"/{kind}/{{record_id}}/inline/edit", name=f"staff.inline_edit_{kind}")
    def edit_row(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        return inline_row(request, session, rows, record_id, mode="edit")

    @router.post(f"/{kind}/{{record_id}}/inline", name=f"staff.inline.update_{kind}")
    def save_row(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        """Saves the edited cells with the version the row was drawn from; a stale one shows both."""
        htmx = request.headers.get("hx-request") == "true"
        version = form_version(form)
        all_fields = spec.fields
        try:
            spec.do_update(session, actor, record_id, form_values(all_fields, form), version)
        except InvalidInput as error:
            session.rollback()
            return inline_row(
                request,
                session,
                rows,
                record_id,
                mode="edit",
                status_code=422,
                values=form,
                errors=messages(error, all_fields),
            )
        except Conflict as error:
            session.rollback()
            current = spec.current_values(spec.load(session, record_id))
            shown = fields if htmx else all_fields
            conflicts = [row for row in conflict_rows(shown, form, current) if row[0].name in form]
            if not htmx:
                return render(
                    request,
                    "conflict.html",
                    409,
                    title=f"{spec.title}: 編集の競合 / Edit conflict",
                    message=str(error),
                    rows=conflicts,
                    action=f"/staff/{kind}/{record_id}/edit",
                    current_version=current.get("version"),
                    display=display,
                )
            return inline_row(
                request,
                session,
                rows,
                record_id,
                mode="conflict",
                status_code=409,
                conflict_rows=conflicts,
                message=str(error),
            )
        if not htmx:  # a plain form post (no JavaScript): back to the full form
            return RedirectResponse(f"/staff/{kind}/{record_id}/edit?saved=1", status_code=303)
        # The update action flushed: the row is drawn with the new version.
        return inline_row(request, session, rows, record_id, mode="saved")
