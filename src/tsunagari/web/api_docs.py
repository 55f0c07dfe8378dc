"""The API's interactive documentation (/docs with Swagger UI, /redoc with ReDoc) served from the vendored
copies in static/vendor, so both work without internet; knows no domain.

FastAPI's get_swagger_ui_html starts Swagger UI with an inline script, which the portal's
Content-Security-Policy forbids: these pages load the same bundles and start them from static/api-docs.js.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/static/vendor/swagger-ui-dist-5.36.0"
REDOC = "/static/vendor/redoc-2.5.4"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{head}</head><body>{body}</body></html>\n"
    )


def install_api_docs(app: FastAPI) -> None:
    """Add /docs and /redoc (create the app with docs_url=None and redoc_url=None)."""
    openapi_url = escape(app.openapi_url or "/openapi.json")
    title = f"{app.title} — documentation"

    async def swagger_ui(_request: Request) -> HTMLResponse:
        return _page(
            title,
            f'<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">'
            f'<link rel="icon" type="image/png" href="{SWAGGER_UI}/favicon-32x32.png">',
            f'<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>'
            f'<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>'
            '<script src="/static/api-docs.js"></script>',
        )

    async def redoc(_request: Request) -> HTMLResponse:
        return _page(
            title,
            "",
            f'<redoc spec-url="{openapi_url}"></redoc><script src="{REDOC}/redoc.standalone.js"></script>',
        )

    async def oauth2_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    # Plain Starlette routes, as FastAPI adds its own docs (GET and HEAD, outside the OpenAPI schema).
    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/docs/oauth2-redirect", oauth2_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
