"""Tables of the municipality domain."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tsunagari.db import Base, Timestamped


class MunicipalityKind(enum.StrEnum):
    prefecture = "prefecture"
    designated_city = "designated_city"
    city = "city"
    special_ward = "special_ward"
    ward = "ward"
    town = "town"
    village = "village"
    state = "state"
    province = "province"
    county = "county"
    district = "district"
    other = "other"


KIND_LABELS_JA: dict[str, str] = {
    "prefecture": "都道府県",
    "designated_city": "政令指定都市",
    "city": "市",
    "special_ward": "特別区",
    "ward": "行政区",
    "town": "町",
    "village": "村",
    "state": "州",
    "province": "省",
    "county": "郡・県",
    "district": "区",
    "other": "その他",
}


class MunicipalityStatus(enum.StrEnum):
    existing = "existing"
    merged = "merged"
    dissolved = "dissolved"


class Municipality(Timestamped, Base):
    """自治体: a local government, Japanese or foreign, current or merged away."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    """Official name in Japanese for Japanese bodies; as usually written in Japanese otherwise."""
    name_en: Mapped[str | None] = mapped_column(String(200))
    kana: Mapped[str | None] = mapped_column(String(200))
    local_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=MunicipalityKind.city)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    region: Mapped[str | None] = mapped_column(String(200))
    """都道府県 / state / province as written (Japanese preferred)."""
    region_code: Mapped[str | None] = mapped_column(String(10))
    """ISO 3166-2 code of the region where known."""
    jis_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    """全国地方公共団体コード (JIS X 0402, 6 digits with check digit)."""
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="SET NULL"))
    geonameid: Mapped[int | None] = mapped_column(Integer, index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    population_as_of: Mapped[dt.date | None] = mapped_column(Date)
    population_as_of_precision: Mapped[str | None] = mapped_column(String(5))
    population_source: Mapped[str | None] = mapped_column(String(200))
    area_km2: Mapped[float | None] = mapped_column(Float)
    area_as_of: Mapped[dt.date | None] = mapped_column(Date)
    area_as_of_precision: Mapped[str | None] = mapped_column(String(5))
    area_source: Mapped[str | None] = mapped_column(String(200))
    overview_ja: Mapped[str | None] = mapped_column(Text)
    overview_en: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=MunicipalityStatus.existing)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="SET NULL"))
    merged_on: Mapped[dt.date | None] = mapped_column(Date)
    merged_on_precision: Mapped[str | None] = mapped_column(String(5))
    source: Mapped[str | None] = mapped_column(String(500))
    """Where the record came from: reference data, a seed, an import file and line."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    merged_into: Mapped[Municipality | None] = relationship(
        remote_side="Municipality.id", foreign_keys=[merged_into_id]
    )
    aliases: Mapped[list[MunicipalityName]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API
    __table_args__ = (
        Index("ix_municipality_country_name", "country", "name"),
        Index("ix_municipality_name_en", "name_en"),
        Index("ix_municipality_merged_into_id", "merged_into_id"),
    )

    @property
    def domestic(self) -> bool:
        return self.country == "JP"

    def display_name(self) -> str:
        if self.region and self.country == "JP" and self.kind != MunicipalityKind.prefecture:
            return f"{self.region} {self.name}"
        return self.name


class MunicipalityName(Base):
    """Another name a municipality is known by; `key` is the folded form used for lookups."""

    __tablename__ = "municipality_name"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    key: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="alias")
    """official, english, kana, local, alias, former."""

    municipality: Mapped[Municipality] = relationship(back_populates="aliases")

    __table_args__ = (
        Index("ix_municipality_name_key", "key"),
        Index("ix_municipality_name_municipality_id", "municipality_id"),
    )
