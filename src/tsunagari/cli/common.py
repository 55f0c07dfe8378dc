"""What every CLI command shares: error-to-exit-code mapping, JSON output, the unit of work, and the
system actor a writing command acts as (its writes go through the permission-checked actions).

Commands that never touch the database (`dates parse`) import this module too, so it imports the database,
audit and auth layers only inside the functions that open a unit of work: `tsunagari dates parse` and
`tsunagari --help` never load SQLAlchemy (tests/cli/test_cli_startup.py checks it)."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from tsunagari.errors import InvalidInput, NotFound, Problem, TsunagariError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tsunagari.access.principal import Principal
    from tsunagari.audit.service import Actor

console = Console()
error_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INVALID_INPUT = 2
EXIT_FAILURE = 1


def print_json(value: Any) -> None:
    """JSON for scripts: UTF-8 as is (no \\u escapes), one document on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def problems_from_validation(error: ValidationError) -> list[Problem]:
    return [
        Problem(
            reason=detail["msg"],
            field=".".join(str(p) for p in detail["loc"]) or None,
            value=detail.get("input") if not isinstance(detail.get("input"), dict) else None,
        )
        for detail in error.errors()
    ]


def handle_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Exit 2 with the report on stderr for invalid input, 1 for any other refusal."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except InvalidInput as error:
            error_console.print("[bold red]入力エラー / invalid input[/]")
            # The report quotes what the user wrote: never read it as Rich markup.
            error_console.print(error.report(), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INVALID_INPUT) from None
        except ValidationError as error:
            report = InvalidInput(problems=problems_from_validation(error)).report()
            error_console.print("[bold red]入力エラー / invalid input[/]")
            error_console.print(report, markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INVALID_INPUT) from None
        except NotFound as error:
            error_console.print("見つかりません / not found:", str(error), markup=False, highlight=False)
            raise typer.Exit(EXIT_FAILURE) from None
        except TsunagariError as error:
            error_console.print("エラー / error:", str(error), markup=False, highlight=False)
            raise typer.Exit(EXIT_FAILURE) from None

    return wrapper


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # some containers have no login name
        return "unknown"


def cli_actor(via: str = "cli") -> Actor:
    """Who is acting on the command line: the operating-system user (recorded in the audit trail)."""
    from tsunagari.audit.service import Actor

    return Actor(name=f"{via}:{_os_user()}", via=via)


@contextmanager
def session_scope(via: str = "cli", actor: Actor | None = None, *, writes: bool = False) -> Iterator[Session]:
    """A command's one transaction, waiting ten times a web request's wait for a lock; `writes` takes
    SQLite's write lock first, so a write after the command's reads never finds its snapshot stale."""
    from tsunagari.audit.service import acting_as
    from tsunagari.config import get_settings
    from tsunagari.db import get_engine, patient
    from tsunagari.session import unit_of_work

    with (
        acting_as(actor or cli_actor(via)),
        unit_of_work(get_engine()) as session,
        patient(session, 10 * get_settings().database_wait_ms, writes=writes),
    ):
        yield session


def system_principal(command: str) -> Principal:
    """The system actor a command writes as: `cli:<command> (<os user>)`, an admin without an account."""
    from tsunagari.auth import service as auth_service

    return auth_service.system_principal(name=f"cli:{command} ({_os_user()})", via="cli")


@contextmanager
def acting_scope(command: str) -> Iterator[tuple[Session, Principal]]:
    """The unit of work of a command that writes, and the system actor it acts as: each action it calls
    checks that actor's permission, and the audit trail names it as the author of every change."""
    from tsunagari.audit.service import Actor

    principal = system_principal(command)
    with session_scope(actor=Actor(name=principal.email, via=principal.via), writes=True) as session:
        yield session, principal
