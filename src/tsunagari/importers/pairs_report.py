"""The resolution report of a pairs import (`import pairs --report FILE`): JSON or CSV by extension.

JSON: {"file", "rows", "with_coordinates", "counts": {exact, alias, fuzzy, ambiguous, unresolved},
"distance": {cities, median_km, within_25km, within_25km_share} or null, "cities": [one per city]}.
CSV: one row per city under a header; the counts and distance figures come first as "# key: value"
comment lines (pandas: `read_csv(path, comment="#")`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tsunagari.errors import InvalidInput
from tsunagari.importers.pairs import PairsReport

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
