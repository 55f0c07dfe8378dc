"""The vendored front-end libraries and the portal's own CSS/JS, served under /static as they are."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount_static(app: FastAPI) -> None:
    """Serve web/static/ under /static."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
