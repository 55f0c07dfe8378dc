"""`tsunagari users …`: add, list and disable staff accounts, and issue API tokens (shown once)."""

from __future__ import annotations

import sys
from typing import Any

import typer
from sqlalchemy.orm import Session

from tsunagari.access.roles import ROLE_LABELS_JA, Role
from tsunagari.auth import actions as auth_actions
from tsunagari.auth import service as auth_service
from tsunagari.cli.common import acting_scope, console, handle_errors, print_json, session_scope
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.names import service as names_service

app = typer.Typer(help="職員アカウント / Staff accounts and API tokens.")


def _municipality_id(session: Session, name: str) -> int:
    try:
        return names_service.pick_municipality(
            session=session, text=name, numbers="jis_code", field="municipality", hint="give the 6-digit code"
        ).id
    except NotFound:
        # A wrong name on the command line is bad input (exit 2), like every other bad option.
        raise InvalidInput("no such municipality", field="municipality", value=name) from None


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
    with acting_scope("users add") as (session, actor):
        user = auth_actions.create_user(
            session=session,
            actor=actor,
            data={
                "email": email,
                "display_name": display_name,
                "role": role,
                "municipality_ids": [_municipality_id(session, name) for name in municipality],
                "password": password,
            },
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
    with acting_scope("users disable") as (session, actor):
        found = auth_service.require_by_email(session=session, email=email)
        user, revoked = auth_actions.disable_user(session=session, actor=actor, user_id=found.id)
        console.print(f"disabled {user.email}; revoked {revoked} token(s)")


@app.command("token")
@handle_errors
def token(
    email: str = typer.Argument(..., help="Login of the token's owner."),
    label: str | None = typer.Option(None, "--label", help="What the token is for."),
) -> None:
    """Issue an API token acting as the user (same role and municipalities). It is printed only once."""
    with acting_scope("users token") as (session, actor):
        user = auth_service.require_by_email(session=session, email=email)
        value = auth_actions.issue_token(session=session, actor=actor, label=label, user_id=user.id)
    # Plain stdout so scripts can capture it; it cannot be shown again.
    sys.stdout.write(value + "\n")
