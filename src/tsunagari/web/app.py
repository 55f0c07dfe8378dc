"""create_app(): the FastAPI application serving the portal, the API and /healthz."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from tsunagari import __version__
from tsunagari.db import get_engine, unit_of_work
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership


def create_app() -> FastAPI:
    app = FastAPI(
        title="Tsunagari API",
        version=__version__,
        description="自治体間交流の台帳 / Registry of inter-municipal exchange.",
    )

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """Liveness and readiness: the database answers and how much is in it."""
        body: dict[str, Any] = {"status": "ok", "version": __version__}
        try:
            with unit_of_work(get_engine()) as session:
                body["municipalities"] = session.scalar(select(func.count()).select_from(Municipality))
                body["partnerships"] = session.scalar(select(func.count()).select_from(Partnership))
                body["database"] = session.get_bind().dialect.name
        except Exception as error:  # the health check reports any failure rather than crashing
            return JSONResponse({"status": "error", "detail": type(error).__name__}, status_code=503)
        return JSONResponse(body)

    from tsunagari.web import api, pages
    from tsunagari.web.errors import install_error_handlers

    app.include_router(api.router)
    app.include_router(pages.router)
    install_error_handlers(app)
    from tsunagari.web.staff import install_staff

    # After the error handlers: staff pages answer 403/404 with their own screens.
    install_staff(app)
    pages.mount_static(app)
    return app
