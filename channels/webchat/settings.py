"""Web chat settings (``CHATSHOP_WEBCHAT_*``), kept beside the channel so the core settings stay small."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebchatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHATSHOP_WEBCHAT_", env_file=".env", extra="ignore")

    # Comma-separated origins (``https://shop.example,https://www.shop.example``) allowed to open the
    # socket besides the chat's own origin; ``*`` allows any (only for demos).
    allowed_origins: str = ""
    max_message_chars: int = Field(default=2000, ge=1)
    max_frame_bytes: int = Field(default=16 * 1024, ge=256)
    rate_limit_messages: int = Field(default=12, ge=1, description="messages per window per connection")
    rate_limit_seconds: float = Field(default=10.0, gt=0)
    history_size: int = Field(default=60, ge=0)
    pending_size: int = Field(default=20, ge=0)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip())
