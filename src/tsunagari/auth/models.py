"""Tables of staff accounts: users, the municipalities an editor works for, API tokens, login failures.

Password and token hashes are audited as "changed" only (audit.service.SECRET_COLUMNS), never by value.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.access.roles import Role
from tsunagari.db import Base, Timestamped


class User(Timestamped, Base):
    """職員アカウント: one person who logs in to the staff pages or owns API tokens."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    """The login, stored lower-case."""
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=Role.viewer)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    """argon2id; None until a password is set (token-only accounts)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    municipalities: Mapped[list[UserMunicipality]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserMunicipality.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API


class UserMunicipality(Base):
    """An editor's scope: a municipality whose records the user may change."""

    __tablename__ = "staff_user_municipality"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, index=True
    )

    user: Mapped[User] = relationship(back_populates="municipalities")

    __table_args__ = (UniqueConstraint("user_id", "municipality_id", name="uq_staff_user_municipality"),)


class ApiToken(Base):
    """A bearer token for scripts, acting with its owner's role and scope; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    """SHA-256 of the token: tokens are long random strings, so a slow hash adds nothing."""
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    """The first characters, so a person can tell their tokens apart."""
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """One wrong password: shared by every app process, so the login limit holds behind a proxy.

    Rows older than the limiter's window are pruned whenever a failure is recorded.
    """

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(300), nullable=False)
    """The login as typed (normalised), whether or not such an account exists."""
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float, nullable=False)
    """Seconds since the epoch: compared the same way on SQLite and PostgreSQL."""

    __table_args__ = (
        Index("ix_login_failure_login_at", "login", "at"),
        Index("ix_login_failure_ip_at", "ip", "at"),
        Index("ix_login_failure_at", "at"),
    )


class LoginSession(Base):
    """A browser signed in as a staff member. The session cookie names it by a random key (only its
    hash is kept); logging out or changing the password ends it here, so a copied cookie stops
    working at once rather than when it expires."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    started_at: Mapped[float] = mapped_column(Float, nullable=False)
    """Seconds since the epoch, like login_failure.at."""
    ends_at: Mapped[float] = mapped_column(Float, nullable=False)
    ended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    """Logged out, or ended by a password change."""

    __table_args__ = (Index("ix_login_session_user_id", "user_id"),)
