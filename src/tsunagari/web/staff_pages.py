"""The staff pages' shell: rendering of staff/*.html in one language from the public pages' catalogue, the
staff router's shape, the friendly error screens (403/404/409/422) and `install_staff`, which adds the
security middleware; it knows no domain."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tsunagari.access import permissions
from tsunagari.access.roles import ROLE_LABELS_EN, ROLE_LABELS_JA
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tsunagari.web import errors
from tsunagari.web.i18n import Lang, gettext, pair_half, translations
from tsunagari.web.rendering import install_translations, lang_of
from tsunagari.web.security import CSRF_FIELD, StaffSecurityMiddleware, staff_session_of

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=2)
def _environment(lang: Lang) -> Environment:
    """One Jinja environment per language, with the public pages' catalogue behind `_()` and the `tr`
    filter (one language of a domain's declared "日本語 / English" pair)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    install_translations(env, translations(lang))
    env.filters["tr"] = lambda text: pair_half(str(text or ""), lang)
    return env


def staff_router() -> APIRouter:
    """A router for a domain's staff pages: under /staff, left out of the OpenAPI document."""
    return APIRouter(prefix="/staff", include_in_schema=False)


def render_fragment(request: Request, template: str, **context: Any) -> str:
    staff_session = staff_session_of(request)
    principal = getattr(request.state, "principal", None)
    lang: Lang = lang_of(request)
    context.setdefault("lang", lang)
    return (
        _environment(lang)
        .get_template(f"staff/{template}")
        .render(
            csrf_field=CSRF_FIELD,
            csrf_token=staff_session.csrf_token if staff_session else "",
            user=principal,
            role_labels=ROLE_LABELS_EN if lang == "en" else ROLE_LABELS_JA,
            switch_url=_switch_url(request, lang),
            allowed=lambda action: permissions.allowed(action, principal),
            **context,
        )
    )


def _switch_url(request: Request, lang: Lang) -> str:
    other = "ja" if lang == "en" else "en"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    return f"{request.url.path}?{urlencode(params)}"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = HTMLResponse(render_fragment(request, template, **context), status_code=status_code)
    if request.query_params.get("lang") in ("ja", "en"):  # kept, as on the public pages
        response.set_cookie("lang", lang_of(request), max_age=365 * 24 * 3600, samesite="lax")
    return response


def say(request: Request, message: str, **params: Any) -> str:
    """A staff message from the catalogue in the request's language."""
    return gettext(lang_of(request), message, **params)


# ----------------------------------------------------------------------------- error screens
async def _not_authenticated(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return errors.error_response(401, str(exc), headers={"WWW-Authenticate": "Bearer"})
    return RedirectResponse(f"/staff/login?next={request.url.path}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 403, title=say(request, "Not allowed"), message=str(exc))
    return errors.error_response(403, str(exc) or "permission denied")


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 404, title=say(request, "Not found"), message=str(exc))
    return errors.error_response(404, str(exc))


async def _conflict(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff"):
        return render(request, "message.html", 409, title=say(request, "Conflict"), message=str(exc))
    return await errors._conflict(request, exc)


async def _invalid(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/staff") and isinstance(exc, InvalidInput):
        message = "; ".join(p.describe() for p in exc.problems) or say(request, "Check the input.")
        return render(request, "message.html", 422, title=say(request, "Check the input"), message=message)
    return await errors._invalid_input(request, exc)


def install_staff(app: FastAPI) -> None:
    """The security middleware and the staff error screens (after the API's handlers, which they wrap);
    idempotent. The staff routers themselves are included by create_app()."""
    if getattr(app.state, "staff_installed", False):
        return
    app.add_middleware(StaffSecurityMiddleware)
    app.add_exception_handler(permissions.NotAuthenticated, _not_authenticated)
    app.add_exception_handler(PermissionDenied, _forbidden)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(InvalidInput, _invalid)
    app.state.staff_installed = True
