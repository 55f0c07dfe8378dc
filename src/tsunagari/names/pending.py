"""Actions that wait on the review list, typed: each importer that defers work defines its action and
registers it here, so answering a review item dispatches to the importer's handler without the names
domain importing the importers (it sits below them)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Self, TypeVar

from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality


class PendingAction(ABC):
    """What to do once a person says which municipality a name means.

    Stored on the review item as JSON (`to_json`: {"kind": …, **as_json()}); `from_json` reads it back.
    """

    kind: ClassVar[str]

    @abstractmethod
    def as_json(self) -> dict[str, Any]:
        """The action's own fields as JSON values (without "kind")."""

    @classmethod
    @abstractmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """The action stored by to_json (the dict still has its "kind")."""

    @abstractmethod
    def carry_out(self, *, session: Session, municipality: Municipality) -> None:
        """Do what waited, now that the name means `municipality`; flush, never commit."""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.as_json()}


A = TypeVar("A", bound=type[PendingAction])

_ACTIONS: dict[str, type[PendingAction]] = {}


def register(action: A) -> A:
    """Class decorator: the handler of review items whose pending action has this kind."""
    known = _ACTIONS.get(action.kind)
    if known is not None and known.__qualname__ != action.__qualname__:
        raise ValueError(f"pending action kind {action.kind!r} is already taken by {known.__qualname__}")
    _ACTIONS[action.kind] = action
    return action


def registered() -> dict[str, type[PendingAction]]:
    """The registered actions by kind (a copy)."""
    return dict(_ACTIONS)


def parse(pending: dict[str, Any]) -> PendingAction:
    kind = pending.get("kind")
    action = _ACTIONS.get(str(kind))
    if action is None:
        raise InvalidInput(
            "unknown pending action (is the importer that made it loaded?)", field="pending.kind", value=kind
        )
    return action.from_json(pending)


def carry_out(*, session: Session, pending: dict[str, Any], municipality: Municipality) -> None:
    """Dispatch a stored pending action to the handler its importer registered."""
    parse(pending).carry_out(session=session, municipality=municipality)
