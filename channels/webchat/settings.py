"""Web chat settings (``CHATSHOP_WEBCHAT_*``), kept beside the channel so the core settings stay small."""

from __future__ import annotations

import ipaddress

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebchatSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATSHOP_WEBCHAT_", env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    # Comma-separated origins (``https://shop.example,https://www.shop.example``) allowed to open the
    # socket besides the chat's own origin; ``*`` allows any (only for demos).
    allowed_origins: str = ""
    max_message_chars: int = Field(default=2000, ge=1)
    max_frame_bytes: int = Field(default=16 * 1024, ge=256)
    rate_limit_messages: int = Field(default=12, ge=1, description="messages per window per connection")
    rate_limit_seconds: float = Field(default=10.0, gt=0)
    new_chats_per_minute: int = Field(default=30, ge=1, description="fresh sessions per client address per minute")
    # Reverse proxies (addresses or networks, comma-separated: ``127.0.0.1,10.0.0.0/8``) whose
    # ``Forwarded`` / ``X-Forwarded-Proto`` / ``X-Forwarded-Host`` tell the scheme and host the browser used;
    # nobody else's are believed. Shared by the whole server, hence the name without WEBCHAT_.
    trusted_proxies: str = Field(
        default="", validation_alias=AliasChoices("CHATSHOP_TRUSTED_PROXIES", "CHATSHOP_WEBCHAT_TRUSTED_PROXIES")
    )
    # Each chat's last ``history_size`` messages are kept (Redis, else the database) up to ``history_days``,
    # so a reload, a restart or another process restores the conversation; at most
    # ``pending_size`` notices that came while no tab was open are sent as news at the next visit.
    history_size: int = Field(default=60, ge=0)
    history_days: float = Field(default=7.0, gt=0)
    pending_size: int = Field(default=20, ge=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        _parse_networks(value)  # a typo fails at start-up, not on the first socket
        return value

    @property
    def proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return _parse_networks(self.trusted_proxies)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip())


def _parse_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
