"""人口 and 面積 on a municipality's page: each figure with its as-of date (or 時点の記載なし when its source
dates none) and its source next to it, GeoNames linked to its licence on /data; 未登録 only where no
source gives a figure, and no shipped source gives areas, so init invents none (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.demo.citations import citation
from tsunagari.municipality import pages as municipality_pages
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.reference.service import GEONAMES_POPULATION_SOURCE
from tsunagari.reports.brochure import brochure_html, build
from tsunagari.web.rendering import format_number


def _by_code(session: Session, code: str) -> Municipality:
    found = municipality_service.get_by_jis_code(session=session, jis_code=code)
    assert found is not None
    return found


def _figure(body: str, name: str) -> tuple[str, str]:
    """(markup, visible text) of one profile figure (population or area) on a municipality page."""
    match = re.search(rf'<dd data-figure="{name}">(.*?)</dd>', body, re.S)
    assert match is not None, f"no {name} on the page"
    markup = match.group(1)
    return markup, " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def test_geonames_population_shows_its_source_and_that_it_has_no_date(
    demo_client: TestClient, demo_session: Session
) -> None:
    musashino = _by_code(demo_session, "132039")  # the seeds give 武蔵野市 no figure: init took GeoNames'
    assert musashino.population is not None and musashino.population_source == GEONAMES_POPULATION_SOURCE
    assert musashino.population_as_of is None and musashino.area_km2 is None

    body = demo_client.get(f"/municipalities/{musashino.id}?lang=ja").text
    markup, text = _figure(body, "population")
    assert text == f"{format_number(musashino.population, 'ja')} (時点の記載なし) 出典：GeoNames"
    assert '<a href="/data#dataset-geonames" lang="en">GeoNames</a>' in markup
    assert _figure(body, "area")[1] == "未登録"  # no source has the area: nothing invented, no source shown

    english = demo_client.get(f"/municipalities/{musashino.id}?lang=en").text
    assert _figure(english, "population")[1] == (
        f"{format_number(musashino.population, 'en')} (no as-of date given) source: GeoNames"
    )
    assert _figure(english, "area")[1] == "not recorded"
    # The link lands on GeoNames' licence on /data.
    assert 'id="dataset-geonames"' in demo_client.get("/data?lang=ja").text


def test_a_seed_figure_shows_its_as_of_date_and_its_document(
    demo_client: TestClient, demo_session: Session
) -> None:
    takasaki = _by_code(demo_session, "102024")  # seed 003: 374,997 as of H23.3.31; 459.41 km², undated
    assert (takasaki.population, takasaki.area_km2) == (374_997, 459.41)
    assert takasaki.population_source == takasaki.area_source == "seed 003"
    document = citation("seed 003")
    assert document and "seed" not in document  # the seed's publisher and title, not its id

    profile = municipality_pages.municipality_page(
        session=demo_session, municipality_id=takasaki.id, lang="ja"
    ).profile
    assert profile.population_source == municipality_pages.FigureSource(document)
    assert "2011年3月31日" in profile.population_as_of
    body = demo_client.get(f"/municipalities/{takasaki.id}?lang=ja").text
    population_markup, population = _figure(body, "population")
    assert population == f"374,997 ({profile.population_as_of}現在) 出典：{document}"
    assert "<a " not in population_markup  # a document, not a dataset page: no link
    assert f'<span lang="ja">{html.escape(document, quote=False)}</span>' in population_markup
    assert _figure(body, "area")[1] == f"459.41 km² (時点の記載なし) 出典：{document}"


def test_the_printed_brochure_gives_each_figure_its_date_and_source(demo_session: Session) -> None:
    def printed(code: str) -> str:
        municipality = _by_code(demo_session, code)
        brochure = build(session=demo_session, municipality=municipality, today=dt.date(2026, 12, 1))
        return html.unescape(brochure_html(brochure))

    document = citation("seed 003")
    takasaki = printed("102024")
    assert f"374,997人（2011年3月31日現在・出典：{document}）" in takasaki
    assert f"459.41 km²（時点の記載なし・出典：{document}）" in takasaki
    musashino_figure = _by_code(demo_session, "132039").population
    assert f"{musashino_figure:,}人（時点の記載なし・出典：GeoNames）" in printed("132039")


def test_pages_of_figures_without_a_source_show_no_source(session: Session) -> None:
    musashino = _by_code(session, "132039")
    musashino.population, musashino.population_source = 150_149, None
    session.flush()
    profile = municipality_pages.municipality_page(
        session=session, municipality_id=musashino.id, lang="ja"
    ).profile
    assert profile.population == 150_149 and profile.population_source is None


def test_init_invents_no_area_and_every_figure_names_its_source(session: Session) -> None:
    def count(*conditions: object) -> int:
        statement = (
            select(func.count())
            .select_from(Municipality)
            .where(Municipality.country == "JP", Municipality.jis_code.is_not(None), *conditions)
        )
        return session.scalar(statement) or 0

    assert count() >= 1788  # 47 prefectures and 1,741 municipalities
    # No shipped source gives areas (reference/data/ATTRIBUTION.md): the only areas on the demo database
    # are the ones seed 003 states (高崎市, 金沢市 …); every other one stays 未登録.
    with_area = count(Municipality.area_km2.is_not(None))
    assert 0 < with_area == count(Municipality.area_km2.is_not(None), Municipality.area_source.like("seed %"))
    assert with_area < 10
    # Every population names its source: GeoNames for those init filled, the seed for the rest.
    with_population = count(Municipality.population.is_not(None))
    assert count(Municipality.population.is_not(None), Municipality.population_source.is_(None)) == 0
    assert with_population == count(Municipality.population_source == GEONAMES_POPULATION_SOURCE) + count(
        Municipality.population.is_not(None), Municipality.population_source.like("seed %")
    )
    assert count(Municipality.population_source == GEONAMES_POPULATION_SOURCE) >= 1000
