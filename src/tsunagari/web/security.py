"""Authentication, the session cookie and CSRF protection for staff pages and the write API.

One ASGI middleware resolves who is asking (session cookie or `Authorization: Bearer`), sets the audit
actor for the whole request, and refuses unsafe cookie-authenticated requests without a matching CSRF
token or from another site. Bearer requests skip CSRF: a browser never adds that header by itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse

from tsunagari.access import permissions
from tsunagari.access.principal import Principal
from tsunagari.audit.service import Actor, acting_as
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import User
from tsunagari.config import get_settings
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work
from tsunagari.web.deps import get_session

SESSION_COOKIE = "tsunagari_session"
SESSION_MAX_AGE_SECONDS = 8 * 60 * 60
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MAX_FORM_BYTES = 2_000_000
API_PREFIX = "/api/"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class StaffSession:
    """What the signed session cookie holds: a CSRF token always, a user once logged in."""

    csrf_token: str
    user_id: int | None = None
    password_fingerprint: str | None = None
    key: str | None = None
    """Names the server's record of this sign-in (auth.models.LoginSession), which logout ends."""

    def dumps(self) -> dict[str, Any]:
        return {"c": self.csrf_token, "u": self.user_id, "p": self.password_fingerprint, "k": self.key}


def new_session(
    user_id: int | None = None, password_fingerprint: str | None = None, key: str | None = None
) -> StaffSession:
    # A fresh CSRF token on every login or logout, so a token seen before login is useless after it.
    return StaffSession(secrets.token_urlsafe(32), user_id, password_fingerprint, key)


def signed_in_session(session: Session, user: User) -> StaffSession:
    """The cookie of a browser that has just signed in (or changed its password) as `user`."""
    key = auth_service.start_session(session=session, user=user, lifetime_seconds=SESSION_MAX_AGE_SECONDS)
    return new_session(user.id, auth_service.password_fingerprint(user.password_hash), key)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="tsunagari-staff-session")


def encode_session(session: StaffSession) -> str:
    return _serializer().dumps(session.dumps())


def decode_session(value: str | None) -> StaffSession | None:
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=SESSION_MAX_AGE_SECONDS)
    except BadSignature:  # also covers expiry (SignatureExpired)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    user_id = data.get("u")
    fingerprint = data.get("p")
    key = data.get("k")
    return StaffSession(
        data["c"],
        user_id if isinstance(user_id, int) else None,
        fingerprint if isinstance(fingerprint, str) else None,
        key if isinstance(key, str) else None,
    )


def request_is_https(headers: Headers, scheme: str) -> bool:
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return scheme == "https" or forwarded == "https"


def set_session_cookie(request: Request, response: Response, session: StaffSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        encode_session(session),
        max_age=SESSION_MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request_is_https(request.headers, request.url.scheme),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request_is_https(request.headers, request.url.scheme),
    )


# ----------------------------------------------------------------------------- who is asking
def _bearer(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _principal_from_token(token: str) -> Principal | None:
    with unit_of_work(get_engine()) as session:
        user = auth_service.user_for_token(session=session, token=token)
        return auth_service.principal_for(user, via="api") if user is not None else None


def _principal_from_session(staff_session: StaffSession) -> Principal | None:
    if staff_session.user_id is None or staff_session.key is None:
        return None
    with unit_of_work(get_engine()) as session:
        # Logged out, or signed out by a password change: the cookie may still be valid, the sign-in is not.
        if not auth_service.session_is_live(
            session=session, user_id=staff_session.user_id, key=staff_session.key
        ):
            return None
        user = session.get(User, staff_session.user_id)
        if user is None or not user.active:
            return None
        # A changed password ends every session made with the old one.
        if auth_service.password_fingerprint(user.password_hash) != staff_session.password_fingerprint:
            return None
        return auth_service.principal_for(user, via="web")


def _same_origin(headers: Headers, scheme: str) -> bool:
    """Origin (or, without it, Referer) must name this host; absent both, the CSRF token decides."""
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    if source == "null":
        return False
    parts = urlsplit(source)
    own_scheme = "https" if request_is_https(headers, scheme) else "http"
    host = headers.get("x-forwarded-host") or headers.get("host", "")
    return (
        parts.scheme in ("http", "https")
        and parts.netloc.lower() == host.lower()
        and (parts.scheme == own_scheme or scheme == parts.scheme)
    )


def _refuse(path: str, message: str) -> Response:
    if path.startswith(API_PREFIX):
        from tsunagari.web.errors import error_response

        return error_response(403, message, code="csrf_failed")
    return PlainTextResponse(message, status_code=403)


class StaffSecurityMiddleware:
    """Authenticates, sets the audit actor, and enforces CSRF and same-origin on unsafe methods."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        headers = request.headers
        token = _bearer(headers)
        staff_session = decode_session(request.cookies.get(SESSION_COOKIE))
        principal: Principal | None = None
        try:
            if token is not None:
                principal = await anyio.to_thread.run_sync(_principal_from_token, token)
                if principal is None:
                    await _unauthorised(scope, receive, send)
                    return
            elif staff_session is not None:
                principal = await anyio.to_thread.run_sync(_principal_from_session, staff_session)
        except Exception as error:
            # Outside the app's exception handlers: a busy database answers here.
            from tsunagari.web.errors import busy_response, is_busy

            if not is_busy(error):
                raise
            await busy_response(request)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["staff_session"] = staff_session

        if scope["method"] not in SAFE_METHODS and token is None:
            path: str = scope["path"]
            cookie_request = staff_session is not None or not path.startswith(API_PREFIX)
            if cookie_request:
                if not _same_origin(headers, request.url.scheme):
                    await _refuse(path, "別のサイトからの送信は受け付けません / cross-site request refused")(
                        scope, receive, send
                    )
                    return
                body = await _read_body(receive)
                sent = headers.get(CSRF_HEADER) or await _form_token(scope, body)
                expected = staff_session.csrf_token if staff_session else None
                if not expected or not sent or not secrets.compare_digest(sent, expected):
                    await _refuse(
                        path, "CSRFトークンがありません、または一致しません / CSRF token missing or wrong"
                    )(scope, receive, send)
                    return
                receive = _replay(body)

        actor = (
            Actor(name=principal.email, via=principal.via, user_id=principal.user_id) if principal else None
        )
        with acting_as(actor) if actor else nullcontext():
            await self.app(scope, receive, send)


async def _unauthorised(scope: Scope, receive: Receive, send: Send) -> None:
    from tsunagari.web.errors import error_response

    response = error_response(
        401, "無効なAPIトークンです / invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"}
    )
    await response(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            break
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _form_token(scope: Scope, body: bytes) -> str | None:
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await Request(scope, _replay(body)).form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


# ----------------------------------------------------------------------------- dependencies
def optional_principal(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def current_principal(request: Request) -> Principal:
    principal = optional_principal(request)
    if principal is None:
        raise permissions.NotAuthenticated("ログインしてください / log in first")
    return principal


def staff_session_of(request: Request) -> StaffSession | None:
    value = getattr(request.state, "staff_session", None)
    return value if isinstance(value, StaffSession) else None


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields, read on the event loop (no database) so that the endpoint can be
    a plain function that FastAPI runs in the thread pool with every database call it makes."""
    return {name: value for name, value in (await request.form()).items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


# Committed when the endpoint returns and before the response is sent ("function" scope), so a client
# never receives 200 for a write whose commit then fails, and its next read sees the write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
OptionalUser = Annotated[Principal | None, Depends(optional_principal)]
CurrentUser = Annotated[Principal, Depends(current_principal)]
