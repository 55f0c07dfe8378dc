"""The authorisation matrix, generated from the application's route table: every route with an unsafe
method × every role gives the expected allow or deny. A write route with no rule here fails the test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.action_modules import action_modules
from tests.staff_support import (
    OWN,
    PASSWORD,
    StaffUser,
    bearer,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_activity,
    new_contact,
    new_foreign_municipality,
    new_organisation,
    new_partnership,
    new_programme,
    new_visit,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access import permissions
from tsunagari.access.roles import Role
from tsunagari.audit.models import AuditEntry
from tsunagari.db import get_engine
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("admin", "editor_own", "editor_other", "reviewer", "viewer", "anonymous")
EVERYONE = frozenset(ROLES)
STAFF = EVERYONE - {"anonymous"}
OWNERS = frozenset({"admin", "editor_own"})

# Expected allowances per action: the spec of who may do what.
EXPECTED: dict[str, frozenset[str]] = {
    "create_municipality": frozenset({"admin", "editor_own", "editor_other"}),  # foreign partners only
    "update_municipality": OWNERS,
    "delete_municipality": frozenset({"admin"}),
    **{
        f"{verb}_{kind}": OWNERS
        for kind in ("partnership", "organisation", "contact", "programme", "activity", "visit", "benefit")
        for verb in ("create", "update", "delete")
    },
    "login": EVERYONE,
    "logout": EVERYONE,
    "change_password": STAFF,
    "resolve_review": frozenset({"admin", "reviewer"}),
    "score_evaluation": frozenset({"admin", "reviewer"}),
    "update_policy_rules": OWNERS,
    "create_user": frozenset({"admin"}),
    "update_user": frozenset({"admin"}),
    "disable_user": frozenset({"admin"}),
    "issue_token": STAFF,  # one's own tokens
    "revoke_token": STAFF,
    **{
        f"{verb}_{kind}": OWNERS for kind in ("network", "meeting") for verb in ("create", "update", "delete")
    },
    "add_programme_partner": OWNERS,
    "remove_programme_partner": OWNERS,
    "import_partnerships": frozenset({"admin"}),  # a file writes across municipalities
    "create_membership": OWNERS,  # the secretariat's editors (or the member's own)
    "delete_membership": OWNERS,
    **{f"{verb}_award": frozenset({"admin"}) for verb in ("create", "update", "delete")},
    **{
        f"{verb}_{kind}": OWNERS
        for kind in ("labour_cost", "programme_sheet", "programme_sheet_year", "seeking_profile")
        for verb in ("create", "update", "delete")
    },
}


@dataclass
class Case:
    """One request: the path's {id}, a JSON body (API) and the form fields (pages)."""

    record_id: int | None = None
    body: dict[str, Any] = field(default_factory=dict)
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes]] | None = None
    """An uploaded file (the spreadsheet import's preview)."""


def _version(kind: str, record_id: int) -> int:
    with unit_of_work(get_engine()) as session:
        if kind == "municipality":
            return municipality_service.get(session=session, municipality_id=record_id).version
        if kind in ("activity", "visit"):
            return activity_service.get_activity(session=session, activity_id=record_id).version
        if kind == "programme":
            return programme_service.get_programme(session=session, programme_id=record_id).version
        from tsunagari.evaluation.models import LabourCostRate, ProgrammeSheet, ProgrammeSheetYear
        from tsunagari.exchange.benefit_models import Benefit
        from tsunagari.exchange.models import Award, Network, NetworkMeeting
        from tsunagari.matching.models import SeekingProfile
        from tsunagari.organisation.models import Contact, Organisation
        from tsunagari.partnership.models import Partnership

        model = {
            "partnership": Partnership,
            "organisation": Organisation,
            "contact": Contact,
            "network": Network,
            "meeting": NetworkMeeting,
            "award": Award,
            "labour_cost": LabourCostRate,
            "programme_sheet": ProgrammeSheet,
            "programme_sheet_year": ProgrammeSheetYear,
            "seeking_profile": SeekingProfile,
            "benefit": Benefit,
        }[kind]
        record = session.get(model, record_id)
        assert record is not None
        return int(record.version)


def _made(maker: Callable[..., int]) -> int:
    with unit_of_work(get_engine()) as session:
        return maker(session)


def _own_id() -> int:
    with unit_of_work(get_engine()) as session:
        return municipality_id(session, OWN)


def _own_programme() -> int:
    return _made(new_programme)


