"""A blank variable — a line like ``CHATSHOP_DB_POOL_SIZE=`` left in an .env copied from a template — means
"not set": the default applies instead of the start failing on ``""`` or binding every interface."""

from __future__ import annotations

import pytest

from admin_api.console.settings import ConsoleSettings
from channels.webchat.settings import WebchatSettings
from chatshop.settings import Settings


def test_blank_shop_variables_take_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_POOL_SIZE", "HTTP_HOST", "TELEGRAM_TOKEN", "REDIS_URL", "CURRENCY"):
        monkeypatch.setenv(f"CHATSHOP_{name}", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.db_pool_size == 10
    assert settings.http_host == "127.0.0.1"
    assert settings.telegram_token is None and settings.redis_url is None
    assert settings.currency == "USD"


def test_blank_console_and_web_chat_variables_take_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSHOP_CONSOLE_PAGE_SIZE", "")
    monkeypatch.setenv("CHATSHOP_WEBCHAT_ALLOWED_ORIGINS", "")
    assert ConsoleSettings(_env_file=None).page_size == 50  # type: ignore[call-arg]
    assert WebchatSettings(_env_file=None).allowed_origins == ""  # type: ignore[call-arg]
