"""The edge every request passes: security headers on every response, and input no route should ever see
(ids beyond the database's integer range, control characters, oversized or too deeply nested bodies)
refused before routing, with a 404/413/422 naming the field. Knows no domain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import escape
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tsunagari.common.encoding import control_character, control_reason
from tsunagari.config import get_settings
from tsunagari.web.deps import MAX_ID
from tsunagari.web.errors import API_PREFIX, error_response
from tsunagari.web.security import ASGIApp, Message, Receive, Scope, Send, request_is_https

# The largest request body any route takes (a staff form, a JSON record): far beyond a real one.
MAX_BODY_BYTES: Final = 2_000_000
# Paths a page of another site may show in a frame: the widget municipalities put on their own websites.
FRAMEABLE_PREFIXES: Final[tuple[str, ...]] = ("/embed/",)
# FastAPI's interactive API docs load Swagger UI / ReDoc from a CDN and start them with an inline script.
API_DOCS_PATHS: Final = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
_DIGITS = re.compile(r"[0-9]+")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# ----------------------------------------------------------------------------- headers
def content_security_policy(*, frameable: bool = False, api_docs: bool = False) -> str:
    """Scripts only from our own files (no inline script, no eval); map tiles from the configured host."""
    tiles = urlsplit(get_settings().tile_url)
    host = tiles.netloc.replace("{s}", "*")  # {s}.tile.example.org: any subdomain
    tile_origin = f" {tiles.scheme}://{host}" if tiles.scheme in ("http", "https") and host else ""
    script = "'self' https://cdn.jsdelivr.net 'unsafe-inline'" if api_docs else "'self'"
    style = "'self' 'unsafe-inline' https://cdn.jsdelivr.net" if api_docs else "'self' 'unsafe-inline'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            f"style-src {style}",
            f"img-src 'self' data:{tile_origin}{' https://fastapi.tiangolo.com' if api_docs else ''}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {'*' if frameable else chr(39) + 'none' + chr(39)}",
        ]
    )


def security_headers(path: str, headers: Headers, scheme: str) -> dict[str, str]:
    """The headers every response carries; HSTS only when served over HTTPS (directly or behind a proxy)."""
    frameable = path.startswith(FRAMEABLE_PREFIXES) if FRAMEABLE_PREFIXES else False
    values = {
        "Content-Security-Policy": content_security_policy(
            frameable=frameable, api_docs=path in API_DOCS_PATHS
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not frameable:
        values["X-Frame-Options"] = "DENY"
    if request_is_https(headers, scheme):
        values["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return values


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response, errors included (a route's own value wins)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"], Headers(scope=scope), scope.get("scheme", "http"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                raw += [
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in extra.items()
                    if name.lower().encode("latin-1") not in present
                ]
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ----------------------------------------------------------------------------- input
class Refused(Exception):
    """Input refused at the edge: the status, the field it names, its value and why."""

    def __init__(self, status: int, reason: str, field: str | None = None, value: object = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.field, self.value = status, reason, field, value


def check_path(path: str) -> None:
    """An id no database row can have (beyond a signed 32-bit integer) or a control character: 404."""
    if control_character(path) is not None:
        raise Refused(404, "no such page (the address holds a control character)")
    for segment in path.split("/"):
        if _DIGITS.fullmatch(segment) and (len(segment) > 10 or int(segment) > MAX_ID):
            raise Refused(404, f"no record has the id {segment[:24]}")


def check_text(field: str, text: str) -> None:
    found = control_character(text)
    if found is not None:
        raise Refused(422, control_reason(found), field, text)


def check_pairs(pairs: list[tuple[str, str]], prefix: str = "") -> None:
    for name, value in pairs:
        check_text(f"{prefix}{name}", name)
        check_text(f"{prefix}{name}", value)


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document (keys too) with where it is: `body.name`, `body.owners.0.role`."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            yield at, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield f"{at}.{key}", key
                stack.append((inner, f"{at}.{key}"))
        elif isinstance(item, list):
            stack.extend((inner, f"{at}.{index}") for index, inner in enumerate(item))


def check_json(body: bytes) -> None:
    try:
        document = json.loads(body)
    except RecursionError:
        raise Refused(422, "JSON nested too deeply", "body") from None
    except ValueError:
        return  # not JSON at all: the route's own validation names the problem
    for at, text in _strings(document, "body"):
        check_text(at.removeprefix("body."), text)


async def check_body(scope: Scope, body: bytes) -> None:
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        check_json(body)
    elif content_type == "application/x-www-form-urlencoded":
        check_pairs(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif content_type == "multipart/form-data":
        form = await Request(scope, _replay(body)).form()
        try:
            check_pairs([(name, value) for name, value in form.multi_items() if isinstance(value, str)])
        finally:
            await form.close()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refused(413, f"the request body is over {MAX_BODY_BYTES:,} bytes", "body")
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


def refusal_response(path: str, refused: Refused) -> Response:
    if path.startswith(API_PREFIX):
        problems = [{"field": refused.field, "value": _printable(refused.value), "reason": refused.reason}]
        message = f"{refused.field}: {refused.reason}" if refused.field else refused.reason
        return error_response(refused.status, message, problems if refused.field else None)
    titles = {
        404: "見つかりません / Not found",
        413: "送信内容が大きすぎます / Request too large",
        422: "入力内容を確認してください / Check the input",
    }
    title = titles.get(refused.status, "Error")
    where = f"{refused.field}: " if refused.field else ""
    body = (
        '<!doctype html><html lang="ja"><meta charset="utf-8"><title>{0}</title>'
        '<h1>{0}</h1><p>{1}</p><p><a href="/">トップへ / Home</a></p></html>'
    )
    return HTMLResponse(
        body.format(escape(title), escape(where + refused.reason)), status_code=refused.status
    )


def _printable(value: object) -> object:
    # The offending text goes back escaped (repr), so the control character itself is never echoed.
    return repr(value)[:200] if isinstance(value, str) else value


class InputGuardMiddleware:
    """Refuses, before any route runs, input that could only end in a database error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        try:
            check_path(path)
            query = scope.get("query_string", b"").decode("utf-8", "replace")
            check_pairs(parse_qsl(query, keep_blank_values=True))
            if scope["method"] in _BODY_METHODS:
                length = Headers(scope=scope).get("content-length", "")
                if length.isdigit() and int(length) > MAX_BODY_BYTES:
                    raise Refused(413, f"the request body is over {MAX_BODY_BYTES:,} bytes", "body")
                body = await _read_body(receive)
                await check_body(scope, body)
                receive = _replay(body)
        except Refused as refused:
            await refusal_response(path, refused)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install_hardening(app: FastAPI) -> None:
    """Outermost: the headers on every response, then the input guard before authentication."""
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
