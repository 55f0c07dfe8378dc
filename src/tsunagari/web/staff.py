"""Staff pages under /staff (login, password, edit forms, conflict screen, history, audit log, policy list,
inline editing of partnerships and contacts).

The forms call the same actions as the JSON API; `install_staff(app)` adds the routers and the middleware.
Users, tokens, policy rules, the review list and evaluations live in `web.staff_admin`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.auth import actions, exchange_actions, permissions
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import ROLE_LABELS_EN, ROLE_LABELS_JA
from tsunagari.auth.schemas import Principal
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import NETWORK_KIND_LABELS
from tsunagari.municipality import service as municipality_service
from tsunagari.organisation import service as organisation_service
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.policy import service as policy_service
from tsunagari.web.api_staff import record_json
from tsunagari.web.api_staff import router as api_router
from tsunagari.web.security import (
    CSRF_FIELD,
    CurrentUser,
    FormFields,
    SessionDep,
    StaffSecurityMiddleware,
    clear_session_cookie,
    new_session,
    set_session_cookie,
    signed_in_session,
    staff_session_of,
)

TEMPLATES = Path(__file__).parent / "templates"
router = APIRouter(prefix="/staff", include_in_schema=False)
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def render_fragment(request: Request, template: str, **context: Any) -> str:
    staff_session = staff_session_of(request)
    principal = getattr(request.state, "principal", None)
    return _env.get_template(f"staff/{template}").render(
        csrf_field=CSRF_FIELD,
        csrf_token=staff_session.csrf_token if staff_session else "",
        user=principal,
        role_labels=ROLE_LABELS_JA,
        role_labels_en=ROLE_LABELS_EN,
        allowed=lambda action: permissions.allowed(action, principal),
        **context,
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render_fragment(request, template, **context), status_code=status_code)


# ----------------------------------------------------------------------------- forms
@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"
    """text, textarea, int, float, date, bool, list, json, or select"""
    choices: tuple[str, ...] = ()


def _f(name: str, label: str, kind: str = "text", choices: tuple[str, ...] = ()) -> FormField:
    return FormField(name, label, kind, choices)


ACTIVITY_FIELDS = (
    _f("programme_id", "交流事業ID / Programme id", "int"),
    _f("title", "件名 / Title"),
    _f("start_on", "開始日 / Start", "date"),
    _f("end_on", "終了日 / End", "date"),
    _f("direction", "方向 / Direction", "select", ("", "outbound", "inbound", "both", "hosted")),
    _f("place", "場所 / Place"),
    _f("participants", '参加者 / Participants (JSON 例 e.g. {"students": 10})', "json"),
    _f("public_cost", "公費 (円) / Public cost (yen)", "int"),
    _f("private_cost", "私費 (円) / Private cost (yen)", "int"),
    _f("official_visit", "公式訪問 / Official visit", "bool"),
    _f("purpose", "目的 / Purpose", "textarea"),
    _f("purpose_published_on", "目的の公表日 / Purpose published on", "date"),
    _f("report_published_on", "報告の公表日 / Report published on", "date"),
    _f("report_medium", "公表媒体 / Published in"),
    _f("outcomes", "成果 / Outcomes", "textarea"),
)

FORMS: dict[str, tuple[str, tuple[FormField, ...]]] = {
    "municipality": (
        "自治体 / Municipality",
        (
            _f("name", "名称 / Name"),
            _f("name_en", "英語名 / English name"),
            _f("kana", "かな / Kana"),
            _f("country", "国 (ISO 2文字) / Country (ISO alpha-2)"),
            _f("region", "都道府県・州 / Region"),
            _f("population", "人口 / Population", "int"),
            _f("population_as_of", "人口の時点 / Population as of", "date"),
            _f("area_km2", "面積 (km²) / Area (km²)", "float"),
            _f("overview_ja", "概要 / Overview", "textarea"),
            _f("overview_en", "概要 (英語) / Overview (English)", "textarea"),
            _f("website", "ウェブサイト / Website"),
        ),
    ),
    "partnership": (
        "提携 / Partnership",
        (
            _f("home_municipality_id", "自治体ID / Municipality id", "int"),
            _f("partner_municipality_id", "相手自治体ID / Partner municipality id", "int"),
            _f(
                "type",
                "種別 / Type",
                "select",
                ("sister_city", "friendship_city", "friendship_exchange_city"),
            ),
            _f("signed_on", "提携日 / Signed on", "date"),
            _f("status", "状態 / Status", "select", ("active", "suspended", "ended")),
            _f("ended_on", "解消日 / Ended on", "date"),
            _f("origin", "契機 / Origin", "textarea"),
            _f("notes", "備考 / Notes", "textarea"),
        ),
    ),
    "organisation": (
        "団体 / Organisation",
        (
            _f("name", "名称 / Name"),
            _f("name_en", "英語名 / English name"),
            _f("kind", "種別 / Type"),
            _f("municipality_id", "自治体ID / Municipality id", "int"),
            _f("members_count", "会員数 / Members", "int"),
            _f("overview_ja", "概要 / Overview", "textarea"),
            _f("website", "ウェブサイト / Website"),
        ),
    ),
    "contact": (
        "連絡先 / Contact",
        (
            _f("person_name", "氏名 / Name"),
            _f("role", "役職 / Role"),
            _f("email", "メール / E-mail"),
            _f("phone", "電話 / Phone"),
            _f("notes", "備考 / Notes", "textarea"),
            _f("municipality_id", "自治体ID / Municipality id", "int"),
            _f("organisation_id", "団体ID / Organisation id", "int"),
            _f("partnership_id", "提携ID / Partnership id", "int"),
        ),
    ),
    "programme": (
        "交流事業 / Programme",
        (
            _f("title", "事業名 / Title"),
            _f("format", "形式 / Format", "select", ("people", "conference")),
            _f("fiscal_years_text", "実施年度 / Fiscal years"),
            _f("fields", "分野 (カンマ区切り) / Fields (comma-separated)", "list"),
            _f("description", "内容 / Description", "textarea"),
            _f("results", "成果 / Outcomes", "textarea"),
        ),
    ),
    "activity": ("実施記録 / Activity", ACTIVITY_FIELDS),
    "visit": (
        "訪問計画 / Visit",
        (
            *ACTIVITY_FIELDS,
            _f("municipality_id", "訪問する自治体ID / Visiting municipality id", "int"),
            _f("destination_municipality_id", "訪問先自治体ID / Destination municipality id", "int"),
            _f("destination_text", "訪問先 (未登録の場合) / Destination (if not registered)"),
            _f("for_signing", "盟約締結のための訪問 / Visit to sign an agreement", "bool"),
            _f("citizen_meeting_on", "市民・民間団体との協議日 / Met citizens on", "date"),
            _f("citizen_meeting_notes", "協議の記録 / Meeting notes", "textarea"),
        ),
    ),
    "network": (
        "ネットワーク / Network",
        (
            _f("name", "名称 / Name"),
            _f("name_en", "英語名 / English name"),
            _f("kind", "種別 / Kind", "select", tuple(NETWORK_KIND_LABELS)),
            _f("description", "概要 / Description", "textarea"),
            _f("secretariat_municipality_id", "事務局の自治体ID / Secretariat municipality id", "int"),
            _f("secretariat_organisation_id", "事務局の団体ID / Secretariat organisation id", "int"),
            _f("secretariat_text", "事務局 (未登録の場合) / Secretariat (if not registered)"),
            _f("founded_fy", "設立年度 / Founded (fiscal year)", "int"),
            _f("member_count", "会員数 / Members", "int"),
            _f("member_count_as_of", "会員数の時点 / Members as of", "date"),
            _f("rotation", "開催の順番 / Rotation", "textarea"),
            _f("fields", "分野 (カンマ区切り) / Fields (comma-separated)", "list"),
            _f("subcommittees", "分科委員会 (カンマ区切り) / Subcommittees (comma-separated)", "list"),
            _f("url", "ウェブサイト / Website"),
        ),
    ),
    "meeting": (
        "ネットワークの会合 / Network meeting",
        (
            _f("title", "会合名 / Title"),
            _f("fiscal_year", "年度 / Fiscal year", "int"),
            _f("held_on", "開催日 / Held on", "date"),
            _f("host_municipality_id", "開催自治体ID / Host municipality id", "int"),
            _f("place", "場所 / Place"),
            _f("participating_count", "参加自治体数 / Participating governments", "int"),
            _f("notes", "備考 / Notes", "textarea"),
        ),
    ),
    "award": (
        "表彰 / Award",
        (
            _f("name", "表彰名 / Award"),
            _f("prize", "賞 / Prize"),
            _f("edition", "回 / Edition", "int"),
            _f("fiscal_year", "年度 / Fiscal year", "int"),
            _f("awarded_by", "表彰者 / Awarded by"),
            _f("recipient_municipality_id", "受賞自治体ID / Recipient municipality id", "int"),
            _f("recipient_organisation_id", "受賞団体ID / Recipient organisation id", "int"),
            _f(
                "partner_municipality_ids",
                "相手自治体ID (カンマ区切り) / Partner municipality ids (comma-separated)",
                "list",
            ),
            _f("programme_id", "交流事業ID / Programme id", "int"),
            _f("citation", "受賞理由 / Citation", "textarea"),
            _f(
                "evaluation_points",
                '評価のポイント (JSON) / Evaluation points, e.g. [{"criterion": "continuity", "text": "…"}]',
                "json",
            ),
            _f("url", "ウェブサイト / Website"),
        ),
    ),
}
# Creating a programme names its owner and a meeting its network; editing moves neither.
CREATE_ONLY = {
    "programme": (_f("owner_municipality_id", "実施自治体ID / Owner municipality id", "int"),),
    "meeting": (_f("network_id", "ネットワークID / Network id", "int"),),
}
# Networks, their meetings and awards are written through their own action module.
EXCHANGE_KINDS = frozenset({"network", "meeting", "award"})


def _action(verb: str, kind: str) -> Callable[..., Any]:
    module = exchange_actions if kind in EXCHANGE_KINDS else actions
    action: Callable[..., Any] = getattr(module, f"{verb}_{kind}")
    return action


def _service_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Form fields → what the service takes: an award's recipient is one party of two columns."""
    if kind == "award" and {"recipient_municipality_id", "recipient_organisation_id"} & set(values):
        values["recipient"] = {
            "municipality_id": values.pop("recipient_municipality_id", None),
            "organisation_id": values.pop("recipient_organisation_id", None),
        }
    return values


