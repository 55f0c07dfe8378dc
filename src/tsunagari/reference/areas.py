"""The second reference for placing names: administrative areas and small towns from the
countries-states-cities database (dr5hn, ODbL 1.0), as the countrystatecity-countries package ships it.

GeoNames cities500, the gazetteer, lists towns. Twinning lists also name councils, districts,
counties and regions ("Thurrock", "Guldborgsund", "Shandong Province") and villages under its
threshold, which it does not list. This reference has first-level divisions and the units below them
that several countries count as their first level (English unitary authorities, London boroughs,
Norwegian and Danish municipalities), each with a point, and about 150,000 towns.

It is read straight from the package's per-country JSON files, for the countries an import still has
open names in (half a second for the whole world), rather than loaded into the database at `init`:
only the pairs importer consults it, and only after the gazetteer found nothing exact.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, Literal

from countrystatecity_countries.loaders import DataLoader

from tsunagari.common.geo import SAME_PLACE_KM, distance_km
from tsunagari.names.normalize import fold, split_qualified

SOURCE: Final = "countrystatecity"

# An area is not placed at its point when its towns show it to be large, nine in ten of them lying
# further than this from it: the centre of Queensland or of Shandong is no place anyone twinned
# with, where that of a council, a county or a district stands for it on a map. (The check also
# catches a point far from the area's own towns, which is more often wrong than the area big.)
AREA_MAX_SPREAD_KM: Final = 60.0
# Fewer towns than this say nothing of an area's size (a London borough, a Cape Verdean
# municipality): its point is taken as it is.
AREA_MIN_TOWNS: Final = 3

# The words a list writes beside an area's name ("County Clare", "Grodno Region", "Wesel
# (district)"), and the area types of this reference each may stand for. A word that fits no type of
# the area found ("Utah County" beside the state of Utah) means another area is meant.
AREA_WORD_TYPES: Final[dict[str, frozenset[str]]] = {
    "county": frozenset({"county", "two-tier county", "city with county rights"}),
    "province": frozenset({"province", "autonomous province"}),
    "region": frozenset({"region", "administrative region", "autonomous region", "metropolitan region"}),
    "oblast": frozenset({"oblast", "administrative region", "region"}),
    "state": frozenset({"state"}),
    "district": frozenset({"district", "metropolitan district", "district municipality"}),
    "municipality": frozenset(
        {"municipality", "rural municipality", "urban municipality", "district municipality"}
    ),
    "governorate": frozenset({"governorate"}),
    "department": frozenset({"department", "metropolitan department"}),
    "prefecture": frozenset({"prefecture"}),
    "borough": frozenset({"london borough", "borough"}),
    "parish": frozenset({"parish"}),
    "canton": frozenset({"canton"}),
    "voivodeship": frozenset({"voivodship"}),
    "republic": frozenset({"republic", "autonomous republic"}),
}
_AREA_WORD_RE = re.compile(r"\b(" + "|".join(AREA_WORD_TYPES) + r")\b")


@dataclass(frozen=True)
class Place:
    """A town or an administrative area of the reference."""

    id: int
    name: str
    country: str
    kind: Literal["town", "area"]
    area_type: str | None
    lat: float
    lng: float


@dataclass
class _Area:
    record: dict[str, Any]
    towns: list[dict[str, Any]]
    bare: str
    """The folded name without its area words ("grodno" for "Grodno Region")."""

    @cached_property
    def place(self) -> Place | None:
        return _place(self.record, "area")

    @cached_property
    def compact(self) -> bool:
        """Whether the area is not shown large by its towns (AREA_MAX_SPREAD_KM)."""
        if self.place is None:
            return False
        towns = [point for town in self.towns if (point := _point(town)) is not None]
        if len(towns) < AREA_MIN_TOWNS:
            return True
        distances = [distance_km(self.place.lat, self.place.lng, lat, lng) for lat, lng in towns]
        return statistics.quantiles(distances, n=10, method="inclusive")[-1] <= AREA_MAX_SPREAD_KM


def _bare(folded: str) -> tuple[str, tuple[str, ...]]:
    """A folded name without its area words, and the words taken away."""
    words = tuple(_AREA_WORD_RE.findall(folded))
    return " ".join(_AREA_WORD_RE.sub(" ", folded).split()), words


def _point(record: dict[str, Any]) -> tuple[float, float] | None:
    try:
        return float(record["latitude"]), float(record["longitude"])
    except (KeyError, TypeError, ValueError):
        return None  # a few records have no point: nothing to place with them


def _place(record: dict[str, Any], kind: Literal["town", "area"]) -> Place | None:
    if (point := _point(record)) is None:
        return None
    area_type = (record.get("type") or None) if kind == "area" else None
    return Place(int(record["id"]), record["name"], record["country_code"], kind, area_type, *point)


class AreasAndTowns:
    """The reference's places of some countries, by folded name. Records stay as the package reads
    them until a name asks for one: an import needs a few hundred of some 150,000."""

    def __init__(self) -> None:
        self.towns: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.areas: dict[tuple[str, str], list[_Area]] = defaultdict(list)
        """By (country, folded name) and (country, bare name)."""

    @classmethod
    def load(cls, countries: Iterable[str]) -> AreasAndTowns:
        reference = cls()
        for country in sorted(set(countries)):
            reference._load_country(country)
        return reference

    def _load_country(self, country: str) -> None:
        try:
            states = DataLoader.load_states(country)
        except FileNotFoundError:
            return  # a country the reference has no divisions for
        for state in states:
            towns = DataLoader.load_cities(country, state["state_code"])
            for town in towns:
                self.towns[(country, fold(town["name"]))].append(town)
            folded = fold(state["name"])
            area = _Area(state, towns, _bare(folded)[0])
            for key in {folded, area.bare} - {""}:
                self.areas[(country, key)].append(area)

    def place(self, spellings: Sequence[str], country: str) -> Place | None:
        """The one place the spellings name, most frequent spelling first; None when there is none,
        or several far apart (those stay for a person, as the gazetteer's namesakes do)."""
        for spelling in spellings:
            for written in dict.fromkeys((spelling, split_qualified(spelling).name)):
                if (found := self._named(fold(written), country)) is not None:
                    return found
        return None

    def _named(self, folded: str, country: str) -> Place | None:
        towns = [place for town in self.towns.get((country, folded), []) if (place := _place(town, "town"))]
        if towns:
            first = towns[0]
            if all(distance_km(first.lat, first.lng, t.lat, t.lng) <= SAME_PLACE_KM for t in towns):
                return first
            return None
        bare, words = _bare(folded)
        found: dict[int, _Area] = {}
        for area in self.areas.get((country, folded), []) + self.areas.get((country, bare), []):
            place = area.place
            if place is not None and (
                fold(place.name) == folded or (area.bare == bare and _words_fit(words, place))
            ):
                found[place.id] = area
        if len(found) != 1:
            return None
        (area,) = found.values()
        return area.place if area.compact else None


def _words_fit(words: Sequence[str], place: Place) -> bool:
    """Whether every area word written may stand for the area's type, or is part of its name."""
    own = fold(place.name).split()
    return all(word in own or (place.area_type or "") in AREA_WORD_TYPES[word] for word in words)
