"""The staff pages' layout in Chromium at 1366 px and 390 px, Japanese and English: no staff table breaks a
Japanese word one character per line, no page scrolls sideways (wide tables scroll inside their box), and
the record form is laid out for daily work: every control has a label, inputs are readable widths, the
fields run top to bottom in the order the Tab key visits them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.browser.test_portal_layout import ORPHANS, WIDTHS, _name
from tests.conftest import Databases

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct horse battery staple"
ADMIN = "layout-admin@musashino.example.jp"

# Every control of a form that a person fills in, without a label tied to it (for=, wrapping label,
# aria-label or aria-labelledby).
UNLABELLED = """(form) => [...form.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !el.getAttribute("aria-labelledby") && !el.closest("[aria-labelledby]"))
  .map((el) => el.name)"""

# The form's fields in document (Tab) order must run down the page: a field above the one before it
# would make the focus jump back up. Positive tabindex values would reorder the Tab key; none are used.
FOCUS_ORDER = """(form) => {
  const tops = [...form.querySelectorAll(".field")].map((f) => f.getBoundingClientRect().top);
  const jumps = tops.filter((top, i) => i > 0 && top < tops[i - 1]).length;
  const positive = form.querySelectorAll("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").length;
  return { jumps, positive };
}"""

# Widths of the text inputs of a form, in CSS pixels.
INPUT_WIDTHS = """(form) => [...form.querySelectorAll("input.wide, textarea")]
  .filter((el) => el.offsetParent !== null && !el.closest("table"))
  .map((el) => Math.round(el.getBoundingClientRect().width))"""


@dataclass(frozen=True)
class Site:
    base: str
    paths: tuple[str, ...]
    forms: tuple[str, ...]


def _prepare(url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An administrator of 武蔵野市 and records of each kind the pages show, committed before the server."""
    from tsunagari.access.roles import Role
    from tsunagari.auth import service as auth_service
    from tsunagari.auth.schemas import UserCreate
    from tsunagari.db import make_engine
    from tsunagari.exchange import activity_service, programme_service
    from tsunagari.municipality import service as municipality_service
    from tsunagari.municipality.schemas import MunicipalityCreate
    from tsunagari.partnership import service as partnership_service
    from tsunagari.partnership.models import PartnershipType
    from tsunagari.partnership.schemas import PartnershipCreate
    from tsunagari.session import unit_of_work

    engine = make_engine(url)
    with unit_of_work(engine) as session:
        musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
        assert musashino is not None
        admin = auth_service.create_user(
            session=session,
            data=UserCreate(
                email=ADMIN,
                display_name="武蔵野 管理",
                role=Role.admin,
                municipality_ids=[musashino.id],
                password=PASSWORD,
            ),
        )
        partner = municipality_service.create(
            session=session,
            data=MunicipalityCreate(name="ジェルジセントミクローシュ市", name_en="Gheorgheni", country="RO"),
        )
        partnership = partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=musashino.id,
                partner_municipality_id=partner.id,
                type=PartnershipType.exchange_city,
                notes="姉妹都市提携に向けた市民交流団体との協議を継続中",
            ),
        )
        programme = programme_service.create_programme(
            session=session,
            data={
                "title": "中学生海外派遣事業（ルーマニア）",
                "format": "people",
                "owners": [{"municipality_id": musashino.id}],
            },
        )
        activity = activity_service.record_activity(
            session=session,
            data={
                "programme_id": programme.id,
                "title": "令和7年度 中学生派遣",
                "participants": {"junior_high_students": 10, "chaperones": 2},
                "public_cost": 1_200_000,
            },
        )
        own, admin_id = musashino.id, admin.id
        forms = (
            f"/staff/partnership/{partnership.id}/edit",
            f"/staff/activity/{activity.id}/edit",
            f"/staff/programme/{programme.id}/edit",
            "/staff/municipality/new",
        )
        paths = (
            "/staff",
            f"/staff/partnerships?municipality={own}",
            f"/staff/contacts?municipality={own}",
            "/staff/policy",
            "/staff/policy/rules",
            f"/staff/policy/rules/{own}",
            "/staff/review",
            "/staff/evaluations",
            "/staff/evaluation/dormant?municipality=%E6%AD%A6%E8%94%B5%E9%87%8E%E5%B8%82&years=1",
            f"/staff/evaluation/partnership/{partnership.id}",
            f"/staff/programme/{programme.id}/partners",
            f"/staff/partnership/{partnership.id}/delete",
            "/staff/users",
            f"/staff/users/{admin_id}/edit",
            "/staff/tokens",
            *forms,
        )
    engine.dispose()
    return paths, forms


@pytest.fixture(scope="module")
def site(databases: Databases) -> Iterator[Site]:
    url = databases.copy(demo=True)
    paths, forms = _prepare(url)
    try:
        with running_app(url, what="the staff layout server") as base:
            yield Site(base, paths, forms)
    finally:
        databases.discard(url)


def _logged_in(browser: object, base: str, width: int) -> object:
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/staff/login")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_url(f"{base}/staff**")
    return page


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_staff_table_breaks_japanese_per_character_and_no_page_scrolls_sideways(
    site: Site,
    browser: object,
    artifacts_dir: Path,
    width: int,
    lang: str,
) -> None:
    page = _logged_in(browser, site.base, width)
    problems: dict[str, object] = {}
    tables = 0
    for path in site.paths:
        response = page.goto(f"{site.base}{path}{'&' if '?' in path else '?'}lang={lang}")  # type: ignore[attr-defined]
        assert response is not None and response.status == 200, path
        tables += page.locator("main table").count()  # type: ignore[attr-defined]
        if orphans := page.evaluate(ORPHANS):  # type: ignore[attr-defined]
            problems[f"{path}: cells broken per character"] = orphans
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):  # type: ignore[attr-defined]
            problems[f"{path}: the page scrolls sideways"] = page.evaluate(  # type: ignore[attr-defined]
                "document.documentElement.scrollWidth"
            )
        page.screenshot(  # type: ignore[attr-defined]
            path=str(artifacts_dir / f"staff-layout-{width}-{lang}-{_name(path.split('?')[0])}.png"),
            full_page=True,
        )
    page.context.close()  # type: ignore[attr-defined]
    assert tables >= 10, "the walk should meet the staff tables"
    assert problems == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_record_forms_are_labelled_readable_and_run_down_the_page(
    site: Site,
    browser: object,
    width: int,
) -> None:
    page = _logged_in(browser, site.base, width)
    for path in site.forms:
        page.goto(f"{site.base}{path}")  # type: ignore[attr-defined]
        form = page.locator("form.record-form")  # type: ignore[attr-defined]
        assert form.locator("fieldset.group legend").count() >= 2, f"{path}: fields are grouped"
        assert form.evaluate(UNLABELLED) == [], f"{path}: every control has its label"
        assert form.evaluate(FOCUS_ORDER) == {"jumps": 0, "positive": 0}, f"{path}: Tab runs down the page"
        widths = form.evaluate(INPUT_WIDTHS)
        assert widths, path
        if width >= 1000:  # room for a Japanese address or a title without scrolling inside the box
            assert min(widths) >= 400, (path, widths)
        assert max(widths) <= width - 20, (path, widths)  # and never wider than a phone
        help_ids = form.locator("p.help").evaluate_all("(ps) => ps.map((p) => p.id)")
        for help_id in help_ids:  # help sits under its field and is read out with it
            assert form.locator(f"[aria-describedby~='{help_id}']").count() >= 1, (path, help_id)
    page.context.close()  # type: ignore[attr-defined]
