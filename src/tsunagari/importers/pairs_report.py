"""The report of a pairs import: what it did, city by city, and the resolution report file
(`import pairs --report FILE`), JSON or CSV by extension.

JSON: {"file", "rows", "with_coordinates", "counts": {exact, alias, fuzzy, ambiguous, unresolved},
"distance": {cities, median_km, within_25km, within_25km_share} or null, "cities": [one per city]}.
CSV: one row per city under a header; the counts and distance figures come first as "# key: value"
comment lines (pandas: `read_csv(path, comment="#")`).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tsunagari.errors import InvalidInput, Problem

Method = Literal["exact", "alias", "fuzzy", "seat", "parent", "ambiguous", "unresolved"]
"""How a city was resolved, as the resolution report counts it. "seat": an area no reference lists,
placed at the town it is named after ("Pavia Province" at Pavia); "parent": a city district no
reference lists, placed at its city ("Budapest XV" at Budapest). Both keep a node of their own."""
METHODS: tuple[Method, ...] = ("exact", "alias", "fuzzy", "seat", "parent", "ambiguous", "unresolved")
PLACED: frozenset[Method] = frozenset({"exact", "alias", "fuzzy", "seat", "parent"})
"""The methods that give a city a reference place's coordinates."""
ChosenBy = Literal["distance", "population", "parent", "namesake", "partners", "prefecture"]
"""What chose among several places of the name: the file's coordinates, size alone, or nearness to
the parent city written with the name ("Innere Stadt" of "Vienna 1 – Innere Stadt"). For a Japanese
name the coordinates did not place: "namesake", the one municipality of the name (陸前高田市);
"partners", the city over the prefecture of its name (or the prefecture) as its partners in the file
are cities (or states and provinces): 新潟市 for Niigata; "prefecture", the one namesake in the
prefecture the file's coordinates lie in (山形市, not 山形村)."""


@dataclass
class PairsReport:
    """What an import did. Every row lands in exactly one of partnerships_created, updated,
    unchanged, merged_duplicates and self_pairs."""

    rows: int = 0
    clusters: int = 0
    """Distinct real cities the mentions were clustered into."""
    cities_created: int = 0
    """Municipalities created: from the gazetteer plus from the corpus itself."""
    cities_from_gazetteer: int = 0
    cities_from_corpus: int = 0
    cities_matched: int = 0
    """Clusters resolved to a municipality already in the registry."""
    partnerships_created: int = 0
    updated: int = 0
    """Rows whose line was recorded on a partnership that existed before this import."""
    unchanged: int = 0
    """Rows already recorded by an earlier import of the same file: nothing written."""
    merged_duplicates: int = 0
    """Rows repeating a pair met earlier in the file (often from the other side): one partnership."""
    self_pairs: int = 0
    """Rows whose two sides are one city after clustering: skipped."""
    review: int = 0
    """Clusters made their own node and sent to the review list: ambiguous even with coordinates,
    or Japanese names with namesakes in several prefectures that the evidence does not choose among."""
    errors: list[Problem] = field(default_factory=list)
    """Why the file was refused (row = line number in the file, the header being line 1)."""
    with_coordinates: bool = False
    """Whether the file carries lat1,lng1,lat2,lng2."""
    cities: list[CityResolution] = field(default_factory=list)
    """One line per distinct city (cluster): how it was resolved and where it was placed."""

    def resolution_counts(self) -> dict[str, int]:
        """Distinct cities by how they were resolved: exact, alias, fuzzy, seat, parent, ambiguous,
        unresolved."""
        counts = Counter(city.method for city in self.cities)
        return {method: counts[method] for method in METHODS}

    def distance_summary(self) -> dict[str, Any] | None:
        """With coordinates in the file: how far the resolved cities lie from them (None without)."""
        if not self.with_coordinates:
            return None
        distances = sorted(c.distance_km for c in self.cities if c.distance_km is not None)
        return {
            "cities": len(distances),
            "median_km": round(statistics.median(distances), 2) if distances else None,
            "within_25km": sum(d <= 25.0 for d in distances),
            "within_25km_share": round(sum(d <= 25.0 for d in distances) / len(distances), 4)
            if distances
            else None,
        }

    def as_json(self) -> dict[str, Any]:
        """The `import … --json` shape of SPEC plus this importer's own counts."""
        return {
            "rows": self.rows,
            "created": self.partnerships_created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "review": self.review,
            "errors": [
                {"row": p.row, "field": p.field, "value": p.value, "reason": p.reason} for p in self.errors
            ],
            "clusters": self.clusters,
            "cities_created": self.cities_created,
            "cities_from_gazetteer": self.cities_from_gazetteer,
            "cities_from_corpus": self.cities_from_corpus,
            "cities_matched": self.cities_matched,
            "partnerships_created": self.partnerships_created,
            "merged_duplicates": self.merged_duplicates,
            "self_pairs": self.self_pairs,
            "resolution": self.resolution_counts(),
            "distance": self.distance_summary(),
        }


