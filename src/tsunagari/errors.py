"""Domain errors raised by services; the web, API and CLI layers map them to responses and exit codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with an input: where it is, what was given, and why it was refused."""

    reason: str
    field: str | None = None
    value: object | None = None
    row: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.value is not None and self.value != "":
            # A date reads as it is written (2010-08-01), not as Python's datetime.date(2010, 8, 1).
            value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
            parts.append(f"value {value!r}")
        where = ", ".join(parts)
        return f"{where}: {self.reason}" if where else self.reason


class TsunagariError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(TsunagariError):
    """The record asked for does not exist."""


class Conflict(TsunagariError):
    """The write would contradict what is stored (duplicate key, stale version)."""


class PermissionDenied(TsunagariError):
    """The actor may not do this."""


@dataclass
class InvalidInput(TsunagariError):
    """Input refused; carries every problem found so a report can name them all."""

    problems: list[Problem] = field(default_factory=list)

    def __init__(
        self,
        reason: str | None = None,
        *,
        field: str | None = None,
        value: object | None = None,
        row: int | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems = list(problems or [])
        if reason is not None:
            self.problems.insert(0, Problem(reason=reason, field=field, value=value, row=row))
        super().__init__(self.report())

    def report(self) -> str:
        return "\n".join(problem.describe() for problem in self.problems)

    def __str__(self) -> str:
        return self.report()
