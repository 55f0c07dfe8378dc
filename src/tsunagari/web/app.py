"""create_app(): the FastAPI application serving the portal, the API and /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from tsunagari import __version__
from tsunagari.config import get_settings
from tsunagari.db import get_engine, unit_of_work
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Requests run their database calls on this many threads, and the pool holds a connection for
    # each (db.make_engine): a request never waits for a connection another request holds.
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().worker_threads
    yield


def _health() -> dict[str, Any]:
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    with unit_of_work(get_engine()) as session:
        body["municipalities"] = session.scalar(select(func.count()).select_from(Municipality))
        body["partnerships"] = session.scalar(select(func.count()).select_from(Partnership))
        body["database"] = session.get_bind().dialect.name
    return body


# /healthz has threads of its own: a load balancer must hear from a busy process that it is alive,
# not wait in line behind the requests that keep it busy.
_HEALTH_THREADS = anyio.CapacityLimiter(2)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Tsunagari API",
        version=__version__,
        description="自治体間交流の台帳 / Registry of inter-municipal exchange.",
        lifespan=_lifespan,
    )

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """Liveness and readiness: the database answers and how much is in it."""
        try:
            body = await anyio.to_thread.run_sync(_health, limiter=_HEALTH_THREADS)
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
