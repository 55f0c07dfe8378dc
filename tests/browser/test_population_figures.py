"""人口 and 面積 on a municipality's page in Chromium, Japanese and English: each figure shows its as-of date
(or that its source gives none) and its source, GeoNames' link lands on its licence on /data, and in
English the Japanese name of a source document is marked lang="ja"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.browser.test_portal_english_a11y import JAPANESE_OUTSIDE_JA
from tests.conftest import Databases
from tsunagari.db import make_engine
from tsunagari.session import unit_of_work

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def served(databases: Databases) -> Iterator[tuple[str, int, int]]:
    """The app over a copy of the demo database; the ids of 武蔵野市 (GeoNames' figure) and 高崎市 (seed
    003's)."""
    from tsunagari.municipality import service as municipality_service

    url = databases.copy(demo=True)
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            ids = []
            for code in ("132039", "102024"):
                found = municipality_service.get_by_jis_code(session=session, jis_code=code)
                assert found is not None
                ids.append(found.id)
        engine.dispose()
        with running_app(url, what="the portal server") as base:
            yield base, ids[0], ids[1]
    finally:
        databases.discard(url)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_figures_show_their_date_and_source(
    served: tuple[str, int, int], browser: object, artifacts_dir: Path, lang: str
) -> None:
    base, musashino, takasaki = served
    page = browser.new_page(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    expect = playwright_sync.expect
    ja = lang == "ja"

    page.goto(f"{base}/municipalities/{takasaki}?lang={lang}")
    population = page.locator('dd[data-figure="population"]')
    expect(population).to_contain_text("374,997")
    expect(population).to_contain_text("2011")
    expect(population.locator(".figure-source")).to_contain_text("出典：" if ja else "source: ")
    expect(population.locator('.figure-source [lang="ja"]')).to_contain_text("自治体国際化協会")
    area = page.locator('dd[data-figure="area"]')
    expect(area).to_contain_text("459.41 km²")
    expect(area.locator(".as-of")).to_have_text("(時点の記載なし)" if ja else "(no as-of date given)")
    if not ja:
        assert page.evaluate(JAPANESE_OUTSIDE_JA) == []
    page.screenshot(path=str(artifacts_dir / f"figures-takasaki-{lang}.png"), full_page=True)

    page.goto(f"{base}/municipalities/{musashino}?lang={lang}")
    population = page.locator('dd[data-figure="population"]')
    expect(population.locator(".as-of")).to_have_text("(時点の記載なし)" if ja else "(no as-of date given)")
    expect(page.locator('dd[data-figure="area"]')).to_have_text("未登録" if ja else "not recorded")
    page.screenshot(path=str(artifacts_dir / f"figures-musashino-{lang}.png"), full_page=True)
    population.get_by_role("link", name="GeoNames").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/data#dataset-geonames")
    expect(page.locator("#dataset-geonames")).to_contain_text("CC BY 4.0")
    page.close()
