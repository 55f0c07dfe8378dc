"""/healthz answers with the database state."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import TEST_BACKEND
from tsunagari.web.app import create_app


def test_healthz_reports_the_demo_database(cli_database: str) -> None:
    client = TestClient(create_app())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == TEST_BACKEND
    assert body["partnerships"] >= 30
    assert body["municipalities"] > 1741
