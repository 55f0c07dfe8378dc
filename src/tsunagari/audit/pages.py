"""Staff pages of the audit trail: a record's history and the audit log, each entry a field-by-field diff
with field labels, names instead of ids and Japanese record-type labels; thin: reads through
`audit.service`, names records through the staff pickers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.access.action_kit import TABLE_LABELS
from tsunagari.audit import service as audit_service
from tsunagari.audit.download_staff_pages import AUDIT as AUDIT_EXPORT
from tsunagari.audit.download_staff_pages import change_rows
from tsunagari.audit.models import AuditEntry
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.web.forms import PICKERS, FormField, Lang, display, read_date
from tsunagari.web.i18n import pair_half, translations
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import KINDS
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

# Record types no staff form edits (so no form title names them), in the trail's words.
OTHER_TABLES: dict[str, tuple[str, str]] = {
    "activity": ("交流活動", "Activity"),
    "staff_user": ("職員アカウント", "Staff account"),
    "api_token": ("APIトークン", "API token"),
    "evaluation_score": ("評価の採点", "Evaluation score"),
    "municipality_name": ("自治体の別名", "Municipality name"),
    "login_session": ("ログイン", "Login session"),
}
# Columns every record has, or keys derived from other columns, which say nothing a person changed.
QUIET = frozenset({"id", "version", "created_at", "updated_at", "party", "home_party", "partner_party"})
# Columns no staff form shows, named for the trail (English msgids of the catalogue).
COLUMN_LABELS = {
    "inherited_through_merger": "Inherited through a merger",
    "partner_written_name": "Partner as written",
    "source": "Source",
    "name_en": "English name",
}
# A column ending in one of these names a record of that picker.
REFERENCES = (
    ("municipality_id", "municipality"),
    ("organisation_id", "organisation"),
    ("programme_id", "programme"),
    ("network_id", "network"),
    ("partnership_id", "partnership"),
)
TABLE_PICKERS = {"municipality", "organisation", "programme", "network", "partnership"}


def table_label(table: str, lang: Lang) -> str:
    """The record type as staff call it: 提携, 交流事業, … (English in English mode)."""
    for spec in KINDS.values():
        if spec.table == table:
            return pair_half(spec.title, lang)
    if table in OTHER_TABLES:
        ja, en = OTHER_TABLES[table]
        return en if lang == "en" else ja
    if table in TABLE_LABELS:
        ja, en = TABLE_LABELS[table]
        return en if lang == "en" else ja
    return table


def record_types(lang: Lang) -> list[tuple[str, str]]:
    """Every record type the filter offers: (table, label), by label."""
    tables = {spec.table for spec in KINDS.values()} | set(OTHER_TABLES) | set(TABLE_LABELS)
    return sorted(((t, table_label(t, lang)) for t in tables), key=lambda pair: pair[1])


def _fields_of(table: str) -> dict[str, FormField]:
    found: dict[str, FormField] = {}
    for spec in KINDS.values():
        if spec.table == table:
            for form_field in spec.create_fields:
                found.setdefault(form_field.name, form_field)
    return found


@dataclass(frozen=True)
class Change:
    """One field of one entry: its label and the values before and after, as a person reads them."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryView:
    entry: AuditEntry
    record_type: str
    record_name: str
    action: str
    changes: list[Change]


class Namer:
    """Names records by id through the staff pickers, once each per page."""

    def __init__(self, session: Session, lang: Lang) -> None:
        self.session, self.lang, self.known = session, lang, dict[tuple[str, int], str]()

    def name(self, what: str, record_id: Any) -> str:
        try:
            key = (what, int(record_id))
        except (TypeError, ValueError):
            return display(record_id)
        if key not in self.known:
            picker = PICKERS.get(what)
            try:
                self.known[key] = picker.describe(picker.load(self.session, key[1])) if picker else ""
            except NotFound:
                self.known[key] = ""
            if not self.known[key]:
                gone = translations(self.lang).gettext("deleted")
                self.known[key] = f"#{key[1]}" + (f" ({gone})" if picker else "")
        return self.known[key]

    def value(self, column: str, value: Any, form_field: FormField | None) -> str:
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, bool):
            return translations(self.lang).gettext("yes" if value else "no")
        for suffix, what in REFERENCES:
            if column.endswith(suffix):
                return self.name(what, value)
        if form_field is not None and form_field.options:
            labels = {o.value: o.label(self.lang) for o in form_field.option_list()}
            if isinstance(value, list):
                return "、".join(labels.get(str(v), str(v)) for v in value)
            if isinstance(value, dict):
                return "、".join(f"{labels.get(str(k), k)} {v}" for k, v in value.items())
            return labels.get(str(value), str(value))
        return display(value)