@dataclass(frozen=True)
class CityResolution:
    """One distinct city of the file in the resolution report."""

    name: str
    """The spelling written most often."""
    country: str
    spellings: tuple[str, ...]
    mentions: int
    """Rows naming it (a row naming it on both sides counts twice)."""
    method: Method
    chosen_by: ChosenBy | None
    municipality_id: int
    place: Literal["registry", "gazetteer", "countrystatecity", "file"]
    """Where its record came from: a registry municipality, a gazetteer place, or the file itself.
    For "seat" and "parent", and for an area or town of the second reference ("countrystatecity",
    reference.areas), the record is the file's own and this names the reference whose coordinates it
    takes."""
    place_name: str | None
    geonameid: int | None
    lat: float | None
    lng: float | None
    """Where it was placed: the reference record's coordinates (the file's for a city of its own)."""
    file_lat: float | None
    file_lng: float | None
    """The file's own coordinates of the city (their mean over its mentions), when it has them."""
    distance_km: float | None
    """From the file's coordinates to the reference record's, for a resolved city."""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "spellings": list(self.spellings),
            "mentions": self.mentions,
            "method": self.method,
            "chosen_by": self.chosen_by,
            "municipality_id": self.municipality_id,
            "place": self.place,
            "place_name": self.place_name,
            "geonameid": self.geonameid,
            "lat": self.lat,
            "lng": self.lng,
            "file_lat": self.file_lat,
            "file_lng": self.file_lng,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 2),
        }


class PairsRefused(InvalidInput):
    """Some rows are invalid, so nothing was written; `summary` is the report naming every problem."""

    def __init__(self, summary: PairsReport) -> None:
        super().__init__(problems=summary.errors)
        self.summary = summary


FORMATS = {".json": "json", ".csv": "csv"}
CITY_COLUMNS = (
    "name",
    "country",
    "spellings",
    "mentions",
    "method",
    "chosen_by",
    "municipality_id",
    "place",
    "place_name",
    "geonameid",
    "lat",
    "lng",
    "file_lat",
    "file_lng",
    "distance_km",
)


def report_format(path: Path) -> str:
    """ "json" or "csv" from the file's extension; anything else is refused before the import runs."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InvalidInput("the report must be a .json or .csv file", field="--report", value=str(path))
    return found


def report_json(report: PairsReport, file_name: str) -> dict[str, Any]:
    return {
        "file": file_name,
        "rows": report.rows,
        "with_coordinates": report.with_coordinates,
        "counts": report.resolution_counts(),
        "distance": report.distance_summary(),
        "cities": [city.as_json() for city in report.cities],
    }


def report_csv(report: PairsReport, file_name: str) -> str:
    out = io.StringIO()
    out.write(f"# file: {file_name}\n# rows: {report.rows}\n")
    for method, count in report.resolution_counts().items():
        out.write(f"# {method}: {count}\n")
    for key, value in (report.distance_summary() or {}).items():
        out.write(f"# distance {key}: {value}\n")
    writer = csv.DictWriter(out, fieldnames=CITY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for city in report.cities:
        row = city.as_json()
        row["spellings"] = " | ".join(city.spellings)
        writer.writerow({key: "" if row[key] is None else row[key] for key in CITY_COLUMNS})
    return out.getvalue()


def write_report(report: PairsReport, path: Path, file_name: str) -> None:
    """Write the resolution report of an import to `path` (UTF-8; JSON or CSV by its extension)."""
    if report_format(path) == "json":
        text = json.dumps(report_json(report, file_name), ensure_ascii=False, indent=1) + "\n"
    else:
        text = report_csv(report, file_name)
    path.write_text(text, encoding="utf-8")
