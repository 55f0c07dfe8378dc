"""Staff pages of accounts: signing in and out, one's own password and API tokens, and (for admins) the
users; thin: reads through `auth.service`, writes through `auth.actions` (or the sign-in service)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.auth import actions as auth_actions
from tsunagari.auth import service as auth_service
from tsunagari.auth.download_staff_pages import TOKENS as TOKENS_EXPORT
from tsunagari.auth.download_staff_pages import USERS as USERS_EXPORT
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from tsunagari.names import service as names_service
from tsunagari.web.forms import FormField, display, form_version
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.security import (
    CurrentUser,
    FormFields,
    SessionDep,
    clear_session_cookie,
    new_session,
    set_session_cookie,
    signed_in_session,
    staff_session_of,
)
from tsunagari.web.staff_pages import render, say, staff_router

router = staff_router()


@router.get("/login", name="staff.login_form")
def login_form(request: Request) -> Response:
    response = render(request, "auth/login.html", error=None, email="")
    if staff_session_of(request) is None:
        # The login form needs a CSRF token before there is a user: an anonymous session carries it.
        fresh = new_session()
        request.state.staff_session = fresh
        response = render(request, "auth/login.html", error=None, email="")
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
        return render(request, "auth/login.html", 429, error=str(error), email=email)
    except PermissionDenied as error:
        return render(request, "auth/login.html", 401, error=str(error), email=email)
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
    return render(request, "auth/password.html", error=None, done=False)


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
            request, "auth/password.html", 422, error="; ".join(p.reason for p in error.problems), done=False
        )
    session.refresh(user)
    response = render(request, "auth/password.html", error=None, done=True)
    # Every other browser signed in as this user was signed out with the change; this one goes on.
    set_session_cookie(request, response, signed_in_session(session, user))
    return response


# ----------------------------------------------------------------------------- users (admin)
def _municipality_ids(session: Session, text: str) -> list[int]:
    """Municipalities written as ids or exact Japanese names, separated by commas or 、."""
    ids: list[int] = []
    problems: list[Problem] = []
    for part in text.replace("、", ",").split(","):
        name = part.strip()
        if not name:
            continue
        try:
            ids.append(
                names_service.pick_municipality(
                    session=session,
                    text=name,
                    country="JP",
                    numbers="id",
                    field="municipalities",
                    hint="IDで指定してください / give the id",
                ).id
            )
        except NotFound:
            problems.append(
                Problem("該当する自治体がありません / no such municipality", "municipalities", name)
            )
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems=problems)
    return ids


def _user_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "user": user,
            "municipalities": auth_service.municipality_names(session=session, user=user),
        }
        for user in auth_service.list_users(session=session)
    ]


def _users_page(request: Request, session: Session, status_code: int = 200, **context: Any) -> Response:
    return render(
        request,
        "auth/users.html",
        status_code,
        title="Staff accounts",
        rows=_user_rows(session),
        downloads=download_links(request, "/staff/users"),
        roles=[r.value for r in Role],
        errors=context.pop("errors", []),
        # A new account starts as 閲覧者 (the least privilege) unless the admin picks otherwise.
        values=context.pop("values", None) or {"role": Role.viewer.value},
        **context,
    )


@router.get("/users", name="staff.users")
def users(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_users", actor)
    if wanted_format(request):
        return USERS_EXPORT.response(request, _user_rows(session))
    return _users_page(request, session, created=request.query_params.get("created"))


@router.post("/users/new", name="staff.create_user")
def create_user(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
    permissions.require("create_user", actor)
    try:
        data: dict[str, Any] = {
            "email": form.get("email", ""),
            "display_name": form.get("display_name") or None,
            "role": form.get("role", "viewer"),
            "municipality_ids": _municipality_ids(session, form.get("municipalities", "")),
            "password": form.get("password") or None,
        }
        user = auth_actions.create_user(session=session, actor=actor, data=data)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        messages = problem_texts(error) if isinstance(error, InvalidInput) else [str(error)]
        status = 422 if isinstance(error, InvalidInput) else 409
        return _users_page(request, session, status, errors=messages, values=form)
    return RedirectResponse(f"/staff/users?created={user.id}", status_code=303)


def _user_form(
    request: Request, session: Session, user_id: int, status_code: int = 200, **context: Any
) -> Response:
    user = auth_service.get(session=session, user_id=user_id)
    return render(
        request,
        "auth/user_edit.html",
        status_code,
        title=say(request, "Edit account: %(email)s", email=user.email),
        account=user,
        municipalities=", ".join(
            f"{name}" for name in auth_service.municipality_names(session=session, user=user)
        ),
        municipality_ids=", ".join(str(link.municipality_id) for link in user.municipalities),
        roles=[r.value for r in Role],
        tokens=auth_service.tokens_of(session=session, user=user),
        errors=context.pop("errors", []),
        **context,
    )


@router.get("/users/{record_id}/edit", name="staff.edit_user")
def edit_user_form(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_users", actor)
    return _user_form(request, session, record_id, saved=request.query_params.get("saved") == "1")


@router.post("/users/{record_id}/edit", name="staff.update_user")
def update_user(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    permissions.require("update_user", actor)
    try:
        changes: dict[str, Any] = {
            "display_name": form.get("display_name") or None,
            "role": form.get("role") or None,
            "municipality_ids": _municipality_ids(session, form.get("municipalities", "")),
        }
        auth_actions.update_user(
            session=session, actor=actor, user_id=record_id, changes=changes, version=form_version(form)
        )
    except InvalidInput as error:
        session.rollback()
        return _user_form(request, session, record_id, 422, errors=problem_texts(error))
    except Conflict as error:
        session.rollback()
        user = auth_service.get(session=session, user_id=record_id)
        rows = [
            (FormField("display_name", "Display name"), form.get("display_name", ""), user.display_name),
            (FormField("role", "Role"), form.get("role", ""), user.role),
            (
                FormField("municipalities", "Municipalities"),
                form.get("municipalities", ""),
                ", ".join(str(link.municipality_id) for link in user.municipalities),
            ),
        ]
        return render(
            request,
            "conflict.html",
            409,
            title="Account edit: conflict",
            message=str(error),
            rows=rows,
            action=f"/staff/users/{record_id}/edit",
            current_version=user.version,
            display=display,
        )
    return RedirectResponse(f"/staff/users/{record_id}/edit?saved=1", status_code=303)


@router.post("/users/{record_id}/disable", name="staff.disable_user")
def disable_user(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    auth_actions.disable_user(session=session, actor=actor, user_id=record_id)
    return RedirectResponse(f"/staff/users/{record_id}/edit?saved=1", status_code=303)


# ----------------------------------------------------------------------------- one's own API tokens
def _tokens_page(
    request: Request, session: Session, actor: Principal, status_code: int = 200, **context: Any
) -> Response:
    user = auth_service.get(session=session, user_id=actor.user_id)
    return render(
        request,
        "auth/tokens.html",
        status_code,
        title="API tokens",
        tokens=auth_service.tokens_of(session=session, user=user),
        downloads=download_links(request, "/staff/tokens"),
        **context,
    )


@router.get("/tokens", name="staff.tokens")
def tokens(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    if wanted_format(request):
        user = auth_service.get(session=session, user_id=actor.user_id)
        return TOKENS_EXPORT.response(request, auth_service.tokens_of(session=session, user=user))
    return _tokens_page(request, session, actor, revoked=request.query_params.get("revoked") == "1")


@router.post("/tokens/new", name="staff.issue_token")
def issue_token(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
    token = auth_actions.issue_token(session=session, actor=actor, label=form.get("label"))
    # Shown this once: only its hash is kept. No caching of the page that carries it.
    response = _tokens_page(request, session, actor, new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{record_id}/revoke", name="staff.revoke_token")
def revoke_token(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    auth_actions.revoke_token(session=session, actor=actor, token_id=record_id)
    return RedirectResponse("/staff/tokens?revoked=1", status_code=303)