def _convert(field: FormField, raw: str) -> Any:
    raw = raw.strip()
    if field.kind == "bool":
        return raw in ("on", "true", "1")
    if raw == "":
        return [] if field.kind == "list" else ({} if field.kind == "json" else None)
    try:
        if field.kind == "int":
            return int(raw)
        if field.kind == "float":
            return float(raw)
        if field.kind == "date":
            return dt.date.fromisoformat(raw)
        if field.kind == "list":
            return [part.strip() for part in raw.split(",") if part.strip()]
        if field.kind == "json":
            return json.loads(raw)
    except (ValueError, json.JSONDecodeError):
        raise InvalidInput("形式が正しくありません / invalid format", field=field.name, value=raw) from None
    return raw


def _form_values(fields: tuple[FormField, ...], form: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for field in fields:
        if field.kind != "bool" and field.name not in form:
            continue
        try:
            values[field.name] = _convert(field, form.get(field.name, ""))
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems=problems)
    return values


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _messages(error: InvalidInput, fields: tuple[FormField, ...]) -> list[str]:
    labels = {f.name: f.label for f in fields}
    out = []
    for problem in error.problems:
        label = labels.get((problem.field or "").split(".")[0], problem.field or "")
        out.append(f"{label}: {problem.reason}" if label else problem.reason)
    return out


