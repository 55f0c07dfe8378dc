"""The floor of this machine: a minimal FastAPI app returning fixed JSON, served like the real one."""

from __future__ import annotations

from fastapi import FastAPI

FIXED: dict[str, object] = {"status": "ok", "name": "つながり", "items": [1, 2, 3]}


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/")
    def fixed() -> dict[str, object]:
        # A sync handler, as every API endpoint is, so the floor pays the same thread-pool hop.
        return FIXED

    return app
