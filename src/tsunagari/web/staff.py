"""Staff pages under /staff (login, password, edit forms, conflict screen, history, audit log, policy list).

The forms call the same actions as the JSON API; `install_staff(app)` adds both routers and the middleware.
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
from tsunagari.auth import actions, permissions
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import ROLE_LABELS_JA
from tsunagari.auth.schemas import Principal
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from tsunagari.exchange import service as exchange_service
from tsunagari.municipality import service as municipality_service
from tsunagari.organisation import service as organisation_service
from tsunagari.partnership import service as partnership_service
from tsunagari.policy import service as policy_service
from tsunagari.web.api_staff import record_json
from tsunagari.web.api_staff import router as api_router
from tsunagari.web.security import (
    CSRF_FIELD,
    CurrentUser,
    SessionDep,
    StaffSecurityMiddleware,
    clear_session_cookie,
    new_session,
    set_session_cookie,
    staff_session_of,
)

TEMPLATES = Path(__file__).parent / "templates"
router = APIRouter(prefix="/staff", include_in_schema=False)
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    staff_session = staff_session_of(request)
    principal = getattr(request.state, "principal", None)
    html = _env.get_template(f"staff/{template}").render(
        csrf_field=CSRF_FIELD,
        csrf_token=staff_session.csrf_token if staff_session else "",
        user=principal,
        role_labels=ROLE_LABELS_JA,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


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
    _f("programme_id", "交流事業ID", "int"),
    _f("title", "件名"),
    _f("start_on", "開始日", "date"),
    _f("end_on", "終了日", "date"),
    _f("direction", "方向", "select", ("", "outbound", "inbound", "both", "hosted")),
    _f("place", "場所"),
    _f("participants", '参加者 (JSON 例: {"students": 10})', "json"),
    _f("public_cost", "公費 (円)", "int"),
    _f("private_cost", "私費 (円)", "int"),
    _f("official_visit", "公式訪問", "bool"),
    _f("purpose", "目的", "textarea"),
    _f("purpose_published_on", "目的の公表日", "date"),
    _f("report_published_on", "報告の公表日", "date"),
    _f("report_medium", "公表媒体"),
    _f("outcomes", "成果", "textarea"),
)

FORMS: dict[str, tuple[str, tuple[FormField, ...]]] = {
    "municipality": (
        "自治体",
        (
            _f("name", "名称"),
            _f("name_en", "英語名"),
            _f("kana", "かな"),
            _f("country", "国 (ISO 2文字)"),
            _f("region", "都道府県・州"),
            _f("population", "人口", "int"),
            _f("population_as_of", "人口の時点", "date"),
            _f("area_km2", "面積 (km²)", "float"),
            _f("overview_ja", "概要", "textarea"),
            _f("overview_en", "概要 (英語)", "textarea"),
            _f("website", "ウェブサイト"),
        ),
    ),
    "partnership": (
        "提携",
        (
            _f("home_municipality_id", "自治体ID", "int"),
            _f("partner_municipality_id", "相手自治体ID", "int"),
            _f("type", "種別", "select", ("sister_city", "friendship_city", "friendship_exchange_city")),
            _f("signed_on", "提携日", "date"),
            _f("status", "状態", "select", ("active", "suspended", "ended")),
            _f("ended_on", "解消日", "date"),
            _f("origin", "契機", "textarea"),
            _f("notes", "備考", "textarea"),
        ),
    ),
    "organisation": (
        "団体",
        (
            _f("name", "名称"),
            _f("name_en", "英語名"),
            _f("kind", "種別"),
            _f("municipality_id", "自治体ID", "int"),
            _f("members_count", "会員数", "int"),
            _f("overview_ja", "概要", "textarea"),
            _f("website", "ウェブサイト"),
        ),
    ),
    "contact": (
        "連絡先",
        (
            _f("person_name", "氏名"),
            _f("role", "役職"),
            _f("email", "メール"),
            _f("phone", "電話"),
            _f("notes", "備考", "textarea"),
            _f("municipality_id", "自治体ID", "int"),
            _f("organisation_id", "団体ID", "int"),
            _f("partnership_id", "提携ID", "int"),
        ),
    ),
    "programme": (
        "交流事業",
        (
            _f("title", "事業名"),
            _f("format", "形式", "select", ("people", "conference")),
            _f("fiscal_years_text", "実施年度"),
            _f("fields", "分野 (カンマ区切り)", "list"),
            _f("description", "内容", "textarea"),
            _f("results", "成果", "textarea"),
        ),
    ),
    "activity": ("実施記録", ACTIVITY_FIELDS),
    "visit": (
        "訪問計画",
        (
            *ACTIVITY_FIELDS,
            _f("municipality_id", "訪問する自治体ID", "int"),
            _f("destination_municipality_id", "訪問先自治体ID", "int"),
            _f("destination_text", "訪問先 (未登録の場合)"),
            _f("for_signing", "盟約締結のための訪問", "bool"),
            _f("citizen_meeting_on", "市民・民間団体との協議日", "date"),
            _f("citizen_meeting_notes", "協議の記録", "textarea"),
        ),
    ),
}
# Creating a programme names its owner; editing does not move it.
CREATE_ONLY = {"programme": (_f("owner_municipality_id", "実施自治体ID", "int"),)}


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
        raise InvalidInput(f"{field.label}の形式が正しくありません", field=field.name, value=raw) from None
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
}
TABLES = {
    "municipality": "municipality",
    "partnership": "partnership",
    "organisation": "organisation",
    "contact": "contact",
    "programme": "programme",
    "activity": "activity",
    "visit": "visit",
}


def _current_values(kind: str, record: Any) -> dict[str, Any]:
    values = record_json(record)
    if kind == "visit":
        values = {**record_json(record.activity), **values, "version": record.activity.version}
    return values


def _version_of(kind: str, record: Any) -> int:
    return int(record.activity.version if kind == "visit" else record.version)


def _do_update(
    kind: str, session: Session, actor: Principal, record_id: int, changes: dict[str, Any], version: int
) -> Any:
    update: Callable[..., Any] = getattr(actions, f"update_{kind}")
    id_name = "activity_id" if kind == "visit" else f"{kind}_id"
    return update(session=session, actor=actor, changes=changes, version=version, **{id_name: record_id})


def _do_create(kind: str, session: Session, actor: Principal, values: dict[str, Any]) -> Any:
    if kind == "programme":
        owner = values.pop("owner_municipality_id", None)
        values["owners"] = [{"municipality_id": owner}] if owner else []
    create: Callable[..., Any] = getattr(actions, f"create_{kind}")
    return create(session=session, actor=actor, data=values)


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
            title=f"{title}の新規登録",
            fields=create_fields,
            values={},
            errors=[],
            action=f"/staff/{kind}/new",
            version=None,
            display=_display,
        )

    @router.post(f"/{kind}/new", name=f"staff.create_{kind}")
    async def create(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            record = _do_create(kind, session, actor, _form_values(create_fields, form))
        except InvalidInput as error:
            session.rollback()
            return render(
                request,
                "form.html",
                422,
                title=f"{title}の新規登録",
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
            title=f"{title}の編集",
            fields=fields,
            values=_current_values(kind, record),
            errors=[],
            action=f"/staff/{kind}/{record_id}/edit",
            version=_version_of(kind, record),
            display=_display,
            saved=request.query_params.get("saved") == "1",
            findings=findings,
            history_url=f"/staff/history/{TABLES[kind]}/{record_id}",
            delete_url=f"/staff/{kind}/{record_id}/delete",
        )

    @router.post(f"/{kind}/{{record_id}}/edit", name=f"staff.update_{kind}")
    async def update(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
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
                title=f"{title}の編集",
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
                title=f"{title}の編集: 競合",
                message=str(error),
                rows=rows,
                action=action,
                current_version=current.get("version"),
                display=_display,
            )
        return RedirectResponse(f"{action}?saved=1", status_code=303)

    @router.post(f"/{kind}/{{record_id}}/delete", name=f"staff.delete_{kind}")
    async def delete(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
        form = await request.form()
        raw = form.get("version")
        version = int(raw) if isinstance(raw, str) and raw.isdigit() else None
        id_name = "activity_id" if kind == "visit" else f"{kind}_id"
        getattr(actions, f"delete_{kind}")(
            session=session, actor=actor, version=version, **{id_name: record_id}
        )
        return RedirectResponse("/staff?deleted=1", status_code=303)


for _kind in FORMS:
    _register(_kind)


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
async def login(request: Request, session: SessionDep) -> Response:
    form = await request.form()
    email = str(form.get("email", ""))
    password = str(form.get("password", ""))
    try:
        user = auth_service.authenticate(session=session, email=email, password=password)
    except auth_service.TooManyAttempts as error:
        return render(request, "login.html", 429, error=str(error), email=email)
    except PermissionDenied as error:
        return render(request, "login.html", 401, error=str(error), email=email)
    response = RedirectResponse("/staff", status_code=303)
    set_session_cookie(
        request, response, new_session(user.id, auth_service.password_fingerprint(user.password_hash))
    )
    return response


@router.post("/logout", name="staff.logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/password", name="staff.password_form")
def password_form(request: Request, actor: CurrentUser) -> Response:
    return render(request, "password.html", error=None, done=False)


@router.post("/password", name="staff.change_password")
async def change_password(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    form = await request.form()
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
    set_session_cookie(
        request, response, new_session(user.id, auth_service.password_fingerprint(user.password_hash))
    )
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
    return render(request, "home.html", municipalities=municipalities, partnerships=partnerships, kinds=FORMS)


@router.get("/history/{table}/{record_id}", name="staff.history")
def history(
    request: Request, table: str, record_id: str, actor: CurrentUser, session: SessionDep
) -> Response:
    entries = audit_service.history(session=session, table_name=table, record_id=record_id)
    return render(
        request, "history.html", title=f"{table} #{record_id} の履歴", entries=entries, display=_display
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
        request, "history.html", title="監査ログ", entries=entries, display=_display, filters=filters
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
        return render(request, "message.html", 403, title="権限がありません", message=str(exc))
    from tsunagari.web.errors import error_response

    return error_response(403, str(exc) or "permission denied")


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 404, title="見つかりません", message=str(exc))
    from tsunagari.web.errors import error_response

    return error_response(404, str(exc))


def install_staff(app: FastAPI) -> None:
    """Staff pages, the write API and the security middleware; idempotent."""
    if getattr(app.state, "staff_installed", False):
        return
    app.include_router(api_router)
    app.include_router(router)
    app.add_middleware(StaffSecurityMiddleware)
    app.add_exception_handler(permissions.NotAuthenticated, _not_authenticated)
    app.add_exception_handler(PermissionDenied, _forbidden)
    app.add_exception_handler(NotFound, _not_found)
    app.state.staff_installed = True
