"""人口 of Japanese municipalities from the shipped gazetteer (GeoNames, CC BY 4.0, no as-of date): `init`
gives each municipality the population of the GeoNames place of its name near its town hall, keeps any
figure staff or a seed gave, and leaves 未登録 only where no place matches (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.common.geo import distance_km
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.reference import service as reference_service
from tsunagari.reference.models import GazetteerCity, GazetteerName
from tsunagari.reference.service import GEONAMES_POPULATION_SOURCE, POPULATION_MATCH_KM


def _by_code(session: Session, code: str) -> Municipality:
    found = municipality_service.get_by_jis_code(session=session, jis_code=code)
    assert found is not None
    return found


def test_init_gives_municipalities_the_population_of_their_geonames_place(session: Session) -> None:
    musashino = _by_code(session, "132039")
    assert musashino.population is not None and musashino.population > 100_000
    assert musashino.population_source == GEONAMES_POPULATION_SOURCE
    assert "CC BY 4.0" in GEONAMES_POPULATION_SOURCE and "no as-of date" in GEONAMES_POPULATION_SOURCE
    assert musashino.population_as_of is None  # GeoNames states none: never an invented date
    assert musashino.area_km2 is None and musashino.area_source is None  # no shipped source has areas
    # The figure is the biggest GeoNames place of the name within the distance of the town hall.
    nearby = [
        population
        for lat, lng, population in session.execute(
            select(GazetteerCity.lat, GazetteerCity.lng, GazetteerCity.population)
            .join(GazetteerName, GazetteerName.geonameid == GazetteerCity.geonameid)
            .where(GazetteerName.country == "JP", GazetteerName.key == "武蔵野市")
        )
        if musashino.lat is not None
        and musashino.lng is not None
        and distance_km(musashino.lat, musashino.lng, lat, lng) <= POPULATION_MATCH_KM
    ]
    assert musashino.population == max(nearby)


def test_namesakes_each_take_their_own_place(session: Session) -> None:
    tokyo, hiroshima = _by_code(session, "132063"), _by_code(session, "342084")  # 府中市 ×2
    assert tokyo.population is not None and hiroshima.population is not None
    assert tokyo.population > 200_000 > hiroshima.population
    date_hokkaido, date_fukushima = _by_code(session, "012335"), _by_code(session, "072133")  # 伊達市 ×2
    assert date_hokkaido.population != date_fukushima.population


def test_most_municipalities_have_a_figure_and_prefectures_none(session: Session) -> None:
    def count(*conditions: object) -> int:
        statement = (
            select(func.count())
            .select_from(Municipality)
            .where(Municipality.country == "JP", Municipality.jis_code.is_not(None), *conditions)
        )
        return session.scalar(statement) or 0

    with_figure = count(Municipality.population.is_not(None), Municipality.kind != "prefecture")
    # The tests' gazetteer is cities15000 (1,042 of 1,741 matched when measured); cities500, the
    # default, matches more. A lost name key or a broken distance would drop far below this.
    assert with_figure >= 1000
    assert count(Municipality.population.is_not(None), Municipality.kind == "prefecture") == 0


def test_a_figure_already_there_is_kept_and_a_missing_one_filled(session: Session) -> None:
    takasaki, musashino = _by_code(session, "102024"), _by_code(session, "132039")
    geonames_figure = musashino.population
    takasaki.population, takasaki.population_source = 374_997, "seed 003"
    musashino.population = musashino.population_source = None
    session.flush()
    assert reference_service.load_japanese_populations(session=session) == 1
    session.expire_all()
    takasaki, musashino = _by_code(session, "102024"), _by_code(session, "132039")
    assert (takasaki.population, takasaki.population_source) == (374_997, "seed 003")
    assert (musashino.population, musashino.population_source) == (
        geonames_figure,
        GEONAMES_POPULATION_SOURCE,
    )
