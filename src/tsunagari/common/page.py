"""One page of a list: what a paginated query answers. Imports nothing of the domains."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    total: int
    items: list[T]
    limit: int
    offset: int
