"""Loads the shipped reference data (countries, Japanese local governments, gazetteer) into the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TypeVar, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from tsunagari.common.geo import distance_km
from tsunagari.db import insert_tuples
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, name_keys
from tsunagari.reference import countries as country_data
from tsunagari.reference import gazetteer as gazetteer_data
from tsunagari.reference.japan import load_former_local_governments, load_japanese_local_governments
from tsunagari.reference.models import Country, GazetteerCity, GazetteerName, Subdivision

Progress = Callable[[int], None]
T = TypeVar("T")

REFERENCE_SOURCE = "reference:jis-x-0402"
FORMER_SOURCE = "reference:former-municipalities"


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(islice(items, size)):
        yield chunk


def load_countries(*, session: Session) -> int:
    """ISO 3166-1 and 3166-2 with Japanese names; replaces what is there (it is reference data)."""
    session.execute(delete(Country))
    session.execute(delete(Subdivision))
    countries = country_data.all_countries()
    session.execute(
        insert(Country),
        [
            {"alpha2": c.alpha2, "alpha3": c.alpha3, "name_en": c.name_en, "name_ja": c.name_ja}
            for c in countries
        ],
    )
    subdivisions = [
        {"code": s.code, "country": s.country, "name": s.name, "name_ja": s.name_ja, "type": s.type}
        for s in country_data.all_subdivisions()
    ]
    session.execute(insert(Subdivision), subdivisions)
    session.flush()
    return len(countries)


def load_japanese_municipalities(*, session: Session) -> tuple[int, int]:
    """Every prefecture, city, ward, town and village of JIS X 0402. Returns (created, already there).

    Existing rows (matched by code) are left alone so profiles edited by staff survive a re-init.
    """
    known = set(session.scalars(select(Municipality.jis_code).where(Municipality.jis_code.is_not(None))))
    records = load_japanese_local_governments()
    by_code: dict[str, int] = {}
    created = 0
    for record in records:
        if record.code in known:
            continue
        municipality = Municipality(
            name=record.name,
            name_en=record.name_en,
            kana=record.kana,
            kind=record.kind,
            country="JP",
            region=record.prefecture,
            region_code=f"JP-{record.prefecture_code}",
            jis_code=record.code,
            lat=record.lat,
            lng=record.lng,
            status="existing",
            source=REFERENCE_SOURCE,
        )
        municipality.aliases = _names(
            (record.name, "official"), (record.name_en, "english"), (record.kana, "kana")
        )
        session.add(municipality)
        created += 1
    session.flush()
    # Link 政令市 wards to their city once every row has an id.
    rows = session.execute(
        select(Municipality.id, Municipality.jis_code).where(Municipality.jis_code.is_not(None))
    )
    by_code = {code: mid for mid, code in rows if code}
    for record in records:
        if record.parent_code and record.parent_code in by_code:
            child = session.get(Municipality, by_code[record.code])
            if child is not None and child.parent_id is None:
                child.parent_id = by_code[record.parent_code]
    session.flush()
    former_created, former_kept = _load_former_municipalities(session, by_code)
    return created + former_created, len(records) - created + former_kept


def _names(*named: tuple[str, str]) -> list[MunicipalityName]:
    seen: set[str] = set()
    rows = []
    for value, kind in named:
        for key in name_keys(value) if value else []:
            if key not in seen:
                seen.add(key)
                rows.append(MunicipalityName(name=value, key=key, kind=kind))
    return rows


def _load_former_municipalities(session: Session, by_code: dict[str, int]) -> tuple[int, int]:
    """旧市町村 as records of their own (新潟県の旧小国町, never 山形県小国町), each merged into its
    successor; one already there (same prefecture, name and successor) is left alone."""
    known = {
        (region, name, successor)
        for region, name, successor in session.execute(
            select(Municipality.region, Municipality.name, Municipality.merged_into_id).where(
                Municipality.country == "JP", Municipality.status == "merged"
            )
        )
    }
    created = kept = 0
    for record in load_former_local_governments():
        successor_id = by_code[record.successor_code]
        if (record.prefecture, record.name, successor_id) in known:
            kept += 1
            continue
        municipality = Municipality(
            name=record.name,
            name_en=record.name_en,
            kana=record.kana,
            kind=record.kind,
            country="JP",
            region=record.prefecture,
            region_code=f"JP-{record.prefecture_code}",
            status="merged",
            merged_into_id=successor_id,
            merged_on=record.merged_on,
            merged_on_precision="day",
            source=FORMER_SOURCE,
        )
        municipality.aliases = _names(
            (record.name, "official"),
            (record.name_en, "english"),
            (record.kana, "kana"),
            (f"{record.county}{record.name}", "former"),
        )
        session.add(municipality)
        created += 1
    session.flush()
    return created, kept


GAZETTEER_CITY = cast(Table, GazetteerCity.__table__)
GAZETTEER_NAME = cast(Table, GazetteerName.__table__)
_CITY_COLUMNS = (
    "geonameid",
    "name",
    "ascii_name",
    "country",
    "admin1",
    "lat",
    "lng",
    "population",
    "katakana_name",
)
_NAME_COLUMNS = ("geonameid", "name", "key", "country")


def load_gazetteer(
    *,
    session: Session,
    dataset: gazetteer_data.Dataset,
    progress: Progress | None = None,
    chunk_size: int = 5000,
) -> tuple[int, int]:
    """Replace the gazetteer with a GeoNames city list. Returns (cities, names)."""
    session.execute(delete(GazetteerName))
    session.execute(delete(GazetteerCity))
    cities_total = names_total = 0
    for chunk in _chunks(gazetteer_data.iter_cities(dataset), chunk_size):
        city_rows = []
        name_rows = []
        for city in chunk:
            katakana = gazetteer_data.katakana_names(city)
            city_rows.append(
                (
                    city.geonameid,
                    city.name,
                    city.ascii_name,
                    city.country,
                    city.admin1,
                    city.lat,
                    city.lng,
                    city.population,
                    katakana[0] if katakana else None,
                )
            )
            seen: set[str] = set()
            for written in (city.name, city.ascii_name, *city.alternate_names):
                if not written:
                    continue
                for key in name_keys(written, romanize=False):
                    if key and key not in seen and len(key) <= 300:
                        seen.add(key)
                        name_rows.append((city.geonameid, written[:300], key, city.country))
        insert_tuples(session, GAZETTEER_CITY, _CITY_COLUMNS, city_rows)
        insert_tuples(session, GAZETTEER_NAME, _NAME_COLUMNS, name_rows)
        cities_total += len(city_rows)
        names_total += len(name_rows)
        if progress:
            progress(len(city_rows))
    session.flush()
    return cities_total, names_total


# GeoNames gives each place a population but neither an as-of date nor an area; the figure is stored
# with this source, and only where the record has none (staff's and the seeds' figures are kept).
GEONAMES_POPULATION_SOURCE = "GeoNames (geonames.org), CC BY 4.0; no as-of date given by the source"
# A JIS municipality and a GeoNames place are one place when they share a name and lie this close
# (the JIS point is the town hall, the GeoNames one the centre).
POPULATION_MATCH_KM = 10.0
_JIS_UNITS = ("City", "Town", "Village", "Ward", "Prefecture", "Metropolis")


def _population_keys(name: str, name_en: str | None) -> set[str]:
    written = [name, name_en]
    if name_en and " " in name_en and name_en.rsplit(" ", 1)[1] in _JIS_UNITS:
        written.append(name_en.rsplit(" ", 1)[0])
    return {
        key
        for text in written
        if text
        for key in name_keys(text, romanize=False)
        if not key.startswith(SKELETON_PREFIX)
    }


def load_japanese_populations(*, session: Session) -> int:
    """人口: each current Japanese municipality without a figure of its own takes the population of the
    gazetteer (GeoNames) place of the same name within POPULATION_MATCH_KM of it, the biggest when
    several are. Prefectures and municipalities no gazetteer place matches stay 未登録; so does every
    area (面積), which no shipped source gives. Returns how many municipalities took a figure now."""
    places: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    statement = (
        select(GazetteerName.key, GazetteerCity.lat, GazetteerCity.lng, GazetteerCity.population)
        .join(GazetteerCity, GazetteerCity.geonameid == GazetteerName.geonameid)
        .where(GazetteerName.country == "JP", GazetteerCity.population > 0)
    )
    for key, place_lat, place_lng, people in session.execute(statement):
        places[key].append((place_lat, place_lng, people))
    municipalities = select(
        Municipality.id, Municipality.name, Municipality.name_en, Municipality.lat, Municipality.lng
    ).where(
        Municipality.country == "JP",
        Municipality.jis_code.is_not(None),
        Municipality.kind != "prefecture",
        Municipality.lat.is_not(None),
        Municipality.lng.is_not(None),
        Municipality.population.is_(None),
    )
    updates: list[dict[str, object]] = []
    for mid, name, name_en, lat, lng in session.execute(municipalities):
        if lat is None or lng is None:
            continue
        found = [
            population
            for key in _population_keys(name, name_en)
            for place_lat, place_lng, population in places.get(key, ())
            if distance_km(lat, lng, place_lat, place_lng) <= POPULATION_MATCH_KM
        ]
        if found:
            updates.append({"mid": mid, "people": max(found)})
    if updates:
        table = cast(Table, Municipality.__table__)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("mid"))
            .values(
                population=bindparam("people"),
                population_source=GEONAMES_POPULATION_SOURCE,
                population_as_of=None,
                population_as_of_precision=None,
            ),
            updates,
        )
    session.flush()
    return len(updates)


def is_initialised(*, session: Session) -> bool:
    """Whether `tsunagari init` has loaded the reference data (the countries come first)."""
    return session.scalar(select(Country.alpha2).limit(1)) is not None


def gazetteer_size(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(GazetteerCity)) or 0


def country_name_ja(*, session: Session, alpha2: str) -> str | None:
    country = session.get(Country, alpha2.upper())
    return country.name_ja if country else None
