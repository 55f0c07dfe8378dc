"""The review list: names that could not be resolved with confidence wait here for a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tsunagari.db import Base


class ReviewItem(Base):
    """要確認: a written name with its candidates, and what to do once a person picks one."""

    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The action waiting on the answer, e.g. the partnership row to create."""
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    resolved_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_review_item_status", "status"),
        Index("ix_review_item_text_country", "text", "country"),
    )
