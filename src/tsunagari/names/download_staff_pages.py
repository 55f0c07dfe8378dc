"""The columns of the review list's download (要確認リスト), declared once for the form kit's `ListExport`:
one row per open item, its candidates named with their country and region."""

from __future__ import annotations

from typing import Any

from tsunagari.web.list_export import Column, ListExport, country_name


def _candidate(candidate: dict[str, Any]) -> str:
    parts = (country_name(candidate.get("country")), candidate.get("region"))
    where = ", ".join(str(part) for part in parts if part)
    name = str(candidate.get("name") or "")
    return f"{name}（{where}）" if where else name


REVIEW = ListExport(
    name="review-list",
    title="Review list",
    columns=(
        Column("ID", lambda item: item.id, "number"),
        Column("Written name", lambda item: item.text),
        Column("Country", lambda item: item.country, "country"),
        Column("Region", lambda item: item.region),
        Column("Source", lambda item: item.source),
        Column("Reason", lambda item: item.reason),
        Column("Candidates", lambda item: [_candidate(c) for c in item.candidates]),
        Column("Recorded", lambda item: item.created_at, "datetime"),
    ),
)
