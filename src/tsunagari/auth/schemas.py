"""Pydantic shapes for staff accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tsunagari.access.roles import Role

MIN_PASSWORD_LENGTH = 12


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=300)
    display_name: str | None = Field(default=None, max_length=200)
    role: Role = Role.viewer
    municipality_ids: list[int] = Field(default_factory=list)
    password: str | None = None

    @field_validator("email")
    @classmethod
    def _login(cls, value: str) -> str:
        value = value.strip().lower()
        if "@" not in value or value.startswith("@") or value.endswith("@"):
            raise ValueError("the login is an e-mail address")
        return value

    @field_validator("password")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
        return value


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: str
    active: bool
    municipalities: list[str]
    """Names of the municipalities an editor works for."""


class UserUpdate(BaseModel):
    """What an admin may change on an account: name, role, municipalities (None leaves it unchanged)."""

    display_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    municipality_ids: list[int] | None = None
