"""Tables of the exchange domain: networks, programmes with owners and partners, activities, awards."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
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

# The one vocabulary of exchange fields, re-exported for the forms, pages and importers of this domain.
from tsunagari.common.fields import FIELD_CODES as FIELD_CODES
from tsunagari.common.fields import FIELD_LABELS as FIELD_LABELS
from tsunagari.db import Base, Timestamped
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import Partnership


class NetworkKind(enum.StrEnum):
    summit = "summit"
    forum = "forum"
    association = "association"
    conference = "conference"
    organisation = "organisation"


NETWORK_KIND_LABELS: Final[dict[str, tuple[str, str]]] = {
    "summit": ("サミット", "Summit"),
    "forum": ("フォーラム", "Forum"),
    "association": ("連合・協議会", "Association"),
    "conference": ("会議", "Conference"),
    "organisation": ("機構・国際組織", "Organisation"),
}


class MembershipRole(enum.StrEnum):
    member = "member"
    secretariat = "secretariat"
    observer = "observer"
    host = "host"


MEMBERSHIP_ROLE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "member": ("会員", "Member"),
    "secretariat": ("事務局", "Secretariat"),
    "observer": ("オブザーバー", "Observer"),
    "host": ("開催地", "Host"),
}


class ProgrammeFormat(enum.StrEnum):
    """The two classes of multilateral cases in CLAIR's directory (seed 001)."""

    conference = "conference"
    people = "people"


FORMAT_LABELS: Final[dict[str, tuple[str, str]]] = {
    "conference": ("会議形式", "Conference format"),
    "people": ("人的交流", "People exchange"),
}


ACTOR_LABELS: Final[dict[str, tuple[str, str]]] = {
    "government": ("行政", "Local government"),
    "exchange_association": ("国際交流協会", "Exchange association"),
    "npo": ("NPO", "NPO"),
    "citizens": ("市民", "Citizens"),
    "companies": ("企業", "Companies"),
    "schools_universities": ("学校・大学", "Schools and universities"),
}
ACTOR_CODES: Final = tuple(ACTOR_LABELS)


class ActivityDirection(enum.StrEnum):
    outbound = "outbound"
    inbound = "inbound"
    both = "both"
    hosted = "hosted"


