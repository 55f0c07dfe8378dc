"""The Principal a request or command acts as: a logged-in user, a token's owner or the system actor."""

from __future__ import annotations

from dataclasses import dataclass, field

from tsunagari.access.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: a logged-in user or the owner of an API token."""

    user_id: int
    email: str
    display_name: str
    role: Role
    municipality_ids: frozenset[int] = field(default_factory=frozenset)
    via: str = "web"
    """web (session cookie) or api (bearer token)."""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin
