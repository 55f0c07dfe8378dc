"""The columns of the policy lists' downloads (visits due and rule violations; the rules per municipality),
declared once for the form kit's `ListExport`; the pages hand in exactly the rows they show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tsunagari.web.forms import FormField
from tsunagari.web.list_export import Column, ListExport, party_name

FINDINGS = ListExport(
    name="policy-findings",
    title="Visits: due, overdue and rule violations",
    columns=(
        Column("Status", lambda f: str(getattr(f.status, "value", f.status)), "message"),
        Column("Due", lambda f: f.due_on, "date"),
        Column("Municipality", lambda f: f.municipality),
        Column("Visit", lambda f: f.title),
        Column("Finding", lambda f: f.message),
    ),
)


@dataclass(frozen=True)
class RulesRow:
    """A municipality on the rules index: its stored rules, or None where the defaults apply."""

    municipality: Any
    rules: Any | None


def _rule_value(name: str) -> Callable[[RulesRow], Any]:
    """One rule of a row: yes or no, a number of days, or nothing where the defaults apply."""

    def value(row: RulesRow) -> Any:
        if row.rules is None:
            return None
        found = getattr(row.rules, name)
        if isinstance(found, bool):
            return "yes" if found else "no"
        return found

    return value


def rules_index(fields: tuple[FormField, ...]) -> ListExport:
    """The rules index's download: the municipality, one column per rule, and where the rules came from."""
    rule_columns = tuple(
        Column(
            f.label,
            _rule_value(f.name),
            "number" if f.kind == "int" else "message",
        )
        for f in fields
    )
    return ListExport(
        name="policy-rules",
        title="Visit policy rules",
        columns=(
            Column("Municipality", lambda row: party_name(row.municipality)),
            *rule_columns,
            Column(
                "Source",
                lambda row: (row.rules.source or "") if row.rules is not None else "defaults (seed 002)",
                "message",
            ),
        ),
    )
