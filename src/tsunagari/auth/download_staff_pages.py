"""The columns of the account lists' downloads (職員アカウント, APIトークン), declared once for the form kit's
`ListExport`; the pages hand in exactly the rows they show."""

from __future__ import annotations

from tsunagari.access.roles import ROLE_LABELS_EN, ROLE_LABELS_JA
from tsunagari.web.list_export import Column, ListExport

ROLE_LABELS = {code: (ja, ROLE_LABELS_EN.get(code, code)) for code, ja in ROLE_LABELS_JA.items()}

USERS = ListExport(
    name="users",
    title="Staff accounts",
    columns=(
        Column("Login", lambda row: row["user"].email),
        Column("Display name", lambda row: row["user"].display_name),
        Column("Role", lambda row: row["user"].role, "label", ROLE_LABELS),
        Column("Municipalities", lambda row: row["municipalities"]),
        Column("State", lambda row: "active" if row["user"].active else "disabled", "message"),
    ),
)

TOKENS = ListExport(
    name="api-tokens",
    title="API tokens",
    columns=(
        Column("Prefix", lambda t: t.prefix),
        Column("Label", lambda t: t.label),
        Column("Created on", lambda t: t.created_at, "datetime"),
        Column("Last used", lambda t: t.last_used_at, "datetime"),
        Column("State", lambda t: "revoked" if t.revoked_at else "live", "message"),
    ),
)
