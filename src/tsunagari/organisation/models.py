"""Tables of the organisation domain, and contacts (personal data, never public)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsunagari.db import Base, Timestamped


class OrganisationKind(enum.StrEnum):
    exchange_association = "exchange_association"
    hometown_association = "hometown_association"
    chamber_of_commerce = "chamber_of_commerce"
    npo = "npo"
    school = "school"
    university = "university"
    company = "company"
    agricultural_cooperative = "agricultural_cooperative"
    fisheries_cooperative = "fisheries_cooperative"
    citizens_group = "citizens_group"
    other = "other"


ORGANISATION_KIND_LABELS_JA: dict[str, str] = {
    "exchange_association": "国際交流協会",
    "hometown_association": "出身者会",
    "chamber_of_commerce": "商工会・商工会議所",
    "npo": "NPO法人",
    "school": "学校",
    "university": "大学",
    "company": "企業",
    "agricultural_cooperative": "農業協同組合",
    "fisheries_cooperative": "漁業協同組合",
    "citizens_group": "市民団体",
    "other": "その他",
}


class Organisation(Timestamped, Base):
    """団体: a body that is not a local government but takes part in exchange."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default=OrganisationKind.other)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    founded_on: Mapped[dt.date | None] = mapped_column(Date)
    founded_on_precision: Mapped[str | None] = mapped_column(String(5))
    members_count: Mapped[int | None] = mapped_column(Integer)
    members_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    members_as_of: Mapped[dt.date | None] = mapped_column(Date)
    members_as_of_precision: Mapped[str | None] = mapped_column(String(5))
    overview_ja: Mapped[str | None] = mapped_column(Text)
    overview_en: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        CheckConstraint("members_count IS NULL OR members_count >= 0", name="members_non_negative"),
    )


class Contact(Timestamped, Base):
    """担当者: personal data. Only staff (viewer and above) may ever see these rows."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
