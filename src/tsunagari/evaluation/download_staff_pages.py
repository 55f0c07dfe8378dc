"""The columns of the evaluation lists' downloads (recent evaluations, dormant ties), declared once for
the form kit's `ListExport`; the pages hand in exactly the rows they show, references named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS
from tsunagari.web.list_export import Column, ListExport, picked_name


@dataclass(frozen=True)
class EvaluationRow:
    evaluation: Any
    subject: str


def evaluation_rows(session: Session, evaluations: list[Any]) -> list[EvaluationRow]:
    """Each evaluation with its subject named (partnership:12 → 武蔵野市 – ブラショフ（交流都市）)."""
    rows = []
    for e in evaluations:
        kind, _, raw_id = str(e.subject_key).partition(":")
        name = picked_name(session, kind, int(raw_id)) if raw_id.isdigit() else e.subject_key
        rows.append(EvaluationRow(e, name))
    return rows


EVALUATIONS = ListExport(
    name="evaluations",
    title="Evaluations",
    columns=(
        Column("Subject", lambda row: row.subject),
        Column("Reviewer", lambda row: row.evaluation.reviewer_name),
        Column("Criteria scored", lambda row: len(row.evaluation.scores), "number"),
        Column("Updated", lambda row: row.evaluation.updated_at, "datetime"),
    ),
)


@dataclass(frozen=True)
class DormantRow:
    tie: Any
    municipality: str
    partner: str


def dormant_rows(session: Session, ties: list[Any]) -> list[DormantRow]:
    """Each dormant tie with its municipalities named with their prefecture or country."""
    return [
        DormantRow(
            tie,
            picked_name(session, "municipality", tie.municipality_id)
            if tie.municipality_id
            else tie.municipality,
            picked_name(session, "municipality", tie.partner_id) if tie.partner_id else tie.partner,
        )
        for tie in ties
    ]


DORMANT = ListExport(
    name="dormant-ties",
    title="Dormant ties",
    columns=(
        Column("Municipality", lambda row: row.municipality),
        Column("Partner", lambda row: row.partner),
        Column("Type", lambda row: row.tie.type, "label", PARTNERSHIP_TYPE_LABELS),
        Column("Status", lambda row: row.tie.status, "label", STATUS_LABELS),
        Column("Signed", lambda row: row.tie.signed_on, "date"),
        Column("Last activity", lambda row: row.tie.last_activity, "date"),
        Column("Years since", lambda row: row.tie.years_since, "number"),
    ),
)