def _own_network() -> int:
    """A network whose secretariat is OWN: its editors keep it, its members and its meetings."""
    with unit_of_work(get_engine()) as session:
        return network_service.create_network(
            session=session,
            data={
                "name": unique("ネットワーク"),
                "secretariat_municipality_id": municipality_id(session, OWN),
            },
        ).id


def _own_meeting() -> int:
    network = _own_network()
    with unit_of_work(get_engine()) as session:
        return network_service.add_meeting(
            session=session, data={"network_id": network, "fiscal_year": 2010}
        )[0].id


def _programme_partner() -> int:
    programme, partner = _own_programme(), _made(new_foreign_municipality)
    with unit_of_work(get_engine()) as session:
        return programme_service.add_partner(
            session=session,
            programme=programme_service.get_programme(session=session, programme_id=programme),
            data={"municipality_id": partner},
        ).id


def _membership() -> int:
    network, member = _own_network(), _made(new_foreign_municipality)
    with unit_of_work(get_engine()) as session:
        return network_service.add_membership(
            session=session, data={"network_id": network, "municipality_id": member}
        )[0].id


def _award() -> int:
    with unit_of_work(get_engine()) as session:
        return award_service.create_award(
            session=session,
            data={"name": unique("表彰"), "recipient": {"municipality_id": municipality_id(session, OWN)}},
        ).id


def _benefit() -> int:
    from tsunagari.exchange import benefit_service

    with unit_of_work(get_engine()) as session:
        return benefit_service.create_benefit(
            session=session,
            data={"municipality_id": municipality_id(session, OWN), "kind": "event", "title": unique("特典")},
        ).id


def _labour_cost_body() -> dict[str, Any]:
    """OWN has at most one unit labour cost: the one a previous case made goes first."""
    from tsunagari.evaluation import sheet_service

    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
        existing = sheet_service.labour_cost_for(session=session, municipality_id=own)
        if existing is not None:
            sheet_service.delete_labour_cost(session=session, rate=existing)
    return {"municipality_id": own, "yen_per_fte": 8_000_000}


def _labour_cost() -> int:
    from tsunagari.evaluation import sheet_service

    body = _labour_cost_body()
    with unit_of_work(get_engine()) as session:
        return sheet_service.create_labour_cost(session=session, data=body).id


def _seeking_body() -> dict[str, Any]:
    """OWN has at most one seeking profile: the one a previous case made goes first."""
    from tsunagari.matching import service as matching_service

    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
        existing = matching_service.profile_of(session=session, municipality_id=own)
        if existing is not None:
            matching_service.delete_profile(session=session, profile=existing)
    return {"municipality_id": own, "hoped_countries": "オーストラリア"}


def _seeking_profile() -> int:
    from tsunagari.matching import service as matching_service
    from tsunagari.matching.schemas import SeekingProfileCreate

    body = _seeking_body()
    with unit_of_work(get_engine()) as session:
        return matching_service.create_profile(session=session, data=SeekingProfileCreate(**body)).id


def _programme_sheet() -> int:
    from tsunagari.evaluation import sheet_service

    programme = _own_programme()
    with unit_of_work(get_engine()) as session:
        return sheet_service.create_sheet(session=session, data={"programme_id": programme}).id


def _programme_sheet_year() -> int:
    from tsunagari.evaluation import sheet_service

    programme = _own_programme()
    with unit_of_work(get_engine()) as session:
        return sheet_service.create_year(
            session=session, data={"programme_id": programme, "fiscal_year": 2024}
        ).id


