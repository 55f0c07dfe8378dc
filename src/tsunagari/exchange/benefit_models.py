"""The table of citizen benefits (市民向けの特典): what a municipality's partnerships and programmes offer its
residents (sister-city discounts, homestay and student-exchange openings, scholarships, events, associations
to join), each with its validity period, entered by staff."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.db import Base, Timestamped
from tsunagari.exchange.models import Programme
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership


class BenefitKind(enum.StrEnum):
    discount = "discount"
    homestay = "homestay"
    student_exchange = "student_exchange"
    scholarship = "scholarship"
    event = "event"
    association = "association"
    other = "other"


# Japanese label first (the UI's language), English beside it.
BENEFIT_KIND_LABELS: Final[dict[str, tuple[str, str]]] = {
    "discount": ("姉妹都市割引", "Sister-city discount"),
    "homestay": ("ホームステイ", "Homestay"),
    "student_exchange": ("青少年・学生の派遣", "Student exchange"),
    "scholarship": ("奨学金", "Scholarship"),
    "event": ("市民参加のイベント", "Event open to citizens"),
    "association": ("交流団体への参加", "Association to join"),
    "other": ("その他", "Other"),
}
BENEFIT_KINDS: Final = tuple(k.value for k in BenefitKind)


class Benefit(Timestamped, Base):
    """市民向けの特典: one offer to residents, shown on the offering municipality's page while it is valid."""

    __tablename__ = "benefit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, index=True
    )
    """The municipality offering it (a party of the partnership): its editors keep it, its page shows it."""
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="SET NULL"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    eligibility: Mapped[str | None] = mapped_column(Text)
    """対象: who may apply (市内在住の中学2年生, 姉妹都市の住民 …)."""
    how_to_apply: Mapped[str | None] = mapped_column(Text)
    """申込方法, as text."""
    apply_url: Mapped[str | None] = mapped_column(String(500))
    """Where to apply or read more: http(s) only (common.links)."""
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    """申込締切."""
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    """The validity period (有効期間); for an event, the days it is held."""
    cost_yen: Mapped[int | None] = mapped_column(BigInteger)
    """What a resident pays, in yen (0: free); None when not stated."""
    cost_note: Mapped[str | None] = mapped_column(String(300))
    """The cost as words (渡航費の一部を市が負担 …)."""
    source: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    partnership: Mapped[Partnership | None] = relationship()
    programme: Mapped[Programme | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        CheckConstraint(
            "kind IN ('discount', 'homestay', 'student_exchange', 'scholarship', 'event', 'association', "
            "'other')",
            name="known_kind",
        ),
        CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="valid_in_order"
        ),
        CheckConstraint("cost_yen IS NULL OR cost_yen >= 0", name="cost_non_negative"),
        Index("ix_benefit_valid_until", "valid_until"),
    )
