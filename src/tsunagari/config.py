"""Settings read from the environment (TSUNAGARI_*), validated once at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

GazetteerDataset = Literal["cities500", "cities1000", "cities5000", "cities15000", "none"]

DEFAULT_DATABASE_URL = "sqlite:///./var/tsunagari.db"


class Settings(BaseSettings):
    """Every setting is documented in docs/configuration.md; a test checks that."""

    model_config = SettingsConfigDict(env_prefix="TSUNAGARI_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: sqlite:///… (embedded default) or postgresql+psycopg://…"""

    gazetteer: GazetteerDataset = "cities500"
    """Which GeoNames city list `tsunagari init` loads as the gazetteer of foreign places."""

    environment: Literal["development", "production", "test"] = "development"
    """Anything but development refuses unsafe defaults (the default secret key)."""

    secret_key: str = "development-only-secret"
    """Signs session cookies; must be set to a long random value in production."""

    tile_url: str = ""
    """Map tile URL template (https://tile.openstreetmap.org/{z}/{x}/{y}.png); empty: offline outlines."""

    response_cache_entries: int = Field(default=2000, ge=0)
    """Public API responses each app process keeps in memory (0: none); see docs/configuration.md."""

    response_cache_mb: int = Field(default=64, ge=0)
    """The memory those responses may take, in MB."""

    worker_threads: int = Field(default=4, ge=2, le=200)
    """Threads each app process runs requests on; each database pool holds as many connections."""

    database_wait_ms: int = Field(default=1000, ge=50, le=60_000)
    """How long a request waits for a pooled connection or a locked SQLite database before answering
    503 with Retry-After."""

    match_weights: dict[str, float] = Field(default_factory=dict)
    """Weights of the match score's parts that differ from matching.scoring.Weights' defaults, as JSON
    ({"wish_country": 4, "distance": 0}); a part the score does not have is refused when it is computed."""

    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError("TSUNAGARI_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    def check_safe_for_production(self) -> None:
        """Outside development the secret must come from the environment: never the default, never short."""
        if self.environment != "development" and (
            self.secret_key == "development-only-secret" or len(self.secret_key) < 32
        ):
            raise ValueError(
                f"TSUNAGARI_SECRET_KEY must be a random value of 32+ characters in {self.environment}"
            )

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.check_safe_for_production()
    return settings