CREATE_BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "municipality": lambda: {"name": unique("テスト市"), "country": "US"},
    "partnership": lambda: {
        "home_municipality_id": _own_id(),
        "partner_municipality_id": _made(new_foreign_municipality),
        "type": "sister_city",
    },
    "organisation": lambda: {"name": unique("団体"), "municipality_id": _own_id()},
    "contact": lambda: {"person_name": unique("佐藤"), "municipality_id": _own_id()},
    "programme": lambda: {
        "title": unique("事業"),
        "format": "people",
        "owners": [{"municipality_id": _own_id()}],
    },
    "activity": lambda: {"programme_id": _own_programme(), "title": unique("活動")},
    "visit": lambda: {
        "programme_id": _own_programme(),
        "title": unique("訪問"),
        "municipality_id": _own_id(),
    },
    "network": lambda: {"name": unique("ネットワーク"), "secretariat_municipality_id": _own_id()},
    "meeting": lambda: {"network_id": _own_network(), "fiscal_year": 2011},
    "membership": lambda: {"network_id": _own_network(), "municipality_id": _made(new_foreign_municipality)},
    "award": lambda: {"name": unique("表彰"), "recipient": {"municipality_id": _own_id()}},
    "labour_cost": _labour_cost_body,
    "programme_sheet": lambda: {"programme_id": _own_programme(), "department": "国際交流課"},
    "programme_sheet_year": lambda: {"programme_id": _own_programme(), "fiscal_year": 2024},
    "seeking_profile": _seeking_body,
    "benefit": lambda: {"municipality_id": _own_id(), "kind": "discount", "title": unique("割引")},
}
UPDATES: dict[str, tuple[Callable[[], int], dict[str, Any]]] = {
    "municipality": (_own_id, {"overview_en": "updated by the matrix"}),
    "partnership": (lambda: _made(new_partnership), {"notes": "matrix"}),
    "organisation": (lambda: _made(new_organisation), {"name_en": "Matrix Association"}),
    "contact": (lambda: _made(new_contact), {"role": "課長"}),
    "programme": (lambda: _made(new_programme), {"description": "matrix"}),
    "activity": (lambda: _made(new_activity), {"place": "matrix"}),
    "visit": (lambda: _made(new_visit), {"place": "matrix"}),
    "network": (_own_network, {"description": "matrix"}),
    "meeting": (_own_meeting, {"place": "matrix"}),
    "award": (_award, {"citation": "matrix"}),
    "labour_cost": (_labour_cost, {"note": "matrix"}),
    "programme_sheet": (_programme_sheet, {"department": "matrix"}),
    "programme_sheet_year": (_programme_sheet_year, {"overall_comment": "matrix"}),
    "seeking_profile": (_seeking_profile, {"purpose": "matrix"}),
    "benefit": (_benefit, {"title": "matrix"}),
}
DELETABLE: dict[str, Callable[[], int]] = {
    "municipality": lambda: _made(new_foreign_municipality),
    "partnership": lambda: _made(new_partnership),
    "organisation": lambda: _made(new_organisation),
    "contact": lambda: _made(new_contact),
    "programme": lambda: _made(new_programme),
    "activity": lambda: _made(new_activity),
    "visit": lambda: _made(new_visit),
    "network": _own_network,
    "meeting": _own_meeting,
    "membership": _membership,
    "award": _award,
    "labour_cost": _labour_cost,
    "programme_sheet": _programme_sheet,
    "programme_sheet_year": _programme_sheet_year,
    "seeking_profile": _seeking_profile,
    "benefit": _benefit,
}


def _import_csv() -> bytes:
    from tsunagari.partnership.export import COLUMNS

    partner = unique("マトリクス市")
    row = {"municipality": OWN, "partner": partner, "partner_country": "US", "type": "姉妹都市"}
    return (",".join(COLUMNS) + "\n" + ",".join(row.get(c, "") for c in COLUMNS) + "\n").encode()


def _import_token(app: Any, user: StaffUser | None) -> str:
    """The token of a file the user previewed (none for those who may not import)."""
    import re

    client, csrf = cookie_client(app, user)
    preview = client.post(
        "/staff/import/partnerships/preview",
        data={CSRF_FIELD: csrf},
        files={"file": ("matrix.csv", _import_csv())},
    )
    found = re.findall(r'name="token" value="([0-9a-f]+)"', preview.text)
    return found[0] if found else ""


def _form(body: dict[str, Any]) -> dict[str, str]:
    form = {k: str(v) for k, v in body.items() if k not in ("owners", "recipient")}
    if "owners" in body:
        form["owner_municipality_id"] = str(body["owners"][0]["municipality_id"])
    if "recipient" in body:
        form["recipient_municipality_id"] = str(body["recipient"]["municipality_id"])
    return form


def _review_item() -> int:
    from tsunagari.names import service as names_service

    with unit_of_work(get_engine()) as session:
        resolution = names_service.Resolution(unique("Matrixville"), "US", None, "unresolved", None, 0.0)
        return names_service.send_to_review(session=session, resolution=resolution, source="matrix").id


def _token_of(user: StaffUser | None) -> int:
    from tsunagari.auth import service as auth_service

    with unit_of_work(get_engine()) as session:
        owner = auth_service.get(session=session, user_id=(user or make_user(Role.viewer)).id)
        auth_service.issue_token(session=session, user=owner, label="matrix")
        return auth_service.tokens_of(session=session, user=owner)[-1].id