# ----------------------------------------------------------------------------- record access per kind
Loader = Callable[[Session, int], Any]
LOADERS: dict[str, Loader] = {
    "municipality": lambda s, i: municipality_service.get(session=s, municipality_id=i),
    "partnership": lambda s, i: partnership_service.get(session=s, partnership_id=i),
    "organisation": lambda s, i: organisation_service.get(session=s, organisation_id=i),
    "contact": lambda s, i: actions.get_contact(session=s, contact_id=i),
    "programme": lambda s, i: exchange_service.get_programme(session=s, programme_id=i),
    "activity": lambda s, i: exchange_service.get_activity(session=s, activity_id=i),
    "visit": lambda s, i: policy_service.get_visit(session=s, activity_id=i),
    "network": lambda s, i: exchange_service.get_network(session=s, network_id=i),
    "meeting": lambda s, i: exchange_service.get_meeting(session=s, meeting_id=i),
    "award": lambda s, i: exchange_service.get_award(session=s, award_id=i),
}
TABLES = {
    "municipality": "municipality",
    "partnership": "partnership",
    "organisation": "organisation",
    "contact": "contact",
    "programme": "programme",
    "activity": "activity",
    "visit": "visit",
    "network": "network",
    "meeting": "network_meeting",
    "award": "award",
}