DIRECTION_LABELS: Final[dict[str, tuple[str, str]]] = {
    "outbound": ("派遣", "Outbound"),
    "inbound": ("受入", "Inbound"),
    "both": ("相互派遣", "Both ways"),
    "hosted": ("開催", "Hosted"),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    name_ja: str
    name_en: str


# 姉妹自治体交流表彰 (CLAIR's sister-city exchange award) judges entries on these six points.
CLAIR_AWARD_CRITERIA: Final[tuple[Criterion, ...]] = (
    Criterion("innovation", "先進性", "Innovation"),
    Criterion("originality", "独自性", "Originality"),
    Criterion("continuity", "継続性", "Continuity"),
    Criterion("activity", "活発性", "Activity"),
    Criterion("collaboration", "協働性", "Collaboration"),
    Criterion("results", "成果", "Results"),
)
CRITERIA_SETS: Final[dict[str, tuple[Criterion, ...]]] = {"clair": CLAIR_AWARD_CRITERIA}


def party_key(municipality_id: int | None, organisation_id: int | None) -> str:
    """ "m12" / "o3": one column per party, so natural keys can be plain unique constraints."""
    return f"m{municipality_id}" if municipality_id is not None else f"o{organisation_id}"


class Network(Timestamped, Base):
    """A multilateral body of three or more local governments (summits, forums, associations)."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=NetworkKind.association)
    description: Mapped[str | None] = mapped_column(Text)
    secretariat_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL")
    )
    secretariat_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    secretariat_text: Mapped[str | None] = mapped_column(String(300))
    """事務局 as written, when it is neither a registered municipality nor an organisation."""
    founded_fy: Mapped[int | None] = mapped_column(Integer)
    """年度 of founding, when the source states a fiscal year."""
    founded_on: Mapped[dt.date | None] = mapped_column(Date)
    """Founding date when the source states a calendar date or year instead."""
    founded_on_precision: Mapped[str | None] = mapped_column(String(5))
    member_count: Mapped[int | None] = mapped_column(Integer)
    """How many members there are, for networks whose members are not all recorded."""
    member_count_as_of: Mapped[dt.date | None] = mapped_column(Date)
    member_count_as_of_precision: Mapped[str | None] = mapped_column(String(5))
    member_count_note: Mapped[str | None] = mapped_column(String(300))
    rotation: Mapped[str | None] = mapped_column(Text)
    """How meetings rotate between members (持ち回り), as text."""
    fields: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    subcommittees: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    secretariat_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[secretariat_municipality_id]
    )
    secretariat_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[secretariat_organisation_id]
    )
    memberships: Mapped[list[NetworkMembership]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="NetworkMembership.id"
    )
    meetings: Mapped[list[NetworkMeeting]] = relationship(
        back_populates="network",
        cascade="all, delete-orphan",
        order_by="[NetworkMeeting.fiscal_year, NetworkMeeting.held_on, NetworkMeeting.id]",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count_non_negative"),
        CheckConstraint(
            "secretariat_municipality_id IS NULL OR secretariat_organisation_id IS NULL",
            name="one_secretariat",
        ),
    )


class NetworkMembership(Base):
    """A municipality or organisation in a network, in one role (member, secretariat, observer, host)."""

    __tablename__ = "network_membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), nullable=False)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(String(20), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=MembershipRole.member)
    joined_fy: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))

    network: Mapped[Network] = relationship(back_populates="memberships")
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("network_id", "party", "role", name="uq_network_membership_natural_key"),
        CheckConstraint("(municipality_id IS NULL) <> (organisation_id IS NULL)", name="one_party"),
        Index("ix_network_membership_municipality_id", "municipality_id"),
        Index("ix_network_membership_organisation_id", "organisation_id"),
    )


class NetworkMeeting(Timestamped, Base):
    """One meeting of a network: when (fiscal year and/or date), where and who hosted it."""

    __tablename__ = "network_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str | None] = mapped_column(String(300))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    held_on_precision: Mapped[str | None] = mapped_column(String(5))
    host_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    place: Mapped[str | None] = mapped_column(String(300))
    participating_count: Mapped[int | None] = mapped_column(Integer)
    """How many local governments took part, when the source says."""
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    network: Mapped[Network] = relationship(back_populates="meetings")
    host_municipality: Mapped[Municipality | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        CheckConstraint(
            "participating_count IS NULL OR participating_count >= 0", name="participating_non_negative"
        ),
        Index("ix_network_meeting_network_id", "network_id"),
    )


class Programme(Timestamped, Base):
    """交流事業: a recurring or one-off exchange undertaking, owned by one or more parties."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    title_note: Mapped[str | None] = mapped_column(Text)
    """What the source writes under the title, e.g. (現在は世界ニューキャッスルアライアンス)."""
    format: Mapped[str] = mapped_column(String(20), nullable=False)
    fields: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # 実施年度 as parsed by dates.parse_fiscal_years, with the text it was read from.
    fiscal_years_text: Mapped[str | None] = mapped_column(String(200))
    first_fy: Mapped[int | None] = mapped_column(Integer)
    last_fy: Mapped[int | None] = mapped_column(Integer)
    ongoing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    every_n_years: Mapped[int | None] = mapped_column(Integer)
    series_since_fy: Mapped[int | None] = mapped_column(Integer)
    held_fy: Mapped[list[int]] = mapped_column(JSON, nullable=False, default=list)
    fiscal_years_unknown: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    """When it began, for sources that give a calendar year (昭和61年に第1回) rather than a 年度."""
    started_on_precision: Mapped[str | None] = mapped_column(String(5))
    schedule: Mapped[str | None] = mapped_column(String(300))
    """When it recurs, as text: 毎年10月27日, 夏休み, 2年に1度."""
    description: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    organiser_text: Mapped[str | None] = mapped_column(Text)
    """団体名 as written: who runs it, which may name bodies that are not owners."""
    partners_text: Mapped[str | None] = mapped_column(Text)
    """交流の相手方 exactly as written, beside the partners extracted from it."""
    member_count: Mapped[int | None] = mapped_column(Integer)
    """How many members the source counts (6カ国70自治体 → 70), when they are not all named."""
    members_text: Mapped[str | None] = mapped_column(Text)
    """Counts and descriptions of the members as written (各地域の政府知事・省長等), one a line."""
    member_countries: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """Countries (alpha-2) of members written only as text: 中国, 日仏自治体, アメリカ合衆国ハワイ州."""
    details_text: Mapped[str | None] = mapped_column(Text)
    """詳細情報 as written; its URLs are also in `urls`."""
    urls: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    source_url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(500))
    actors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="SET NULL"), index=True)
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="SET NULL"), index=True
    )
    owner_key: Mapped[str] = mapped_column(String(200), nullable=False)
    """The owners' party keys, sorted and joined ("m12,m40"): part of the natural key."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    owners: Mapped[list[ProgrammeOwner]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeOwner.position"
    )
    partners: Mapped[list[ProgrammePartner]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="[ProgrammePartner.position, ProgrammePartner.id]",
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="[Activity.start_on, Activity.id]",
    )
    network: Mapped[Network | None] = relationship()
    partnership: Mapped[Partnership | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        UniqueConstraint("owner_key", "title", "format", name="uq_programme_natural_key"),
        CheckConstraint("format IN ('conference', 'people')", name="known_format"),
        CheckConstraint("every_n_years IS NULL OR every_n_years >= 1", name="every_n_years_positive"),
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count_non_negative"),
        Index("ix_programme_first_fy", "first_fy"),
    )


class ProgrammeOwner(Base):
    """A party that runs a programme (情報提供自治体名); a programme may have several."""

    __tablename__ = "programme_owner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    programme: Mapped[Programme] = relationship(back_populates="owners")
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("programme_id", "party", name="uq_programme_owner_party"),
        CheckConstraint("(municipality_id IS NULL) <> (organisation_id IS NULL)", name="one_party"),
        Index("ix_programme_owner_municipality_id", "municipality_id"),
        Index("ix_programme_owner_organisation_id", "organisation_id"),
    )

    @property
    def name(self) -> str:
        party = self.municipality or self.organisation
        return party.name if party is not None else ""


class ProgrammePartner(Base):
    """A partner of a programme: a resolved municipality or organisation, or text kept verbatim.

    Text that could not be resolved waits on the review list (review_item_id); the answer links it.
    """

    __tablename__ = "programme_partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    written_name: Mapped[str] = mapped_column(String(500), nullable=False)
    """The partner as the source wrote it, e.g. 中国江蘇省連雲港市."""
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(200))
    needs_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("review_item.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    notes: Mapped[str | None] = mapped_column(Text)

    programme: Mapped[Programme] = relationship(back_populates="partners")
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("municipality_id IS NULL OR organisation_id IS NULL", name="at_most_one_party"),
        Index("ix_programme_partner_programme_id", "programme_id"),
        Index("ix_programme_partner_municipality_id", "municipality_id"),
        Index("ix_programme_partner_review_item_id", "review_item_id"),
    )

    @property
    def resolved(self) -> bool:
        return self.municipality_id is not None or self.organisation_id is not None

    @property
    def name(self) -> str:
        """The registry's name when resolved, otherwise the text as written."""
        party = self.municipality or self.organisation
        return party.name if party is not None else self.written_name