def _account_case(action: str, user: StaffUser | None) -> Case:
    """Cases for the account, review, evaluation and policy-rule pages (forms only)."""
    if action == "resolve_review":
        return Case(_review_item(), form={"target": str(_made(new_foreign_municipality))})
    if action == "score_evaluation":
        return Case(_made(new_partnership), form={"score_innovation": "3", "version": "0"})
    if action == "update_policy_rules":
        from tsunagari.policy import service as policy_service

        own = _own_id()
        with unit_of_work(get_engine()) as session:
            rules = policy_service.rules_for(session=session, municipality_id=own)
            version = rules.version if rules.id is not None else 0
        return Case(
            own,
            form={
                "report_deadline_days": "30",
                "require_purpose_before_visit": "on",
                "version": str(version),
            },
        )
    if action == "create_user":
        return Case(form={"email": f"{unique('matrix')}@example.jp", "role": "viewer"})
    if action in ("update_user", "disable_user"):
        target = make_user(Role.viewer)
        from tsunagari.auth import service as auth_service

        with unit_of_work(get_engine()) as session:
            version = auth_service.get(session=session, user_id=target.id).version
        return Case(target.id, form={"role": "viewer", "display_name": "matrix", "version": str(version)})
    if action == "issue_token":
        return Case(form={"label": "matrix"})
    assert action == "revoke_token"
    return Case(_token_of(user), form={})


ACCOUNT_ACTIONS = frozenset(
    {
        "resolve_review",
        "score_evaluation",
        "update_policy_rules",
        "create_user",
        "update_user",
        "disable_user",
        "issue_token",
        "revoke_token",
    }
)


def build_case(action: str, login_user: StaffUser, user: StaffUser | None = None) -> Case:
    verb, _, kind = action.partition("_")
    if action in ACCOUNT_ACTIONS:
        return _account_case(action, user)
    if action == "login":
        return Case(form={"email": login_user.email, "password": PASSWORD})
    if action == "logout":
        return Case(form={})
    if action == "import_partnerships":
        return Case(form={}, files={"file": ("matrix.csv", _import_csv())})
    if action == "add_programme_partner":
        partner = {"municipality_id": _made(new_foreign_municipality)}
        return Case(_own_programme(), partner, {k: str(v) for k, v in partner.items()})
    if action == "remove_programme_partner":
        return Case(_programme_partner(), {}, {})
    if action == "change_password":
        return Case(
            form={"current_password": PASSWORD, "new_password": PASSWORD}
        )  # refused as unchanged: 422
    if verb == "create":
        body = CREATE_BODIES[kind]()
        return Case(body=body, form=_form(body))
    if verb == "update":
        make, changes = UPDATES[kind]
        record_id = make()
        version = _version(kind, record_id)
        return Case(record_id, {**changes, "version": version}, _form({**changes, "version": version}))
    record_id = DELETABLE[kind]()
    return Case(record_id, {}, {"confirm": "yes"})  # a page delete is carried out from its confirmation step


def all_routes(routes: list[Any]) -> list[Any]:
    """Every route of the app, with included routers flattened (FastAPI keeps them as included-router
    entries; their original router's routes carry the full path because none is included with a prefix)."""
    flat: list[Any] = []
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            prefix = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            assert not prefix, "a router included with a prefix: teach all_routes() about it"
            flat.extend(all_routes(list(original.routes)))
        else:
            flat.append(route)
    return flat


def unsafe_routes() -> list[tuple[str, str, str]]:
    """(method, path, action) for every unsafe route of the application."""
    found = []
    for route in all_routes(list(build_app().routes)):
        methods = getattr(route, "methods", None) or set()
        for method in sorted(methods & UNSAFE):
            found.append((method, route.path, route.name.split(".")[-1]))  # type: ignore[attr-defined]
    return found


def test_every_write_route_has_a_rule_and_an_expectation() -> None:
    routes = unsafe_routes()
    assert len(routes) >= 3 * 10 * 2 + 4, routes
    for _method, path, action in routes:
        assert action in EXPECTED, f"{path}: no expected allow/deny registered for action {action!r}"
        permissions.rule_for(action)  # KeyError when the action has no can_<action>
    for module in action_modules():
        assert permissions.unruled(module) == [], module.__name__


def test_no_route_writes_the_audit_trail() -> None:
    routes = all_routes(list(build_app().routes))
    assert any(getattr(route, "path", None) == "/staff/audit" for route in routes)
    for route in routes:
        methods = getattr(route, "methods", None) or set()
        if methods & UNSAFE:
            assert "audit" not in route.path, f"{route.path} could change audit entries"  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and "audit" in route.path:
            assert methods <= {"GET", "HEAD"}


