"""Tables of the partnership domain."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.db import Base, Timestamped
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation


class PartnershipType(enum.StrEnum):
    sister_city = "sister_city"
    friendship_city = "friendship_city"
    friendship_exchange_city = "friendship_exchange_city"
    exchange_city = "exchange_city"
    twinning = "twinning"
    sister_port = "sister_port"
    friendship_port = "friendship_port"
    disaster_mutual_aid = "disaster_mutual_aid"
    mutual_aid = "mutual_aid"
    staff_exchange = "staff_exchange"
    sister_organisation = "sister_organisation"
    other_agreement = "other_agreement"


# Japanese label first (the UI's language), English beside it.
PARTNERSHIP_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "sister_city": ("姉妹都市", "Sister city"),
    "friendship_city": ("友好都市", "Friendship city"),
    "friendship_exchange_city": ("友好交流都市", "Friendship-exchange city"),
    "exchange_city": ("交流都市", "Exchange partner"),
    "twinning": ("姉妹・友好都市（種別不明）", "Twin town (type not stated)"),
    "sister_port": ("姉妹港", "Sister port"),
    "friendship_port": ("友好港", "Friendship port"),
    "disaster_mutual_aid": ("災害時相互応援協定", "Disaster mutual-aid agreement"),
    "mutual_aid": ("相互応援協定", "Mutual-aid agreement"),
    "staff_exchange": ("職員派遣協定", "Staff-exchange agreement"),
    "sister_organisation": ("姉妹団体", "Sister organisation"),
    "other_agreement": ("その他の協定", "Other agreement"),
}

# Types a Japanese exchange officer counts as 姉妹(友好)自治体 relationships (CLAIR's directory).
SISTER_FRIENDSHIP_TYPES = frozenset(
    {"sister_city", "friendship_city", "friendship_exchange_city", "twinning"}
)


class PartnershipStatus(enum.StrEnum):
    active = "active"
    planned = "planned"
    """協議中 / 検討中: being planned or negotiated, not concluded (村山市 and 西海市, seed 002)."""
    suspended = "suspended"
    ended = "ended"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "active": ("継続中", "Active"),
    "planned": ("協議中", "Under negotiation"),
    "suspended": ("休止中", "Suspended"),
    "ended": ("解消", "Ended"),
}

NOT_CONCLUDED: tuple[str, ...] = (PartnershipStatus.planned,)
"""Statuses of ties not (yet) concluded: outside the statistics, the map and the headline figures."""

NOT_IN_FORCE: tuple[str, ...] = (PartnershipStatus.planned, PartnershipStatus.ended)
"""Statuses never counted as a living tie: not in anniversaries, indicators or the partnership graph."""


class Partnership(Timestamped, Base):
    """提携: an agreement between two parties, each a municipality or an organisation."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    home_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE")
    )
    home_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    partner_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE")
    )
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    # "m123" / "o45": one column per side so the natural key can be a plain unique constraint
    # (NULLs would defeat a unique constraint over the four id columns).
    home_party: Mapped[str] = mapped_column(String(20), nullable=False)
    partner_party: Mapped[str] = mapped_column(String(20), nullable=False)
    partner_written_name: Mapped[str | None] = mapped_column(String(300))
    """The partner's name as the source wrote it, kept verbatim."""
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    signed_on_precision: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PartnershipStatus.active)
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)
    suspended_on_precision: Mapped[str | None] = mapped_column(String(5))
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on_precision: Mapped[str | None] = mapped_column(String(5))
    origin: Mapped[str | None] = mapped_column(Text)
    """契機: how the relationship began."""
    fields: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """交流分野: the exchange fields the tie has spread to, in order (codes of tsunagari.common.fields)."""
    notes: Mapped[str | None] = mapped_column(Text)
    inherited_through_merger: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    via_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL")
    )
    """The former municipality that concluded it (南砺市 through 旧利賀村)."""
    # CLAIR's three counting criteria; None = not known.
    criterion_signed_by_heads: Mapped[bool | None] = mapped_column(Boolean)
    """1. 提携書 signed by the heads of both bodies."""
    criterion_multi_field: Mapped[bool | None] = mapped_column(Boolean)
    """2. Not limited to one field."""
    criterion_council_approved: Mapped[bool | None] = mapped_column(Boolean)
    """3. Approved by the council."""
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    home_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[home_municipality_id], lazy="joined"
    )
    home_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[home_organisation_id], lazy="joined"
    )
    partner_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[partner_municipality_id], lazy="joined"
    )
    partner_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[partner_organisation_id], lazy="joined"
    )
    via_municipality: Mapped[Municipality | None] = relationship(foreign_keys=[via_municipality_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        UniqueConstraint("home_party", "partner_party", "type", name="uq_partnership_natural_key"),
        CheckConstraint("(home_municipality_id IS NULL) <> (home_organisation_id IS NULL)", name="one_home"),
        CheckConstraint(
            "(partner_municipality_id IS NULL) <> (partner_organisation_id IS NULL)",
            name="one_partner",
        ),
        CheckConstraint("home_party <> partner_party", name="distinct_parties"),
        Index("ix_partnership_home_municipality_id", "home_municipality_id"),
        Index("ix_partnership_partner_municipality_id", "partner_municipality_id"),
        Index("ix_partnership_home_organisation_id", "home_organisation_id"),
        Index("ix_partnership_partner_organisation_id", "partner_organisation_id"),
        Index("ix_partnership_type_signed_on", "type", "signed_on"),
    )

    @property
    def counts_as_sister_friendship(self) -> bool:
        """CLAIR counts it as 姉妹(友好)自治体 only when all three criteria hold."""
        return bool(
            self.criterion_signed_by_heads and self.criterion_multi_field and self.criterion_council_approved
        )


class PartnershipSourceRecord(Base):
    """Where a partnership was seen: a file and line, a seed, a URL. One partnership may have many."""

    __tablename__ = "partnership_source_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False, index=True
    )
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)
