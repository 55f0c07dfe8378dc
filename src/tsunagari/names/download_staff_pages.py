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
    title="要確認リスト / Review list",
    columns=(
        Column("ID", lambda item: item.id, "number"),
        Column("名前 / Name", lambda item: item.text),
        Column("国 / Country", lambda item: item.country, "country"),
        Column("地域 / Region", lambda item: item.region),
        Column("Source", lambda item: item.source),
        Column("Reason", lambda item: item.reason),
        Column("Candidates", lambda item: [_candidate(c) for c in item.candidates]),
        Column("登録日時 / Recorded", lambda item: item.created_at, "datetime"),
    ),
)