def _denied(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303) and "/staff/login?next=" in response.headers.get("location", "")


def _audit_count() -> int:
    with unit_of_work(get_engine()) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.postgres
def test_authorisation_matrix(staff_database: str) -> None:  # noqa: F811
    users: dict[str, StaffUser | None] = {
        "admin": make_user(Role.admin),
        "editor_own": make_user(Role.editor, (OWN,)),
        "editor_other": make_user(Role.editor, ("村山市",)),
        "reviewer": make_user(Role.reviewer),
        "viewer": make_user(Role.viewer),
        "anonymous": None,
    }
    login_user = make_user(Role.viewer)
    app = build_app()
    failures: list[str] = []
    for method, path, action in unsafe_routes():
        for role in ROLES:
            user = users[role]
            case = build_case(action, login_user, user)
            if path == "/staff/import/partnerships/confirm":  # confirms a file the user previewed
                case = Case(form={"token": _import_token(app, user)})
            concrete = (
                path.replace("{id}", str(case.record_id))
                .replace("{record_id}", str(case.record_id))
                .replace("{kind}", "partnership")
            )
            before = _audit_count()
            if path.startswith("/api/"):
                client = TestClient(app, follow_redirects=False)
                headers = bearer(user) if user else {}
                if method == "DELETE":
                    response = client.request(method, concrete, headers=headers)
                else:
                    response = client.request(method, concrete, json=case.body, headers=headers)
            else:
                client, csrf = cookie_client(app, user)
                response = client.request(
                    method, concrete, data={**(case.form or {}), CSRF_FIELD: csrf}, files=case.files
                )
            allowed = role in EXPECTED[action]
            if allowed and _denied(response):
                failures.append(
                    f"{method} {path} as {role}: denied ({response.status_code}) but should be allowed"
                )
            elif allowed and response.status_code >= 400 and action != "change_password":
                failures.append(f"{method} {path} as {role}: {response.status_code} {response.text[:200]}")
            elif not allowed and not _denied(response):
                failures.append(
                    f"{method} {path} as {role}: allowed ({response.status_code}) but should be denied"
                )
            if not allowed and action not in ("login", "logout") and _audit_count() != before:
                failures.append(f"{method} {path} as {role}: denied but something was written")
    assert not failures, "\n".join(failures)


def test_policy_rules_are_not_reachable_anonymously(staff_database: str) -> None:  # noqa: F811
    client = TestClient(build_app(), follow_redirects=False)
    assert client.get("/api/v1/visits/due").status_code == 401
    assert client.get("/staff/policy").status_code == 303
    with unit_of_work(get_engine()) as session:
        assert policy_service.list_visits(session=session) is not None


@pytest.mark.postgres
def test_writes_check_every_municipality_they_touch(staff_database: str) -> None:  # noqa: F811
    """Issue 17 (tenancy): an editor of OWN put a partnership on 村山市's page (home 村山市, partner OWN:
    201) and moved its programme into another secretariat's network; both are refused, nothing written."""
    editor = make_user(Role.editor, (OWN,))
    client = TestClient(build_app(), follow_redirects=False)
    with unit_of_work(get_engine()) as session:
        own, other = municipality_id(session, OWN), municipality_id(session, "村山市")
        foreign = new_foreign_municipality(session)
        programme = new_programme(session)
        others_network = network_service.create_network(
            session=session, data={"name": unique("ネットワーク"), "secretariat_municipality_id": other}
        ).id
    before = _audit_count()
    across = client.post(
        "/api/v1/partnerships",
        json={"home_municipality_id": other, "partner_municipality_id": own, "type": "sister_city"},
        headers=bearer(editor),
    )
    assert across.status_code == 403, across.text
    version = _version("programme", programme)
    moved = client.patch(
        f"/api/v1/programmes/{programme}",
        json={"network_id": others_network, "version": version},
        headers=bearer(editor),
    )
    assert moved.status_code == 403, moved.text
    assert _audit_count() == before
    # Still allowed: a partnership with a foreign partner, and the other city's editor moving it in.
    mine = client.post(
        "/api/v1/partnerships",
        json={"home_municipality_id": own, "partner_municipality_id": foreign, "type": "sister_city"},
        headers=bearer(editor),
    )
    assert mine.status_code == 201, mine.text
    both = make_user(Role.editor, (OWN, "村山市"))
    assert (
        client.patch(
            f"/api/v1/programmes/{programme}",
            json={"network_id": others_network, "version": version},
            headers=bearer(both),
        ).status_code
        == 200
    )
