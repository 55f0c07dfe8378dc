"""What every CLI command shares: error-to-exit-code mapping, JSON output, the unit of work."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from tsunagari.audit.service import Actor, acting_as
from tsunagari.config import get_settings
from tsunagari.db import get_engine, patient, unit_of_work
from tsunagari.errors import InvalidInput, NotFound, Problem, TsunagariError

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


def cli_actor(via: str = "cli") -> Actor:
    """Who is acting on the command line: the operating-system user (recorded in the audit trail)."""
    try:
        user = getpass.getuser()
    except Exception:  # some containers have no login name
        user = "unknown"
    return Actor(name=f"{via}:{user}", via=via)


@contextmanager
def session_scope(via: str = "cli") -> Iterator[Session]:
    with (
        acting_as(cli_actor(via)),
        unit_of_work(get_engine()) as session,
        patient(session, 10 * get_settings().database_wait_ms),
    ):
        yield session
