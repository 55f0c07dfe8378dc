"""Tables of the visit policy: rules per municipality, and the details that make an Activity a visit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.db import Base, Timestamped
from tsunagari.exchange.models import Activity
from tsunagari.municipality.models import Municipality

DEFAULT_REPORT_DEADLINE_DAYS = 30


class PolicyRules(Timestamped, Base):
    """交流の方針: a municipality's rules for visits. The defaults are seed 002's (村山市)."""

    __tablename__ = "policy_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    public_money_only_official_to_sister_friendship: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True
    )
    """公費: travel is paid only for official visits to sister/friendship cities, or to sign an agreement."""
    require_purpose_before_visit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    """訪問の目的を市民に明らかにし: the purpose is published before the visit."""
    report_deadline_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_REPORT_DEADLINE_DAYS
    )
    """訪問後はできるだけ早く周知: days after the return by which the report is published."""
    require_citizen_consultation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    """市民や民間交流団体と行政が協議する場: a meeting with citizens before the visit."""
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (CheckConstraint("report_deadline_days >= 0", name="deadline_non_negative"),)


class Visit(Base):
    """訪問計画: what turns an activity into a planned visit under the policy (one row per activity).

    Dates, purpose, publication dates, the official flag and the public cost stay on the Activity.
    """

    __tablename__ = "visit"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, index=True
    )
    """The municipality making the visit, whose policy applies."""
    destination_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    destination_text: Mapped[str | None] = mapped_column(String(300))
    """The destination as written when it is not a registered municipality."""
    for_signing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    """盟約締結: the visit is to sign an agreement (public money allowed whatever the partner)."""
    citizen_meeting_on: Mapped[dt.date | None] = mapped_column(Date)
    citizen_meeting_notes: Mapped[str | None] = mapped_column(Text)
    """Who took part (citizens, private exchange groups) and what was agreed."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    activity: Mapped[Activity] = relationship(lazy="joined")
    municipality: Mapped[Municipality] = relationship(foreign_keys=[municipality_id], lazy="joined")
    destination: Mapped[Municipality | None] = relationship(
        foreign_keys=[destination_municipality_id], lazy="joined"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
