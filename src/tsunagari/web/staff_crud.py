"""The generic staff pages of a kind of record (new, edit, conflict, delete; inline rows edited with HTMX),
driven by a `StaffKind` a domain hands in: its fields, how to load a record, the actions to call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy.orm import Session

from tsunagari.access.action_kit import TABLE_LABELS
from tsunagari.audit import service as audit_service
from tsunagari.errors import Conflict, InvalidInput
from tsunagari.web.forms import (
    PICKERS,
    SHOWN,
    FormField,
    Lang,
    changed_values,
    display,
    echo,
    field_errors,
    form_values,
    form_version,
    inputs_of,
    messages,
    record_json,
    shown_marks,
)
from tsunagari.web.i18n import gettext, pair_half
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_pages import render, render_fragment, say

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
    describe: Callable[[Any], str] | None = None
    """The record as its confirmation step names it."""
    dependents: Callable[[Session, Any], list[str]] | None = None
    """What depends on the record (named on the confirmation step before a delete)."""
    new_inputs: Callable[[Session, dict[str, str]], dict[str, str]] | None = None
    """A new form's inputs from its query (?programme_id=3 → that programme's fields ticked)."""

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


def _dependents(session: Session, record: Any, lang: Lang = "ja") -> list[str]:
    """The audited records that refer to `record`, counted by kind (提携 2件)."""
    out = []
    for d in audit_service.dependents(session=session, instance=record):
        ja, en = TABLE_LABELS.get(d.table_name, (d.table_name, d.table_name))
        out.append(gettext(lang, "%(what)s: %(count)s", what=en if lang == "en" else ja, count=d.count))
    return out


# The kinds registered, by kind: the staff home links to a new form for each.
KINDS: dict[str, StaffKind] = {}


def staff_kinds(request: Request) -> dict[str, tuple[str]]:
    """The kinds with a new form, in the order the app serves them: kind → (title,)."""
    found: dict[str, tuple[str]] = {}
    for context in iter_route_contexts(request.app.routes):
        name = getattr(context.original_route, "name", "") or ""
        kind = name.removeprefix("staff.new_")
        if name.startswith("staff.new_") and kind in KINDS:
            found[kind] = (KINDS[kind].title,)
    return found


def field_text(form_field: FormField, inputs: dict[str, str], lang: Lang = "ja") -> str:
    """A field's inputs as a person reads them: labels for codes, rows as 中学生 10, the picked name."""
    name, kind = form_field.name, form_field.kind
    labels = {o.value: o.label(lang) for o in form_field.option_list()}
    if kind == "bool":
        return "✓" if inputs.get(name) else ""
    if kind == "checkboxes":
        return "、".join(
            labels.get(k.split(".", 1)[1], k) for k in inputs if k.startswith(f"{name}.") and inputs[k]
        )
    if kind in ("counts", "points"):
        rows = []
        for key in sorted(k for k in inputs if k.startswith(f"{name}.") and k.endswith(".key")):
            code, value = inputs[key].strip(), inputs.get(key.removesuffix(".key") + ".value", "").strip()
            if code or value:
                rows.append(f"{labels.get(code, code)} {value}".strip())
        return "、".join(rows)
    if kind == "ref":
        return inputs.get(f"{name}__q") or inputs.get(name, "")
    raw = inputs.get(name, "")
    return labels.get(raw, raw) if kind == "select" else raw


def record_inputs(fields: tuple[FormField, ...], values: Values, session: Session | None) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for form_field in fields:
        inputs.update(inputs_of(form_field, values, session))
    return inputs


def conflict_rows(
    fields: tuple[FormField, ...],
    form: dict[str, str],
    current: Values,
    session: Session | None = None,
    lang: Lang = "ja",
) -> list[tuple[FormField, str, str]]:
    theirs = record_inputs(fields, current, session)
    return [(f, field_text(f, form, lang), field_text(f, theirs, lang)) for f in fields]