def _current_values(kind: str, record: Any) -> dict[str, Any]:
    values = record_json(record)
    if kind == "visit":
        values = {**record_json(record.activity), **values, "version": record.activity.version}
    if kind == "award":
        values["partner_municipality_ids"] = [partner.municipality_id for partner in record.partners]
    return values


def _version_of(kind: str, record: Any) -> int:
    return int(record.activity.version if kind == "visit" else record.version)


def _do_update(
    kind: str, session: Session, actor: Principal, record_id: int, changes: dict[str, Any], version: int
) -> Any:
    id_name = "activity_id" if kind == "visit" else f"{kind}_id"
    return _action("update", kind)(
        session=session,
        actor=actor,
        changes=_service_values(kind, changes),
        version=version,
        **{id_name: record_id},
    )


def _do_create(kind: str, session: Session, actor: Principal, values: dict[str, Any]) -> Any:
    if kind == "programme":
        owner = values.pop("owner_municipality_id", None)
        values["owners"] = [{"municipality_id": owner}] if owner else []
    return _action("create", kind)(session=session, actor=actor, data=_service_values(kind, values))


def _record_id(kind: str, record: Any) -> int:
    return int(record.activity_id if kind == "visit" else record.id)


def _register(kind: str) -> None:
    title, fields = FORMS[kind]
    create_fields = fields + CREATE_ONLY.get(kind, ())

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
            display=_display,
        )

    @router.post(f"/{kind}/new", name=f"staff.create_{kind}")
    def create(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
        try:
            record = _do_create(kind, session, actor, _form_values(create_fields, form))
        except InvalidInput as error:
            session.rollback()
            return render(
                request,
                "form.html",
                422,
                title=f"{title}: 新規登録 / New",
                fields=create_fields,
                values=form,
                errors=_messages(error, create_fields),
                action=f"/staff/{kind}/new",
                version=None,
                display=_display,
            )
        return RedirectResponse(f"/staff/{kind}/{_record_id(kind, record)}/edit?saved=1", status_code=303)

    @router.get(f"/{kind}/{{record_id}}/edit", name=f"staff.edit_{kind}")
    def edit_form(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        record = LOADERS[kind](session, record_id)
        findings = []
        if kind == "visit":
            findings = policy_service.evaluate(session=session, visit=record, today=dt.date.today())
        return render(
            request,
            "form.html",
            title=f"{title}: 編集 / Edit",
            fields=fields,
            values=_current_values(kind, record),
            errors=[],
            action=f"/staff/{kind}/{record_id}/edit",
            version=_version_of(kind, record),
            display=_display,
            saved=request.query_params.get("saved") == "1",
            findings=findings,
            history_url=f"/staff/history/{TABLES[kind]}/{record_id}",
            partners_url=f"/staff/programme/{record_id}/partners" if kind == "programme" else None,
            delete_url=f"/staff/{kind}/{record_id}/delete",
        )

    @router.post(f"/{kind}/{{record_id}}/edit", name=f"staff.update_{kind}")
    def update(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        action = f"/staff/{kind}/{record_id}/edit"
        try:
            version = int(form.get("version", ""))
        except ValueError:
            version = -1
        try:
            changes = _form_values(fields, form)
            _do_update(kind, session, actor, record_id, changes, version)
        except InvalidInput as error:
            session.rollback()
            return render(
                request,
                "form.html",
                422,
                title=f"{title}: 編集 / Edit",
                fields=fields,
                values=form,
                errors=_messages(error, fields),
                action=action,
                version=version,
                display=_display,
            )
        except Conflict as error:
            session.rollback()
            current = _current_values(kind, LOADERS[kind](session, record_id))
            rows = [(f, _display(form.get(f.name, "")), _display(current.get(f.name))) for f in fields]
            return render(
                request,
                "conflict.html",
                409,
                title=f"{title}: 編集の競合 / Edit conflict",
                message=str(error),
                rows=rows,
                action=action,
                current_version=current.get("version"),
                display=_display,
            )
        return RedirectResponse(f"{action}?saved=1", status_code=303)

    @router.post(f"/{kind}/{{record_id}}/delete", name=f"staff.delete_{kind}")
    def delete(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        raw = form.get("version")
        version = int(raw) if isinstance(raw, str) and raw.isdigit() else None
        id_name = "activity_id" if kind == "visit" else f"{kind}_id"
        _action("delete", kind)(session=session, actor=actor, version=version, **{id_name: record_id})
        return RedirectResponse("/staff?deleted=1", status_code=303)


for _kind in FORMS:
    _register(_kind)


# ----------------------------------------------------------------------------- programme partners
PARTNER_FIELDS = (
    _f("municipality_id", "相手自治体ID / Partner municipality id", "int"),
    _f("organisation_id", "相手団体ID / Partner organisation id", "int"),
    _f("written_name", "名称 / Name"),
    _f("country", "国 / Country"),
)


def _partners_page(
    request: Request, session: Session, programme_id: int, status_code: int = 200, **context: Any
) -> Response:
    programme = exchange_service.get_programme(session=session, programme_id=programme_id)
    context.setdefault("values", {})
    context.setdefault("errors", [])
    title = f"交流事業の相手 / Programme partners: {programme.title}"
    return render(
        request, "programme_partners.html", status_code, title=title, programme=programme, **context
    )


@router.get("/programme/{record_id}/partners", name="staff.programme_partners")
def programme_partners(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    return _partners_page(request, session, record_id, saved=request.query_params.get("saved") == "1")


@router.post("/programme/{record_id}/partners", name="staff.add_programme_partner")
def add_programme_partner(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    try:
        values = {k: v for k, v in _form_values(PARTNER_FIELDS, form).items() if v not in (None, "")}
        if "country" in values:
            values["country"] = str(values["country"]).upper()
        exchange_actions.add_programme_partner(
            session=session, actor=actor, programme_id=record_id, data=values
        )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        problems = error.problems if isinstance(error, InvalidInput) else [Problem(str(error))]
        messages = _messages(InvalidInput(problems=problems), PARTNER_FIELDS)
        return _partners_page(request, session, record_id, 422, values=form, errors=messages)
    return RedirectResponse(f"/staff/programme/{record_id}/partners?saved=1", status_code=303)


@router.post("/programme-partner/{record_id}/remove", name="staff.remove_programme_partner")
def remove_programme_partner(record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    programme_id = exchange_service.get_partner(session=session, partner_id=record_id).programme_id
    exchange_actions.remove_programme_partner(session=session, actor=actor, partner_id=record_id)
    return RedirectResponse(f"/staff/programme/{programme_id}/partners?saved=1", status_code=303)


# ----------------------------------------------------------------------------- inline editing (HTMX)
# Fields edited in place on the list pages; everything else stays on the full form.
INLINE_FIELDS: dict[str, tuple[str, ...]] = {
    "partnership": ("status", "notes"),
    "contact": ("person_name", "role", "email", "phone"),
}


def _inline_fields(kind: str) -> tuple[FormField, ...]:
    by_name = {f.name: f for f in FORMS[kind][1]}
    return tuple(by_name[name] for name in INLINE_FIELDS[kind])


def _static_cells(session: Session, kind: str, record: Any) -> list[str]:
    """The read-only cells in front of the editable ones."""
    if kind == "partnership":
        partner = record.partner_municipality or record.partner_organisation
        home = record.home_municipality or record.home_organisation
        label = PARTNERSHIP_TYPE_LABELS.get(record.type, (record.type, record.type))
        return [
            f"#{record.id}",
            home.name if home is not None else "",
            partner.name if partner is not None else (record.partner_written_name or ""),
            f"{label[0]} / {label[1]}",
            _display(record.signed_on),
        ]
    owner = (
        f"自治体 / municipality #{record.municipality_id}"
        if record.municipality_id
        else f"団体 / organisation #{record.organisation_id}"
        if record.organisation_id
        else f"提携 / partnership #{record.partnership_id}"
        if record.partnership_id
        else ""
    )
    return [f"#{record.id}", owner]


def inline_row(
    request: Request,
    session: Session,
    kind: str,
    record_id: int,
    *,
    mode: str = "view",
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    conflict_rows: list[tuple[FormField, str, str]] | None = None,
    message: str = "",
) -> Response:
    return HTMLResponse(
        inline_html(
            request,
            session,
            kind,
            record_id,
            mode=mode,
            values=values,
            errors=errors,
            conflict_rows=conflict_rows,
            message=message,
        ),
        status_code=status_code,
    )


def inline_html(
    request: Request,
    session: Session,
    kind: str,
    record_id: int,
    *,
    mode: str = "view",
    values: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    conflict_rows: list[tuple[FormField, str, str]] | None = None,
    message: str = "",
) -> str:
    """One table row of a record: shown, being edited, saved, or in conflict (both versions side by side)."""
    record = LOADERS[kind](session, record_id)
    current = _current_values(kind, record)
    return render_fragment(
        request,
        "_inline_row.html",
        kind=kind,
        record_id=record_id,
        cells=_static_cells(session, kind, record),
        fields=_inline_fields(kind),
        values=values if values is not None else current,
        current=current,
        version=current["version"],
        mode=mode,
        errors=errors or [],
        conflict_rows=conflict_rows or [],
        message=message,
        display=_display,
        can_edit=_may_update(session, kind, record, request),
    )


def _may_update(session: Session, kind: str, record: Any, request: Request) -> bool:
    principal = getattr(request.state, "principal", None)
    target = (
        actions.partnership_target(session, record)
        if kind == "partnership"
        else actions.contact_target(session, record)
    )
    return permissions.allowed(f"update_{kind}", principal, target)


def _register_inline(kind: str) -> None:
    fields = _inline_fields(kind)

    @router.get(f"/{kind}/{{record_id}}/inline", name=f"staff.inline_view_{kind}")
    def view_row(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        return inline_row(request, session, kind, record_id)

    @router.get(f"/{kind}/{{record_id}}/inline/edit", name=f"staff.inline_edit_{kind}")
    def edit_row(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        return inline_row(request, session, kind, record_id, mode="edit")

    @router.post(f"/{kind}/{{record_id}}/inline", name=f"staff.inline.update_{kind}")
    def save_row(
        request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
    ) -> Response:
        """Saves the edited cells with the version the row was drawn from; a stale one shows both."""
        htmx = request.headers.get("hx-request") == "true"
        try:
            version = int(form.get("version", ""))
        except ValueError:
            version = -1
        all_fields = FORMS[kind][1]
        try:
            _do_update(kind, session, actor, record_id, _form_values(all_fields, form), version)
        except InvalidInput as error:
            session.rollback()
            return inline_row(
                request,
                session,
                kind,
                record_id,
                mode="edit",
                status_code=422,
                values=form,
                errors=_messages(error, all_fields),
            )
        except Conflict as error:
            session.rollback()
            current = _current_values(kind, LOADERS[kind](session, record_id))
            shown = fields if htmx else all_fields
            rows = [
                (f, _display(form.get(f.name, "")), _display(current.get(f.name)))
                for f in shown
                if f.name in form
            ]
            if not htmx:
                return render(
                    request,
                    "conflict.html",
                    409,
                    title=f"{FORMS[kind][0]}: 編集の競合 / Edit conflict",
                    message=str(error),
                    rows=rows,
                    action=f"/staff/{kind}/{record_id}/edit",
                    current_version=current.get("version"),
                    display=_display,
                )
            return inline_row(
                request,
                session,
                kind,
                record_id,
                mode="conflict",
                status_code=409,
                conflict_rows=rows,
                message=str(error),
            )
        if not htmx:  # a plain form post (no JavaScript): back to the full form
            return RedirectResponse(f"/staff/{kind}/{record_id}/edit?saved=1", status_code=303)
        session.flush()
        return inline_row(request, session, kind, record_id, mode="saved")


for _kind in INLINE_FIELDS:
    _register_inline(_kind)


def _municipality_choice(session: Session, actor: Principal, municipality: str | None) -> Any:
    """The municipality a list page is about: the one asked for (id or exact name), else the actor's first."""
    if municipality and municipality.strip():
        text = municipality.strip()
        if text.isdigit():
            return municipality_service.get(session=session, municipality_id=int(text))
        found = municipality_service.find_by_name(session=session, name=text, country="JP")
        if len(found) != 1:
            raise InvalidInput(
                f"{len(found)}件の自治体が該当します。IDで指定してください"
                f" / {len(found)} municipalities match; give the id",
                field="municipality",
                value=text,
            )
        return found[0]
    if actor.municipality_ids:
        return municipality_service.get(session=session, municipality_id=min(actor.municipality_ids))
    return None


@router.get("/partnerships", name="staff.partnerships")
def partnerships_page(
    request: Request, session: SessionDep, actor: CurrentUser, municipality: str | None = None
) -> Response:
    """A municipality's partnerships, whose status and notes can be edited in place."""
    try:
        chosen = _municipality_choice(session, actor, municipality)
        error = None
    except InvalidInput as invalid:
        chosen, error = None, "; ".join(p.describe() for p in invalid.problems)
    records = (
        partnership_service.for_municipality(session=session, municipality_id=chosen.id) if chosen else []
    )
    rows = [inline_html(request, session, "partnership", p.id) for p in records]
    return render(
        request,
        "list.html",
        422 if error else 200,
        title="提携の一覧 / Partnerships",
        heading_cells=["ID", "自治体 / Municipality", "相手 / Partner", "種別 / Type", "提携日 / Signed"],
        fields=_inline_fields("partnership"),
        rows=rows,
        chosen=chosen,
        query=municipality or "",
        error=error,
        action="/staff/partnerships",
        evaluate_kind="partnership",
        ids=[p.id for p in records],
    )


@router.get("/contacts", name="staff.contacts")
def contacts_page(
    request: Request, session: SessionDep, actor: CurrentUser, municipality: str | None = None
) -> Response:
    """Contacts (personal data: staff only) of a municipality, editable in place by its editors."""
    permissions.require("view_contacts", actor)
    try:
        chosen = _municipality_choice(session, actor, municipality)
        error = None
    except InvalidInput as invalid:
        chosen, error = None, "; ".join(p.describe() for p in invalid.problems)
    records = actions.list_contacts(
        session=session, actor=actor, municipality_id=chosen.id if chosen else None
    )[:500]
    rows = [inline_html(request, session, "contact", c.id) for c in records]
    return render(
        request,
        "list.html",
        422 if error else 200,
        title="連絡先 / Contacts",
        heading_cells=["ID", "所属 / Belongs to"],
        fields=_inline_fields("contact"),
        rows=rows,
        chosen=chosen,
        query=municipality or "",
        error=error,
        action="/staff/contacts",
        evaluate_kind=None,
        ids=[c.id for c in records],
    )


# ----------------------------------------------------------------------------- accounts
@router.get("/login", name="staff.login_form")
def login_form(request: Request) -> Response:
    response = render(request, "login.html", error=None, email="")
    if staff_session_of(request) is None:
        # The login form needs a CSRF token before there is a user: an anonymous session carries it.
        fresh = new_session()
        request.state.staff_session = fresh
        response = render(request, "login.html", error=None, email="")
        set_session_cookie(request, response, fresh)
    return response


@router.post("/login", name="staff.login")
def login(request: Request, session: SessionDep, form: FormFields) -> Response:
    email = str(form.get("email", ""))
    password = str(form.get("password", ""))
    try:
        user = auth_service.authenticate(
            session=session,
            email=email,
            password=password,
            ip=request.client.host if request.client else None,
        )
    except auth_service.TooManyAttempts as error:
        return render(request, "login.html", 429, error=str(error), email=email)
    except PermissionDenied as error:
        return render(request, "login.html", 401, error=str(error), email=email)
    response = RedirectResponse("/staff", status_code=303)
    set_session_cookie(request, response, signed_in_session(session, user))
    return response


@router.post("/logout", name="staff.logout")
def logout(request: Request, session: SessionDep) -> Response:
    signed_in = staff_session_of(request)
    if signed_in is not None and signed_in.key is not None:
        auth_service.end_session(session=session, key=signed_in.key)
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/password", name="staff.password_form")
def password_form(request: Request, actor: CurrentUser) -> Response:
    return render(request, "password.html", error=None, done=False)


@router.post("/password", name="staff.change_password")
def change_password(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
    user = auth_service.get(session=session, user_id=actor.user_id)
    try:
        auth_service.change_password(
            session=session,
            user=user,
            current=str(form.get("current_password", "")),
            new=str(form.get("new_password", "")),
        )
    except InvalidInput as error:
        return render(
            request, "password.html", 422, error="; ".join(p.reason for p in error.problems), done=False
        )
    session.refresh(user)
    response = render(request, "password.html", error=None, done=True)
    # Every other browser signed in as this user was signed out with the change; this one goes on.
    set_session_cookie(request, response, signed_in_session(session, user))
    return response


# ----------------------------------------------------------------------------- home, history, audit, policy
@router.get("", name="staff.home")
def home(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    municipalities = [
        municipality_service.get(session=session, municipality_id=m) for m in sorted(actor.municipality_ids)
    ]
    partnerships = {
        m.id: partnership_service.for_municipality(session=session, municipality_id=m.id)
        for m in municipalities
    }
    # Programmes (with their activities) and networks an editor keeps: where the edit links live.
    programmes = {
        m.id: exchange_service.list_programmes(session=session, municipality_id=m.id) for m in municipalities
    }
    networks = {
        m.id: exchange_service.networks_run_by(session=session, municipality_id=m.id) for m in municipalities
    }
    return render(
        request,
        "home.html",
        municipalities=municipalities,
        partnerships=partnerships,
        programmes=programmes,
        networks=networks,
        kinds=FORMS,
    )


@router.get("/history/{table}/{record_id}", name="staff.history")
def history(
    request: Request, table: str, record_id: str, actor: CurrentUser, session: SessionDep
) -> Response:
    entries = audit_service.history(session=session, table_name=table, record_id=record_id)
    return render(
        request,
        "history.html",
        title=f"{table} #{record_id} の履歴 / History",
        entries=entries,
        display=_display,
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
        "history.html",
        title="監査ログ / Audit log",
        entries=entries,
        display=_display,
        filters=filters,
    )


@router.get("/policy", name="staff.policy")
def policy(
    request: Request, actor: CurrentUser, session: SessionDep, municipality_id: int | None = None
) -> Response:
    permissions.require("view_policy", actor)
    findings = policy_service.check(session=session, municipality_id=municipality_id, today=dt.date.today())
    return render(request, "policy.html", findings=findings)


# ----------------------------------------------------------------------------- installation
async def _not_authenticated(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        from tsunagari.web.errors import error_response

        return error_response(401, str(exc), headers={"WWW-Authenticate": "Bearer"})
    return RedirectResponse(f"/staff/login?next={request.url.path}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 403, title="権限がありません / Not allowed", message=str(exc))
    from tsunagari.web.errors import error_response

    return error_response(403, str(exc) or "permission denied")


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 404, title="見つかりません / Not found", message=str(exc))
    from tsunagari.web.errors import error_response

    return error_response(404, str(exc))


async def _conflict(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 409, title="競合 / Conflict", message=str(exc))
    from tsunagari.web import errors

    return await errors._conflict(request, exc)


async def _invalid(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff") and isinstance(exc, InvalidInput):
        message = "; ".join(p.describe() for p in exc.problems) or "invalid input"
        return render(
            request,
            "message.html",
            422,
            title="入力内容を確認してください / Check the input",
            message=message,
        )
    from tsunagari.web import errors

    return await errors._invalid_input(request, exc)


def install_staff(app: FastAPI) -> None:
    """Staff pages, the write API and the security middleware; idempotent."""
    if getattr(app.state, "staff_installed", False):
        return
    from tsunagari.web.staff_admin import router as admin_router

    app.include_router(api_router)
    app.include_router(router)
    app.include_router(admin_router)
    app.add_middleware(StaffSecurityMiddleware)
    app.add_exception_handler(permissions.NotAuthenticated, _not_authenticated)
    app.add_exception_handler(PermissionDenied, _forbidden)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(InvalidInput, _invalid)
    app.state.staff_installed = True
