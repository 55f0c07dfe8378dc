"""Issue 17 items 3 and 9 at the web edge: each finding reproduced as the attacker sent it, and refused
(404/413/422 naming the field, never a 500) or survived; the security headers on every route."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.web.test_authz_matrix import all_routes
from tsunagari.common.spreadsheet import write_csv, write_xlsx
from tsunagari.portal.pages import stats_csv, stats_xlsx
from tsunagari.portal.service import StatRow
from tsunagari.web.app import create_app
from tsunagari.web.hardening import FRAMEABLE_PREFIXES, MAX_BODY_BYTES

HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


def _problem_fields(response: Any) -> list[str | None]:
    return [problem["field"] for problem in response.json()["error"]["problems"]]


# ----------------------------------------------------------------------------- ids beyond the integer range
@pytest.mark.parametrize(
    "path",
    [
        "/municipalities/1180591620717411303424",  # the 500 on SQLite (beyond 64 bits)
        "/municipalities/2147483648",  # the 500 on PostgreSQL (beyond INTEGER)
        "/municipalities/2147483648/brochure",
        "/partnerships/2147483648",
        "/programmes/2147483648",
        "/networks/99999999999999999999",
        "/api/v1/municipalities/2147483648",
        "/api/v1/municipalities/1180591620717411303424",
        "/api/v1/partnerships/2147483648",
        "/api/v1/programmes/2147483648",
        "/api/v1/networks/2147483648",
        "/staff/municipality/2147483648/edit",
    ],
)
def test_ids_beyond_the_integer_range_are_not_found(shared_demo_client: TestClient, path: str) -> None:
    response = shared_demo_client.get(path, follow_redirects=False)
    assert response.status_code == 404, response.text[:300]
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "not_found"


def test_an_id_at_the_top_of_the_range_is_an_ordinary_not_found(shared_demo_client: TestClient) -> None:
    assert shared_demo_client.get("/api/v1/municipalities/2147483647").status_code == 404
    assert shared_demo_client.get("/municipalities/2147483647").status_code == 404


def test_query_ids_beyond_the_range_are_422(shared_demo_client: TestClient) -> None:
    response = shared_demo_client.get("/api/v1/partnerships", params={"municipality": "2147483648"})
    assert response.status_code == 422
    assert "municipality" in _problem_fields(response)


# ----------------------------------------------------------------------------- NUL and control characters
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/search?q=%00", "q"),  # on SQLite this matched all 1,845 municipalities; a 500 on PostgreSQL
        ("/api/v1/municipalities?q=%00", "q"),
        ("/api/v1/municipalities?q=a%1Fb", "q"),
        ("/search?q=%C2%85", "q"),  # C1 control (NEL)
    ],
)
def test_control_characters_in_a_query_are_refused(
    shared_demo_client: TestClient, path: str, field: str
) -> None:
    response = shared_demo_client.get(path)
    assert response.status_code == 422, response.text[:300]
    if path.startswith("/api/"):
        assert _problem_fields(response) == [field]
        assert "\x00" not in response.text
    else:
        assert field in response.text


def test_nul_in_a_path_is_not_found(shared_demo_client: TestClient) -> None:
    assert shared_demo_client.get("/prefectures/%00").status_code == 404
    assert shared_demo_client.get("/countries/U%00S").status_code == 404


def test_ordinary_text_with_tabs_and_newlines_passes(shared_demo_client: TestClient) -> None:
    assert shared_demo_client.get("/search", params={"q": "武蔵野\t市"}).status_code == 200


def test_nul_in_the_login_form_is_refused_before_anything_runs(shared_demo_client: TestClient) -> None:
    response = shared_demo_client.post(
        "/staff/login", data={"email": "a\x00@example.jp", "password": "x"}, follow_redirects=False
    )
    assert response.status_code == 422
    assert "email" in response.text


def test_nul_in_a_json_body_names_the_field(shared_demo_client: TestClient) -> None:
    response = shared_demo_client.post(
        "/api/v1/partnerships",
        json={"notes": "ok", "owners": [{"role": "a\x00b"}]},
        headers={"Authorization": "Bearer nothing"},
    )
    assert response.status_code == 422
    assert _problem_fields(response) == ["owners.0.role"]


def test_json_nested_100000_deep_is_422(shared_demo_client: TestClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = shared_demo_client.post(
        "/api/v1/partnerships", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["field"] == "body"


def test_a_body_over_the_limit_is_413(shared_demo_client: TestClient) -> None:
    response = shared_demo_client.post(
        "/api/v1/partnerships",
        content=b"x" * (MAX_BODY_BYTES + 1),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


# ----------------------------------------------------------------------------- security headers
def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path).replace("/1.1", "/prefecture.csv")


def test_every_route_answers_with_the_security_headers(shared_demo_client: TestClient) -> None:
    seen = 0
    for route in all_routes(list(create_app().routes)):
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", "")
        if "GET" not in methods or not path:
            continue
        response = shared_demo_client.get(_concrete(path), follow_redirects=False)
        assert response.status_code < 500, path
        framable = path.startswith(FRAMEABLE_PREFIXES)  # the widget other sites embed, and nothing else
        for header in HEADERS:
            if not (framable and header == "x-frame-options"):
                assert header in response.headers, f"{path}: no {header}"
        policy = response.headers["content-security-policy"]
        if path not in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
        assert ("frame-ancestors *" if framable else "frame-ancestors 'none'") in policy, path
        assert ("x-frame-options" in response.headers) != framable, path
        assert response.headers["x-content-type-options"] == "nosniff"
        seen += 1
    assert seen > 30
    # Errors and refusals carry them too.
    for path in ("/no-such-page", "/api/v1/no-such", "/search?q=%00", "/api/v1/municipalities/2147483648"):
        assert "content-security-policy" in shared_demo_client.get(path).headers


def test_hsts_only_over_https(shared_demo_client: TestClient) -> None:
    assert "strict-transport-security" not in shared_demo_client.get("/healthz").headers
    over_https = shared_demo_client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["strict-transport-security"].startswith("max-age=")


def test_no_page_runs_an_inline_script(shared_demo_client: TestClient) -> None:
    for path in ("/", "/municipalities/1", "/municipalities/1/brochure", "/stats", "/staff/login"):
        html = shared_demo_client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path


# ----------------------------------------------------------------------------- one export writer
HYPERLINK = '=HYPERLINK("http://evil.example/","click")'


def test_the_writer_neutralises_formulas_and_control_characters() -> None:
    rows = [[HYPERLINK, "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a\x01b\x00", 3]]
    text = write_csv(["a", "b", "c", "d", "e", "f", "g", "n"], rows).decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert cells == ["'" + HYPERLINK, "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ab", "3"]
    sheet = load_workbook(
        io.BytesIO(write_xlsx(["a", "g"], [[HYPERLINK, "a\x01b"]], sheet_title="t", title="t"))
    )
    cell = sheet.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == HYPERLINK
    assert sheet.active["B2"].value == "ab"


def test_stats_downloads_go_through_the_writer() -> None:
    """The finding: a region edited to =HYPERLINK(…) served as is in /stats/prefecture.csv and as a live
    formula in .xlsx; a control character in a region made the .xlsx a 500."""
    rows = [StatRow(key=HYPERLINK, label=HYPERLINK + "\x01", label_en="x", count=2)]
    csv_text = stats_csv(rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(csv_text)))[1][:2] == ["'" + HYPERLINK] * 2 and "\x01" not in csv_text
    sheet = load_workbook(io.BytesIO(stats_xlsx(rows, "prefecture"))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert sheet["B2"].value == HYPERLINK and sheet["D2"].value == 2


@pytest.mark.writes
def test_stats_download_of_a_region_holding_a_formula_and_a_control_character(
    demo_client: TestClient, demo_session: Any
) -> None:
    from sqlalchemy import select

    from tsunagari.municipality.models import Municipality
    from tsunagari.partnership.models import Partnership

    home = demo_session.scalars(
        select(Partnership.home_municipality_id)
        .join(Municipality, Municipality.id == Partnership.home_municipality_id)
        .where(Municipality.country == "JP")
    ).first()
    municipality = demo_session.get(Municipality, home)
    municipality.region = HYPERLINK + "\x01"
    demo_session.commit()
    csv_response = demo_client.get("/stats/prefecture.csv")
    assert csv_response.status_code == 200
    assert "'=HYPERLINK" in csv_response.text and "\x01" not in csv_response.text
    xlsx_response = demo_client.get("/stats/prefecture.xlsx")
    assert xlsx_response.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


# ----------------------------------------------------------------------------- links
@pytest.mark.writes
def test_a_stored_javascript_link_is_never_rendered(demo_client: TestClient, demo_session: Any) -> None:
    from tsunagari.municipality.models import Municipality

    municipality = demo_session.get(Municipality, 1)
    municipality.website = "javascript:alert(document.domain)"
    demo_session.commit()
    html = demo_client.get("/municipalities/1").text
    assert 'href="javascript:' not in html


def test_a_partnership_naming_a_record_that_does_not_exist_is_422_naming_the_field(
    cli_database: str,
) -> None:
    """The staff write API answered 500 (a foreign-key error) for a partner id nobody has."""
    from fastapi.testclient import TestClient

    from tests.staff_support import bearer, build_app, make_user, municipality_id, new_foreign_municipality
    from tsunagari.access.roles import Role
    from tsunagari.db import get_engine
    from tsunagari.session import unit_of_work

    admin = make_user(Role.admin)
    with unit_of_work(get_engine()) as session:
        musashino = municipality_id(session, "武蔵野市")
        new_partner = new_foreign_municipality(session)
        session.commit()
    with TestClient(build_app()) as client:
        response = client.post(
            "/api/v1/partnerships",
            json={
                "home_municipality_id": musashino,
                "partner_municipality_id": 99999,
                "type": "friendship_city",
            },
            headers=bearer(admin),
        )
        assert response.status_code in (404, 422), response.text
        assert "99999" in response.text
        created = client.post(
            "/api/v1/partnerships",
            json={
                "home_municipality_id": musashino,
                "partner_municipality_id": new_partner,
                "type": "sister_city",
            },
            headers=bearer(admin),
        )
        assert created.status_code == 201, created.text
        moved = client.patch(
            f"/api/v1/partnerships/{created.json()['id']}",
            json={"partner_municipality_id": 99999, "version": created.json()["version"]},
            headers=bearer(admin),
        )
        assert moved.status_code in (404, 422), moved.text
        assert "99999" in moved.text
        # An organisation of a municipality nobody has (the fuzzer's -115566063661): 422, nothing written.
        for missing in (99999, -115566063661):
            refused = client.post(
                "/api/v1/organisations",
                json={"name": "存在しない市の団体", "kind": "other", "municipality_id": missing},
                headers=bearer(admin),
            )
            assert refused.status_code == 422, refused.text
            assert "municipality_id" in refused.text and str(missing) in refused.text
        organisation = client.post(
            "/api/v1/organisations",
            json={"name": "武蔵野市の団体", "kind": "other", "municipality_id": musashino},
            headers=bearer(admin),
        )
        assert organisation.status_code == 201, organisation.text
        handed = client.patch(
            f"/api/v1/organisations/{organisation.json()['id']}",
            json={"municipality_id": 99999, "version": organisation.json()["version"]},
            headers=bearer(admin),
        )
        assert handed.status_code == 422 and "municipality_id" in handed.text, handed.text
