"""Admin API settings (``CHATSHOP_API_*``), beside the API so the core settings stay small."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATSHOP_API_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    rate_limit: str = Field(
        default="600/minute", description="requests per key, in the `limits` notation (`600/minute`, `20/second`)"
    )
    idempotency_hours: int = Field(default=24, ge=1, description="how long a POST's first response is replayed")
    max_body_bytes: int = Field(default=8 * 1024**2, ge=1024, description="bulk upserts of thousands of rows")