def form_context(
    request: Request,
    fields: tuple[FormField, ...],
    inputs: dict[str, str],
    marks: dict[str, str],
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """What form.html needs to draw `fields` from `inputs` (a record's, or what was posted)."""
    lang = lang_of(request)
    return {
        "fields": fields,
        "inputs": inputs,
        "marks": marks,
        "field_errors": errors or {},
        "lang": lang,
        "echo": lambda f: echo(f, inputs.get(f.name, ""), lang),
        "display": display,
        "pickers": PICKERS,
    }


def posted_marks(form: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in form.items() if key.startswith(SHOWN)}


def register_kind(router: APIRouter, spec: StaffKind) -> None:
    """GET/POST /{kind}/new, GET/POST /{kind}/{id}/edit and GET/POST /{kind}/{id}/delete on `router`."""
    KINDS[spec.kind] = spec
    kind, title, fields, create_fields = spec.kind, spec.title, spec.fields, spec.create_fields

    def new_page(request: Request, status: int, form: dict[str, str], error: InvalidInput | None) -> Response:
        lang = lang_of(request)
        return render(
            request,
            "form.html",
            status,
            title=say(request, "%(what)s: new", what=pair_half(title, lang)),
            errors=messages(error, create_fields, lang) if error else [],
            action=f"/staff/{kind}/new",
            version=None,
            **form_context(
                request, create_fields, form, {}, field_errors(error, create_fields) if error else {}
            ),
        )

    @router.get(f"/{kind}/new", name=f"staff.new_{kind}")
    def new_form(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
        inputs = dict(request.query_params)
        if spec.new_inputs is not None:
            inputs = spec.new_inputs(session, inputs)
        return new_page(request, 200, inputs, None)

    @router.post(f"/{kind}/new", name=f"staff.create_{kind}")
    def create(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
        try:
            values = form_values(create_fields, form, session=session, lang=lang_of(request))
            record = spec.do_create(session, actor, values)
        except InvalidInput as error:
            session.rollback()
            return new_page(request, 422, form, error)
        return RedirectResponse(f"/staff/{kind}/{spec.record_id(record)}/edit?saved=1", status_code=303)

    def edit_page(
        request: Request,
        session: Session,
        record_id: int,
        status: int = 200,
        form: dict[str, str] | None = None,
        error: InvalidInput | None = None,
    ) -> Response:
        record = spec.load(session, record_id)
        context: dict[str, Any] = {"findings": [], "partners_url": None}
        context.update(spec.edit_context(session, record, record_id))
        if form is None:
            inputs = record_inputs(fields, spec.current_values(record), session)
            marks, version = shown_marks(fields, inputs), spec.version_of(record)
        else:
            inputs, marks, version = form, posted_marks(form), form_version(form)
        lang = lang_of(request)
        return render(
            request,
            "form.html",
            status,
            title=say(request, "%(what)s: edit", what=pair_half(title, lang)),
            errors=messages(error, fields, lang) if error else [],
            action=f"/staff/{kind}/{record_id}/edit",
            version=version,
            saved=request.query_params.get("saved") == "1",
            history_url=f"/staff/history/{spec.table}/{record_id}",
            delete_url=f"/staff/{kind}/{record_id}/delete",
            **form_context(request, fields, inputs, marks, field_errors(error, fields) if error else {}),
            **context,
        )

    @router.get(f"/{kind}/{{record_id}}/edit", name=f"staff.edit_{kind}")
    def edit_form(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        return edit_page(request, session, record_id)

    @router.post(f"/{kind}/{{record_id}}/edit", name=f"staff.update_{kind}")
    def update(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        action = f"/staff/{kind}/{record_id}/edit"
        version = form_version(form)
        lang = lang_of(request)
        try:
            changes = changed_values(fields, form, session=session, lang=lang)
            if changes:
                spec.do_update(session, actor, record_id, changes, version)
        except InvalidInput as error:
            session.rollback()
            return edit_page(request, session, record_id, 422, form, error)
        except Conflict as error:
            session.rollback()
            current = spec.current_values(spec.load(session, record_id))
            return render(
                request,
                "conflict.html",
                409,
                title=say(request, "%(what)s: edit conflict", what=pair_half(title, lang)),
                message=str(error),
                rows=conflict_rows(fields, form, current, session, lang),
                action=action,
                current_version=current.get("version"),
                display=display,
            )
        return RedirectResponse(f"{action}?saved=1", status_code=303)

    @router.get(f"/{kind}/{{record_id}}/delete", name=f"staff.confirm_delete_{kind}")
    def confirm_delete(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        """The confirmation step: what the record is and what depends on it, before anything is deleted."""
        record = spec.load(session, record_id)
        lang = lang_of(request)
        dependents = (
            spec.dependents(session, record) if spec.dependents else _dependents(session, record, lang)
        )
        return render(
            request,
            "confirm_delete.html",
            title=say(request, "%(what)s: confirm deletion", what=pair_half(title, lang)),
            record_label=pair_half(spec.describe(record), lang) if spec.describe else f"#{record_id}",
            dependents=dependents,
            action=f"/staff/{kind}/{record_id}/delete",
            back=f"/staff/{kind}/{record_id}/edit",
            version=spec.version_of(record),
        )

    @router.post(f"/{kind}/{{record_id}}/delete", name=f"staff.delete_{kind}")
    def delete(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        if form.get("confirm") != "yes":  # a delete is carried out only from the confirmation step
            return RedirectResponse(f"/staff/{kind}/{record_id}/delete", status_code=303)
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
    lang = lang_of(request)
    if values is None:
        inputs = record_inputs(rows.fields, current, session)
        marks = shown_marks(rows.fields, inputs)
    else:
        inputs, marks = {k: str(v) for k, v in values.items()}, posted_marks(values)
    return render_fragment(
        request,
        "_inline_row.html",
        kind=rows.spec.kind,
        record_id=record_id,
        cells=rows.static_cells(session, record),
        fields=rows.fields,
        values=values if values is not None else current,
        inputs=inputs,
        marks=marks,
        lang=lang,
        field_text=lambda f: field_text(f, inputs, lang),
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
        lang = lang_of(request)
        try:
            changes = changed_values(all_fields, form, session=session, lang=lang)
            if changes:
                spec.do_update(session, actor, record_id, changes, version)
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
                errors=messages(error, all_fields, lang),
            )
        except Conflict as error:
            session.rollback()
            current = spec.current_values(spec.load(session, record_id))
            shown = fields if htmx else all_fields
            conflicts = [
                row for row in conflict_rows(shown, form, current, session, lang) if row[0].name in form
            ]
            if not htmx:
                return render(
                    request,
                    "conflict.html",
                    409,
                    title=say(request, "%(what)s: edit conflict", what=pair_half(spec.title, lang)),
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


# ----------------------------------------------------------------------------- echo and pickers (HTMX)
def register_form_helpers(router: APIRouter) -> None:
    """GET /echo/{kind} (what a typed date, amount or 年度 was read as) and GET /pick/{what} (the records
    a typed name matches, as choices of the form's picker) on `router`."""

    @router.get("/echo/{kind}", name="staff.echo")
    def echo_value(request: Request, kind: str, actor: CurrentUser, field: str = "") -> Response:
        text = request.query_params.get(field, "") if field else ""
        return HTMLResponse(escape(echo(FormField(field or "value", "", kind), text, lang_of(request))))

    @router.get("/pick/{what}", name="staff.pick")
    def pick(
        request: Request, what: str, session: SessionDep, actor: CurrentUser, field: str = ""
    ) -> Response:
        picker = PICKERS.get(what)
        if picker is None or not field.isidentifier():
            return HTMLResponse("", status_code=404)
        typed = (request.query_params.get(f"{field}__q") or "").strip()
        lang = lang_of(request)
        if not typed:
            return HTMLResponse("")
        try:
            found = picker.search(session, typed)[:10]
        except InvalidInput:
            found = []
        if not found:
            return HTMLResponse(f'<span class="none">{escape(gettext(lang, "No match"))}</span>')
        items = "".join(
            f'<label class="match"><input type="radio" name="{field}__pick" value="{record_id}"> '
            f"{escape(label)}</label>"
            for record_id, label in found
        )
        return HTMLResponse(f'<span class="match-list" role="group">{items}</span>')
