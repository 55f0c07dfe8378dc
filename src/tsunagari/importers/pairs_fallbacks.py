"""What a pairs name that names no populated place still says about where it is: the seat town of
an area ("Pavia Province" → Pavia) or the parent city of a district ("Budapest XV" → Budapest).

Pure functions on the written name; the importer looks the derived names up in the references and
measures each rule on the global corpus (docs/data-sources.md, "Placing names without coordinates").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from tsunagari.errors import InvalidInput
from tsunagari.names.normalize import fold, split_qualified
from tsunagari.reference.countries import Subdivision, resolve_subdivision

__all__ = ["Fallback", "fallback_for", "region_of"]


@dataclass(frozen=True)
class Fallback:
    """Where to look for a name the references do not place by itself."""

    kind: Literal["seat", "parent"]
    places: tuple[str, ...]
    """The seat town, or the parent city, to look for in the same country: the first found counts."""
    district: str | None = None
    """For a parent: the district's own name, looked for near the parent ("Innere Stadt")."""
    parent_is_region: bool = False
    """The parent is also the name of a region (ISO 3166-2): only a namesake near it is taken, the
    region's namesake town is not a place for the district ("Bayside, Victoria")."""


# Area words after the name ("Pavia Province", "Zbarazh Raion", "Plastovsky District"), before it
# ("County Cork", "Landkreis Celle", "Greater Geelong") and Wikipedia's disambiguators
# ("Wesel (district)", "Arras (communauté)"). Not first-level units (oblast, region, krai,
# governorate): measured on the global corpus, their namesake city lay within 25 km of the corpus's
# point for 3 of 11 (Sverdlovsk Oblast is not at Yekaterinburg, nor Grodno Region at Hrodna).
_AREA_AFTER = re.compile(
    r"^(?P<name>.+?)\s+(?P<word>county|province|raion|rayon|district|municipality|parish"
    r"|municipal district|district municipality|local municipality|shire|borough|township"
    r"|rural district|atoll)$",
    re.IGNORECASE,
)
_AREA_BEFORE = re.compile(
    r"^(?P<word>county|province of|canton of|landkreis|kreis|greater|city of|municipality of"
    r"|district of|borough of|shire of)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_AREA_PARENTHESISED = re.compile(
    r"^(?P<name>.+?)\s*\((?P<word>district|county|province|municipality|rural gmina|gmina|communauté"
    r"|local government district)\)$",
    re.IGNORECASE,
)
# In these countries a county is seldom named after its seat (Washington County, Madison County;
# Chinese county names recur across provinces): measured, 10 of 30 such seats lay within 25 km.
_COUNTY_NOT_SEAT = frozenset({"US", "CN"})
# Russian, Ukrainian and Belarusian districts are adjectives of their seat: Podolsky (Podolsk),
# Gatchinsky (Gatchina), Dyatkovsky (Dyatkovo), Chekhovsky (Chekhov), Kagalnitsky (Kagalnitskaya).
_ADJECTIVE = re.compile(r"^(?P<stem>.+?)(?P<sk>s?k)(?:y|iy|yi|yy|i|oy|a|aya)$", re.IGNORECASE)
_ADJECTIVE_SEATS = ("{stem}", "{stem}{sk}", "{stem}a", "{stem}o", "{stem}{sk}aya", "{stem}{sk}oye")
# City districts written with their number: "Prague 4", "Budapest XV", "Paris 16e", "Lyon 3e".
_NUMBERED = re.compile(
    r"^(?P<parent>\D+?)\s+(?:\d{1,2}(?:e|er|\.)?|[IVX]{1,6}\.?)(?:\s+(?:district|arrondissement))?$"
)


def _seats(name: str, country: str) -> tuple[str, ...]:
    for pattern in (_AREA_PARENTHESISED, _AREA_AFTER, _AREA_BEFORE):
        if match := pattern.fullmatch(name.strip()):
            seat = match["name"].strip(" ,")
            word = (match.groupdict().get("word") or "").lower()
            if len(fold(seat)) < 2 or (word == "county" and country in _COUNTY_NOT_SEAT):
                return ()
            seats = [seat]
            if adjective := _ADJECTIVE.fullmatch(seat):
                stem, sk = adjective["stem"], adjective["sk"]
                seats += [form.format(stem=stem, sk=sk) for form in _ADJECTIVE_SEATS]
            # A double-barrelled district merged from two is seated in the first of them more often
            # than not (Marburg-Biedenkopf, Limburg-Weilburg, Rendsburg-Eckernförde).
            if "-" in seat and " " not in seat:
                seats.append(seat.split("-")[0])
            return tuple(dict.fromkeys(s for s in seats if len(fold(s)) >= 2))
    return ()


@lru_cache(maxsize=10_000)
def region_of(text: str, country: str) -> Subdivision | None:
    """The ISO 3166-2 subdivision of the country the text names, if any (pycountry's names)."""
    try:
        return resolve_subdivision(text, country)
    except InvalidInput:
        return None


def _is_region(text: str, country: str) -> bool:
    """Whether the text names an ISO 3166-2 region that is not itself a city (Beijing, Budapest and
    Seoul are subdivisions of the type municipality, capital city, special city)."""
    found = region_of(text, country)
    return found is not None and not re.search(r"city|municipality|capital", found.type, re.IGNORECASE)


def _parent(name: str, country: str) -> Fallback | None:
    split = split_qualified(name)
    if split.qualifier is not None:
        qualifier = split.qualifier
        if numbered := _NUMBERED.fullmatch(qualifier):
            qualifier = numbered["parent"]  # "Budapest VIII – Józsefváros"
        district = _NUMBERED.fullmatch(split.name)
        return Fallback(
            "parent",
            (qualifier.strip(),),
            # "Prague 4 (Prague)": the district's number is no name to look for.
            None if district else split.name,
            # A spaced dash or a district marker says the qualifier is the parent city.
            not split.district and _is_region(qualifier.strip(), country),
        )
    if numbered := _NUMBERED.fullmatch(name.strip()):
        return Fallback("parent", (numbered["parent"].strip(),), None, False)
    return None


# A municipality named after the towns it was merged from: "Fredersdorf-Vogelsdorf", "Echt-Susteren",
# "Kensington and Chelsea", "Mogente/Moixent" (two spellings of one town). Each part a capitalised
# word of four letters or more, and two of them, so "Leuze-en-Hainaut" and "Saint-Laurent-Médoc"
# are not split.
_MERGED = re.compile(r"\s*(?:-|/| and | & )\s*")
_PART = re.compile(r"[A-ZÀ-ÞŁŚŻŹĆŃ][^\s\-/]{3,}(?:\s[A-ZÀ-ÞŁŚŻŹĆŃ][^\s\-/]{3,})?")


def _merged_parts(name: str) -> tuple[str, ...]:
    parts = _MERGED.split(name.strip())
    if len(parts) != 2 or not all(_PART.fullmatch(part) for part in parts):
        return ()
    return tuple(parts)


def fallback_for(name: str, country: str) -> Fallback | None:
    """The seat or parent a name points to, None when it points to neither.

    A parent first: "Kolomensky District (Moscow Oblast)" is looked for through what it is in.
    """
    parent = _parent(name, country)
    if parent is not None:
        return parent
    seats = _seats(name, country) or _merged_parts(name)
    return Fallback("seat", seats) if seats else None