ACTIONS = {"create": "Created", "update": "Changed", "delete": "Deleted"}


def entry_view(entry: AuditEntry, namer: Namer) -> EntryView:
    """One audit entry as a diff: only the fields whose values differ (all of them on create or delete)."""
    _ = translations(namer.lang).gettext
    fields = _fields_of(entry.table_name)
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for column in list(dict.fromkeys([*before, *after])):
        if column in QUIET or column.endswith("_precision") or before.get(column) == after.get(column):
            continue
        form_field = fields.get(column)
        label = form_field.label_in(namer.lang) if form_field else _(COLUMN_LABELS.get(column, column))
        old = namer.value(column, before.get(column), form_field) if entry.action != "create" else ""
        new = namer.value(column, after.get(column), form_field) if entry.action != "delete" else ""
        if old or new:
            changes.append(Change(label, old, new))
    own = entry.table_name if entry.table_name in TABLE_PICKERS else None
    if own is not None:
        name = namer.name(own, entry.record_id)
    else:
        name = str((after or before).get("name") or (after or before).get("title") or f"#{entry.record_id}")
    return EntryView(
        entry,
        table_label(entry.table_name, namer.lang),
        name,
        _(ACTIONS.get(entry.action, entry.action)),
        changes,
    )


@router.get("/history/{table}/{record_id}", name="staff.history")
def history(
    request: Request, table: str, record_id: str, actor: CurrentUser, session: SessionDep
) -> Response:
    lang = lang_of(request)
    _ = translations(lang).gettext
    namer = Namer(session, lang)
    entries = [
        entry_view(e, namer)
        for e in audit_service.history(session=session, table_name=table, record_id=record_id)
    ]
    if wanted_format(request):
        return AUDIT_EXPORT.response(request, change_rows(entries))
    name = entries[-1].record_name if entries else f"#{record_id}"
    return render(
        request,
        "audit/history.html",
        title=f"{table_label(table, lang)} {name}: {_('History')}",
        entries=entries,
        lang=lang,
        downloads=download_links(request),
    )


@router.get("/audit", name="staff.audit_log")
def audit_log(
    request: Request,
    actor: CurrentUser,
    session: SessionDep,
    user: str | None = None,
    table: str | None = None,
    record: str | None = None,
    since: str = "",
    until: str = "",
    format: str = "",
) -> Response:
    permissions.require("view_audit_log", actor)
    lang = lang_of(request)
    _ = translations(lang).gettext
    # The date filters as staff write them (2025-04-01 from the date picker, or 令和7年4月1日); a date the
    # parser refuses is named on the form, and the log is shown unfiltered by it.
    dates: dict[str, dt.date | None] = {"since": None, "until": None}
    date_errors: dict[str, str] = {}
    for name, raw in (("since", since), ("until", until)):
        if raw.strip():
            try:
                dates[name] = read_date(raw, field=name, lang=lang).value
            except InvalidInput as error:
                date_errors[name] = "; ".join(p.reason for p in error.problems)
    start, end = dates["since"], dates["until"]
    if table and record:
        found = list(audit_service.history(session=session, table_name=table, record_id=record))
        found = [e for e in found if not user or e.actor_name == user]
    else:
        found = list(
            audit_service.log(
                session=session,
                actor_name=user or None,
                table_name=table or None,
                since=dt.datetime.combine(start, dt.time(), dt.UTC) if start else None,
                until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC) if end else None,
                limit=200,
            )
        )
    namer = Namer(session, lang)
    if wanted_format(request) and not date_errors:
        return AUDIT_EXPORT.response(request, change_rows([entry_view(e, namer) for e in found]))
    filters = {
        "user": user or "",
        "table": table or "",
        "record": record or "",
        "since": start.isoformat() if start else since,
        "until": end.isoformat() if end else until,
    }
    return render(
        request,
        "audit/history.html",
        422 if date_errors else 200,
        title=_("Audit log"),
        date_errors=date_errors,
        entries=[entry_view(e, namer) for e in found],
        filters=filters,
        record_types=record_types(lang),
        users=sorted({e.actor_name for e in found}),
        lang=lang,
    )
