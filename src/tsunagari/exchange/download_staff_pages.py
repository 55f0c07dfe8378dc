"""The columns of the exchange staff lists' downloads (a programme's partners, a network's members, a
municipality's citizen benefits), declared once for the form kit's `ListExport`; the pages hand in
exactly the rows they show."""

from __future__ import annotations

from typing import Any

from tsunagari.exchange.benefit_models import BENEFIT_KIND_LABELS
from tsunagari.exchange.models import MEMBERSHIP_ROLE_LABELS
from tsunagari.web.list_export import Column, ListExport, party_name


def _registry(partner: Any) -> str:
    """What the registry knows of a programme partner: the record named, or why there is none."""
    if partner.municipality is not None or partner.organisation is not None:
        return party_name(partner.municipality or partner.organisation)
    return "to review" if partner.needs_review else "name only"


PROGRAMME_PARTNERS = ListExport(
    name="programme-partners",
    title="Programme partners",
    columns=(
        Column("#", lambda row: row[0], "number"),
        Column("Partner", lambda row: row[1].written_name),
        Column("Country", lambda row: row[1].country, "country"),
        Column("Registry", lambda row: _registry(row[1]), "message"),
    ),
)
"""Rows are (position on the page, partner), as `numbered` gives them."""


def numbered(records: list[Any]) -> list[tuple[int, Any]]:
    return list(enumerate(records, start=1))


def _member(membership: Any) -> str:
    return party_name(membership.municipality or membership.organisation)


NETWORK_MEMBERS = ListExport(
    name="network-members",
    title="Network members",
    columns=(
        Column("Member", _member),
        Column("Role", lambda m: m.role, "label", MEMBERSHIP_ROLE_LABELS),
        Column("Joined (fiscal year)", lambda m: m.joined_fy, "fiscal_year"),
        Column("Notes", lambda m: m.notes),
    ),
)


BENEFITS = ListExport(
    name="benefits",
    title="Citizen benefits",
    columns=(
        Column("ID", lambda b: b.id, "number"),
        Column("Kind of benefit", lambda b: b.kind, "label", BENEFIT_KIND_LABELS),
        Column("Name", lambda b: b.title),
        Column("Deadline", lambda b: b.deadline, "date"),
        Column("Valid from", lambda b: b.valid_from, "date"),
        Column("End of validity", lambda b: b.valid_until, "date"),
        Column("Cost to the resident (yen)", lambda b: b.cost_yen, "money"),
    ),
)
