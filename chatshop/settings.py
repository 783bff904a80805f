"""Settings from the environment (prefix ``CHATSHOP_``) and an optional ``.env`` file."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("var") / "shop.db"
DEFAULT_SECRET_KEY = "dev-only-change-me"  # fine on a laptop; refused once real people can reach the shop


def normalise_database_url(url: str) -> str:
    """Accept plain ``sqlite://`` / ``postgresql://`` URLs and pick the async driver."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


class Settings(BaseSettings):
    # An empty variable (a blank line in an .env copied from a template) means "not set", not "" — so a blank
    # CHATSHOP_DB_POOL_SIZE doesn't stop the start, and a blank host doesn't bind every interface.
    model_config = SettingsConfigDict(env_prefix="CHATSHOP_", env_file=".env", extra="ignore", env_ignore_empty=True)

    database_url: str = Field(default=f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}")
    db_pool_size: int = Field(default=10, ge=1, le=200, description="PostgreSQL connections per process")
    redis_url: str | None = None
    rasa_url: str | None = Field(default=None, description="a Rasa server's base URL; unset: embedded NLU only")
    nlu_cache: Path = Field(default=Path("var") / "nlu", description="where the embedded NLU model is cached")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_url: str | None = None
    currency: str = "USD"
    tax_rate_bp: int = Field(default=0, ge=0, le=10000, description="tax rate in basis points (1% = 100)")
    reservation_minutes: int = Field(default=15, ge=1, le=24 * 60)
    outbox_poll_seconds: float = 1.0
    outbox_retention_days: int = Field(
        default=30, ge=1, description="delivered outbox events and delivery marks older than this are deleted"
    )
    outbox_max_attempts: int = Field(
        default=25, ge=1, description="failed deliveries before an event is dead-lettered (chatshop outbox retry)"
    )
    ready_max_outbox_lag_seconds: float = Field(
        default=300, gt=0, description="/readyz fails when the oldest due outbox event has waited longer"
    )
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    # Approval rules: matching paid orders wait for a person (see README "Order approvals").
    approval_total_over: str | None = Field(default=None, description="e.g. 500.00, in the shop currency")
    approval_first_order: bool = False
    approval_countries: str = Field(default="", description="comma-separated ISO codes, e.g. NG,RU")
    approval_max_quantity: int | None = Field(default=None, ge=1)
    # Slack ops bot (see docs/connect-slack.md); mounted only when the bot token and signing secret are set.
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = Field(default=None, description="xapp-… token: use Socket Mode")
    slack_api_url: str = "https://slack.com/api/"
    slack_ops_channel: str | None = Field(default=None, description="channel id for approvals, alerts, reports")
    slack_support_channel: str | None = Field(default=None, description="channel id for support threads")
    slack_daily_report_at: str | None = Field(default=None, description='"HH:MM" UTC, e.g. "08:00"')
    # Customer scores and markdown suggestions (issue 20, see README "Customer scores and markdowns").
    scores_nightly_at: str | None = Field(default="03:30", description='"HH:MM" UTC, or "off"')
    markdown_target_days: int = Field(default=90, ge=1, le=3650, description="days of cover a SKU should hold")
    markdown_max_sell_through: float = Field(default=0.3, gt=0, le=1, description="28-day sell-through below this")
    markdown_elasticity: float = Field(default=-2.0, lt=0, ge=-10, description="price elasticity of demand")
    # Demand forecasts and reorder suggestions (issue 20).
    forecast_at: str | None = Field(default="02:30", description='"HH:MM" UTC of the nightly forecast, or "off"')
    reorder_service_level: float = Field(default=0.95, gt=0.5, lt=1.0, description="chance a lead time has no stockout")
    reorder_review_days: int = Field(default=14, ge=1, le=365, description="days between orders (order-up-to level)")
    reorder_post_at: str | None = Field(default="07:00", description='"HH:MM" UTC of the weekly Slack post, or "off"')
    reorder_post_weekday: int = Field(default=0, ge=0, le=6, description="weekday of the Slack post, 0 = Monday")
    # Telegram (see docs/connect-telegram.md): the channel is mounted only when the token is set.
    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_provider_token: SecretStr | None = None
    telegram_rate_per_second: float = Field(default=30, gt=0, description="messages per second to all chats")
    # Stripe (see docs/connect-stripe.md): card payments go through Stripe Checkout when the secret key is
    # set (the sandbox stays the default); the webhook is mounted when its signing secret is set.
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_url: str = "https://api.stripe.com"
    # Outbound webhooks (issue 18): signed per Standard Webhooks, sent by `chatshop run` after commit.
    webhooks_allow_private: bool = Field(
        default=False, description="allow webhook URLs on private, loopback or link-local addresses (tests)"
    )
    webhooks_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhooks_max_attempts: int = Field(default=8, ge=1, le=50, description="attempts before a delivery is dead")
    automation_max_depth: int = Field(
        default=3, ge=1, le=10, description="rules run on events caused by at most this many rules in a row"
    )
    webhooks_first_retry_seconds: float = Field(
        default=120, gt=0, description="wait after the first failure; doubles each time (8 attempts: ~4 h)"
    )
    webhooks_disable_after_hours: float = Field(
        default=24, gt=0, description="a subscription failing this long is disabled and the ops channel told"
    )
    webhooks_lease_seconds: float = Field(
        default=60, gt=0, description="a claimed delivery whose process died is sent again after this"
    )
    tracking_secrets: SecretStr | None = Field(
        default=None, description='inbound carrier tracking: "name=whsec_…,other=whsec_…" mounts /integrations/tracking'
    )
    webhooks_concurrency: int = Field(default=32, ge=1, le=500, description="deliveries in flight per process")
    # Observability (see chatshop/metrics_http.py, chatshop/logging_setup.py).
    metrics_port: int | None = Field(default=None, ge=1, le=65535, description="serve /metrics on its own port")
    metrics_host: str = Field(default="127.0.0.1", description="the address of the metrics port")
    metrics_token: SecretStr | None = Field(default=None, description="a bearer token /metrics asks for")
    log_format: Literal["console", "json"] = Field(default="console", description="json: one JSON object a line")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("currency must be a three-letter ISO 4217 code")
        return value.upper()

    @field_validator("slack_daily_report_at", "scores_nightly_at", "forecast_at", "reorder_post_at")
    @classmethod
    def _time_of_day(cls, value: str | None) -> str | None:
        # "off" turns a job off (a blank variable means "not set", so it keeps the default time).
        if value is None or not value.strip() or value.strip().lower() in ("off", "none"):
            return None
        hour, sep, minute = value.strip().partition(":")
        if not (
            sep
            and (hour + minute).isascii()
            and hour.isdigit()
            and minute.isdigit()
            and int(hour) < 24
            and int(minute) < 60
        ):
            raise ValueError('use "HH:MM", e.g. "08:00"')
        return f"{int(hour):02d}:{int(minute):02d}"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    def unsafe_secret(self) -> str | None:
        """Why the server must not start with the built-in secret key, or None when it may.

        The key signs chat buttons and unsubscribe/click links: with the public default anyone could forge
        them, which matters as soon as real shoppers can reach the shop (a real channel or a public address).
        """
        if self.secret_key.get_secret_value() != DEFAULT_SECRET_KEY:
            return None
        exposed = [
            name
            for name, on in (
                ("CHATSHOP_TELEGRAM_TOKEN", self.telegram_token is not None),
                ("CHATSHOP_STRIPE_SECRET_KEY", self.stripe_secret_key is not None),
                ("CHATSHOP_SLACK_BOT_TOKEN", self.slack_bot_token is not None),
                ("CHATSHOP_PUBLIC_URL", bool(self.public_url) and not _loopback_url(self.public_url or "")),
                ("CHATSHOP_HTTP_HOST", not _loopback_host(self.http_host)),
            )
            if on
        ]
        if not exposed:
            return None
        return (
            f"CHATSHOP_SECRET_KEY is still the built-in development value, and {', '.join(exposed)} "
            "makes the shop reachable by real people: anyone could forge its signed buttons and links. "
            'Set CHATSHOP_SECRET_KEY to a long random value, e.g. python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"'
        )


def _loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _loopback_url(url: str) -> bool:
    return _loopback_host(urlsplit(url).hostname or "")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
