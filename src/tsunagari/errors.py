"""Domain errors raised by services; the web, API and CLI layers map them to responses and exit codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError


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


Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], data: Model | Mapping[str, Any]) -> Model:
    """`data` as `model`; a ValidationError becomes InvalidInput naming each field (participants.youth)."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(
            problems=[
                Problem(
                    reason=detail["msg"],
                    field=".".join(str(part) for part in detail["loc"]) or None,
                    value=None if isinstance(detail.get("input"), dict) else detail.get("input"),
                )
                for detail in error.errors()
            ]
        ) from None
