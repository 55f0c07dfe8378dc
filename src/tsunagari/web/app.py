"""create_app(): the FastAPI application serving the portal, the API, the staff pages and /healthz; the one
place the domains' routers are included (each domain's `api` and `pages` modules own their routes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from tsunagari import __version__
from tsunagari import importers as _importers  # noqa: F401 - registers the review list's pending actions
from tsunagari.audit import pages as audit_pages
from tsunagari.auth import api as auth_api
from tsunagari.auth import pages as auth_pages
from tsunagari.config import get_settings
from tsunagari.db import get_engine
from tsunagari.evaluation import api as evaluation_api
from tsunagari.evaluation import indicator_staff_pages as evaluation_indicator_staff_pages
from tsunagari.evaluation import sheet_staff_pages as evaluation_sheet_staff_pages
from tsunagari.evaluation import staff_pages as evaluation_staff_pages
from tsunagari.evaluation import verification_staff_pages as evaluation_verification_staff_pages
from tsunagari.exchange import api as exchange_api
from tsunagari.exchange import award_pages as exchange_award_pages
from tsunagari.exchange import benefit_api as exchange_benefit_api
from tsunagari.exchange import benefit_staff_api as exchange_benefit_staff_api
from tsunagari.exchange import benefit_staff_pages as exchange_benefit_staff_pages
from tsunagari.exchange import network_pages as exchange_network_pages
from tsunagari.exchange import network_staff_pages as exchange_network_staff_pages
from tsunagari.exchange import pages as exchange_pages
from tsunagari.exchange import programme_staff_pages as exchange_programme_staff_pages
from tsunagari.exchange import staff_api as exchange_staff_api
from tsunagari.importers import staff_pages as importer_staff_pages
from tsunagari.matching import api as matching_api
from tsunagari.matching import pages as matching_pages
from tsunagari.matching import staff_pages as matching_staff_pages
from tsunagari.municipality import api as municipality_api
from tsunagari.municipality import benefit_pages as municipality_benefit_pages
from tsunagari.municipality import embed_pages as municipality_embed_pages
from tsunagari.municipality import pages as municipality_pages
from tsunagari.municipality import staff_api as municipality_staff_api
from tsunagari.municipality import staff_pages as municipality_staff_pages
from tsunagari.names import staff_pages as names_staff_pages
from tsunagari.organisation import staff_api as organisation_staff_api
from tsunagari.organisation import staff_pages as organisation_staff_pages
from tsunagari.partnership import api as partnership_api
from tsunagari.partnership import contact_staff_pages as partnership_contact_staff_pages
from tsunagari.partnership import pages as partnership_pages
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership import staff_api as partnership_staff_api
from tsunagari.partnership import staff_pages as partnership_staff_pages
from tsunagari.policy import api as policy_api
from tsunagari.policy import pages as policy_pages
from tsunagari.policy import staff_api as policy_staff_api
from tsunagari.policy import staff_pages as policy_staff_pages
from tsunagari.portal import api as portal_api
from tsunagari.portal import calendar_pages as portal_calendar_pages
from tsunagari.portal import decade_pages as portal_decade_pages
from tsunagari.portal import directory_pages as portal_directory_pages
from tsunagari.portal import exchange_download_pages as portal_exchange_download_pages
from tsunagari.portal import list_download_pages as portal_list_download_pages
from tsunagari.portal import open_data_pages as portal_open_data_pages
from tsunagari.portal import pages as portal_pages
from tsunagari.portal import service as portal_service
from tsunagari.session import unit_of_work
from tsunagari.web.api_docs import install_api_docs
from tsunagari.web.errors import install_error_handlers
from tsunagari.web.hardening import install_hardening
from tsunagari.web.staff_pages import install_staff
from tsunagari.web.static import mount_static
from tsunagari.web.write_api import records_router

PUBLIC_ROUTERS: tuple[APIRouter, ...] = (
    municipality_api.router,
    partnership_api.router,
    portal_api.router,
    exchange_api.router,
    evaluation_api.router,
    policy_api.router,
    exchange_benefit_api.router,
    portal_pages.router,
    portal_calendar_pages.router,
    portal_directory_pages.router,
    portal_open_data_pages.router,
    municipality_pages.router,
    municipality_embed_pages.router,
    municipality_benefit_pages.router,
    partnership_pages.router,
    exchange_pages.router,
    exchange_network_pages.router,
    exchange_award_pages.router,
    policy_pages.router,
    matching_api.router,
    matching_pages.router,
    # After every page: /municipalities/{id}/publications.atom is matched before the list downloads.
    portal_decade_pages.router,
    portal_list_download_pages.downloads,
    portal_decade_pages.downloads,
    portal_exchange_download_pages.downloads,
    matching_pages.downloads,
)

# The write API (staff and scripts) and the staff pages under /staff; the kinds' forms in the order the
# staff home lists them.
STAFF_ROUTERS: tuple[APIRouter, ...] = (
    municipality_staff_api.router,
    partnership_staff_api.router,
    organisation_staff_api.router,
    exchange_staff_api.router,
    policy_staff_api.router,
    exchange_benefit_staff_api.router,
    auth_api.router,
    records_router,
    municipality_staff_pages.router,
    partnership_staff_pages.router,
    organisation_staff_pages.router,
    partnership_contact_staff_pages.router,
    exchange_programme_staff_pages.router,
    policy_staff_pages.router,
    exchange_benefit_staff_pages.router,
    exchange_network_staff_pages.router,
    auth_pages.router,
    audit_pages.router,
    names_staff_pages.router,
    evaluation_staff_pages.router,
    evaluation_verification_staff_pages.router,
    evaluation_sheet_staff_pages.router,
    evaluation_indicator_staff_pages.router,
    matching_staff_pages.router,
    importer_staff_pages.router,
)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Requests run their database calls on this many threads, and the pool holds a connection for
    # each (db.make_engine): a request never waits for a connection another request holds.
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().worker_threads
    yield


def _health() -> dict[str, Any]:
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    with unit_of_work(get_engine()) as session:
        body["municipalities"] = portal_service.municipality_count(session=session)
        body["partnerships"] = partnership_rows.partnership_count(session=session)
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
        docs_url=None,  # served from vendored assets by install_api_docs, to work offline
        redoc_url=None,
    )

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """Liveness and readiness: the database answers and how much is in it."""
        try:
            body = await anyio.to_thread.run_sync(_health, limiter=_HEALTH_THREADS)
        except Exception as error:  # the health check reports any failure rather than crashing
            return JSONResponse({"status": "error", "detail": type(error).__name__}, status_code=503)
        return JSONResponse(body)

    # Each router carries its own prefix; the public API's first, as OpenAPI lists them in this order.
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    install_api_docs(app)
    for router in STAFF_ROUTERS:
        app.include_router(router)
    # After the error handlers: staff pages answer 403/404 with their own screens.
    install_staff(app)
    # Outside the staff security middleware: security headers on every response, bad input refused first.
    install_hardening(app)
    mount_static(app)
    return app
