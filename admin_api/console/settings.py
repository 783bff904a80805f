"""The staff console's settings (``CHATSHOP_CONSOLE_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATSHOP_CONSOLE_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    session_hours: int = Field(default=8, ge=1, le=24 * 14, description="a sign-in lasts this long")
    attempts_per_name: str = Field(
        default="5/15 minutes", description="failed sign-ins per staff name, in the `limits` notation"
    )
    attempts_per_address: str = Field(
        default="20/15 minutes", description="failed sign-ins per client address, in the `limits` notation"
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="cookies only over https; unset: when the shop's public URL is https (TLS ended at a proxy) "
        "or the request itself came over https",
    )
    page_size: int = Field(default=50, ge=5, le=500, description="orders per page")