class Activity(Timestamped, Base):
    """実施記録: one delegation, visit, event or meeting of a programme."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    start_on_precision: Mapped[str | None] = mapped_column(String(5))
    end_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on_precision: Mapped[str | None] = mapped_column(String(5))
    direction: Mapped[str | None] = mapped_column(String(20))
    """派遣 outbound, 受入 inbound, both, or hosted (an event held at home)."""
    place: Mapped[str | None] = mapped_column(String(300))
    fields: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """交流分野 this activity touched (codes of common.fields); new activities start from the programme's."""
    participants: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)
    """Participants by category, e.g. {"students": 12, "staff": 2}."""
    public_cost: Mapped[int | None] = mapped_column(BigInteger)
    """公費 in yen."""
    private_cost: Mapped[int | None] = mapped_column(BigInteger)
    """Paid by participants or private bodies, in yen."""
    official_visit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    """公式訪問: public money may pay travel only for these (seed 002)."""
    purpose: Mapped[str | None] = mapped_column(Text)
    purpose_published_on: Mapped[dt.date | None] = mapped_column(Date)
    report_published_on: Mapped[dt.date | None] = mapped_column(Date)
    report_medium: Mapped[str | None] = mapped_column(String(200))
    """Where the report appeared: 広報紙, the website …"""
    outcomes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    programme: Mapped[Programme] = relationship(back_populates="activities")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        CheckConstraint("public_cost IS NULL OR public_cost >= 0", name="public_cost_non_negative"),
        CheckConstraint("private_cost IS NULL OR private_cost >= 0", name="private_cost_non_negative"),
        CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on", name="ends_after_start"),
        Index("ix_activity_programme_id_start_on", "programme_id", "start_on"),
    )

    def participant_total(self) -> int:
        return sum(self.participants.values())


class Award(Timestamped, Base):
    """An award given to a municipality or organisation for its exchange, e.g. 姉妹自治体交流表彰."""

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    prize: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    """The grade within the award, e.g. 総務大臣賞; empty when there is only one."""
    edition: Mapped[int | None] = mapped_column(Integer)
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    awarded_by: Mapped[str | None] = mapped_column(String(300))
    recipient_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    recipient_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    recipient_party: Mapped[str] = mapped_column(String(20), nullable=False)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"))
    citation: Mapped[str | None] = mapped_column(Text)
    evaluation_points: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    """[{"criterion": "continuity" or null, "text": ...}]: what the judges valued, by criterion."""
    criteria_set: Mapped[str] = mapped_column(String(40), nullable=False, default="clair")
    url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    recipient_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[recipient_municipality_id], lazy="joined"
    )
    recipient_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[recipient_organisation_id], lazy="joined"
    )
    programme: Mapped[Programme | None] = relationship()
    partners: Mapped[list[AwardPartner]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="AwardPartner.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        UniqueConstraint("name", "edition", "prize", "recipient_party", name="uq_award_natural_key"),
        CheckConstraint(
            "(recipient_municipality_id IS NULL) <> (recipient_organisation_id IS NULL)", name="one_recipient"
        ),
    )

    @property
    def recipient_name(self) -> str:
        party = self.recipient_municipality or self.recipient_organisation
        return party.name if party is not None else ""


class AwardPartner(Base):
    """A partner municipality named on an award (the sister cities the exchange was with)."""

    __tablename__ = "award_partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id", ondelete="CASCADE"), nullable=False)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, index=True
    )

    award: Mapped[Award] = relationship(back_populates="partners")
    municipality: Mapped[Municipality] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("award_id", "municipality_id", name="uq_award_partner"),)
