"""Tables of partner seeking: one profile per municipality that wants a partner (提携希望)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.db import Base, Timestamped
from tsunagari.municipality.models import Municipality


class SeekingProfile(Timestamped, Base):
    """提携希望: what a municipality hopes for in a partner, in its own words and as tags to match on."""

    __tablename__ = "seeking_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    hoped_countries: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """ISO 3166-1 alpha-2 codes."""
    hoped_areas: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """vocabulary.AREA_CODES: continents and 英語圏."""
    fields: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    population_min: Mapped[int | None] = mapped_column(Integer)
    population_max: Mapped[int | None] = mapped_column(Integer)
    conditions: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    conditions_text: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    purpose: Mapped[str | None] = mapped_column(Text)
    """The purpose in the municipality's own words."""
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    """An example written for the demo, not a municipality's published wish."""
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    municipality: Mapped[Municipality] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
