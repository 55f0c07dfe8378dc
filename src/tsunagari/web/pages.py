"""HTML portal pages (being written)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

router = APIRouter()


def mount_static(app: FastAPI) -> None:
    """Serve the vendored front-end libraries and the portal's own CSS/JS."""
