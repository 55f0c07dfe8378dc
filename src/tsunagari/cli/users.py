"""`tsunagari users …`: add, list and disable staff accounts, and issue API tokens (shown once)."""

from __future__ import annotations

import sys
from typing import Any

import typer
from sqlalchemy.orm import Session

from tsunagari.auth import service as auth_service
from tsunagari.auth.models import ROLE_LABELS_JA, Role
from tsunagari.auth.schemas import UserCreate
from tsunagari.cli.common import console, handle_errors, print_json, session_scope
from tsunagari.errors import InvalidInput
from tsunagari.municipality import service as municipality_service

app = typer.Typer(help="職員アカウント / Staff accounts and API tokens.")


def _municipality_id(session: Session, name: str) -> int:
    if name.isdigit() and len(name) == 6:
        found = municipality_service.get_by_jis_code(session=session, jis_code=name)
        if found is not None:
            return found.id
    matches = [m for m in municipality_service.find_by_name(session=session, name=name) if m.country == "JP"]
    if not matches:
        matches = list(municipality_service.find_by_name(session=session, name=name))
    if len(matches) != 1:
        reason = "no such municipality" if not matches else "ambiguous: give the 6-digit code instead"
        raise InvalidInput(reason, field="municipality", value=name)
    return matches[0].id


@app.command("add")
@handle_errors
def add(
    email: str = typer.Argument(..., help="Login (e-mail address)."),
    role: Role = typer.Option(Role.viewer, "--role", help="admin, editor, reviewer or viewer."),
    municipality: list[str] = typer.Option(
        [], "--municipality", help="For editors: a municipality they work for (name or code); repeatable."
    ),
    display_name: str | None = typer.Option(None, "--name", help="Name shown in the audit trail pages."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Add a staff account; without --password-stdin it can only use API tokens until a password is set."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with session_scope() as session:
        user = auth_service.create_user(
            session=session,
            data=UserCreate(
                email=email,
                display_name=display_name,
                role=role,
                municipality_ids=[_municipality_id(session, name) for name in municipality],
                password=password,
            ),
        )
        console.print(f"added {user.email} ({ROLE_LABELS_JA[user.role]})")


@app.command("list")
@handle_errors
def list_command(json_output: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """List staff accounts with their role and municipalities."""
    with session_scope() as session:
        rows: list[dict[str, Any]] = [
            {
                "email": user.email,
                "display_name": user.display_name,
                "role": user.role,
                "active": user.active,
                "municipalities": auth_service.municipality_names(session=session, user=user),
            }
            for user in auth_service.list_users(session=session)
        ]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        state = "" if row["active"] else " (無効 / disabled)"
        places = "、".join(row["municipalities"])
        console.print(f"{row['email']}\t{row['role']}\t{places}{state}", markup=False, highlight=False)


@app.command("disable")
@handle_errors
def disable(email: str = typer.Argument(..., help="Login of the account to disable.")) -> None:
    """Disable an account and revoke its API tokens; its history stays attributed to it."""
    with session_scope() as session:
        user = auth_service.require_by_email(session=session, email=email)
        auth_service.disable_user(session=session, user=user)
        revoked = auth_service.revoke_tokens(session=session, user=user)
        console.print(f"disabled {user.email}; revoked {revoked} token(s)")


@app.command("token")
@handle_errors
def token(
    email: str = typer.Argument(..., help="Login of the token's owner."),
    label: str | None = typer.Option(None, "--label", help="What the token is for."),
) -> None:
    """Issue an API token acting as the user (same role and municipalities). It is printed only once."""
    with session_scope() as session:
        user = auth_service.require_by_email(session=session, email=email)
        value = auth_service.issue_token(session=session, user=user, label=label)
    # Plain stdout so scripts can capture it; it cannot be shown again.
    sys.stdout.write(value + "\n")
