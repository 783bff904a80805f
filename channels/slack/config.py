"""What the Slack channel needs from the shop's settings (read from any object with these attributes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import SecretStr


class SlackSettingsLike(Protocol):
    slack_bot_token: SecretStr | None
    slack_signing_secret: SecretStr | None
    slack_app_token: SecretStr | None
    slack_api_url: str
    slack_ops_channel: str | None
    slack_support_channel: str | None
    slack_daily_report_at: str | None
    currency: str


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    api_url: str = "https://slack.com/api/"
    app_token: str | None = None
    ops_channel: str | None = None
    support_channel: str | None = None
    daily_report_at: str | None = None
    currency: str = "USD"
    # The Telegram bot's rate, which paces a campaign (the approval notice says how long sending takes).
    campaign_rate_per_second: float = 30.0

    @classmethod
    def from_settings(cls, settings: SlackSettingsLike) -> SlackConfig:
        token, secret = _secret(settings.slack_bot_token), _secret(settings.slack_signing_secret)
        if not token or not secret:
            raise ValueError("Slack needs CHATSHOP_SLACK_BOT_TOKEN and CHATSHOP_SLACK_SIGNING_SECRET")
        api_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
        return cls(
            bot_token=token,
            signing_secret=secret,
            api_url=api_url,
            app_token=_secret(settings.slack_app_token),
            ops_channel=settings.slack_ops_channel,
            support_channel=settings.slack_support_channel,
            daily_report_at=settings.slack_daily_report_at,
            currency=settings.currency,
            campaign_rate_per_second=float(getattr(settings, "telegram_rate_per_second", 30.0)),
        )
