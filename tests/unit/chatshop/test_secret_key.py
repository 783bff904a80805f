"""The built-in secret key signs buttons and links on a laptop; the server refuses it once real people can
reach the shop, and says how to make one."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from chatshop.cli import app
from chatshop.settings import Settings


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"telegram_token": SecretStr("123:abc")}, "CHATSHOP_TELEGRAM_TOKEN"),
        ({"stripe_secret_key": SecretStr("sk_live_x")}, "CHATSHOP_STRIPE_SECRET_KEY"),
        ({"slack_bot_token": SecretStr("xoxb-1")}, "CHATSHOP_SLACK_BOT_TOKEN"),
        ({"public_url": "https://shop.example"}, "CHATSHOP_PUBLIC_URL"),
        ({"http_host": "0.0.0.0"}, "CHATSHOP_HTTP_HOST"),
    ],
)
def test_the_default_secret_is_refused_when_real_people_can_reach_the_shop(
    values: dict[str, object], named: str
) -> None:
    problem = settings(**values).unsafe_secret()
    assert problem is not None and named in problem and "secrets.token_urlsafe" in problem


def test_the_default_secret_is_fine_for_a_shop_on_loopback_and_a_real_secret_anywhere() -> None:
    assert settings().unsafe_secret() is None
    assert settings(public_url="http://localhost:8080", http_host="::1").unsafe_secret() is None
    chosen = SecretStr("k" * 48)
    assert settings(secret_key=chosen, telegram_token=SecretStr("1:a"), http_host="0.0.0.0").unsafe_secret() is None


def test_chatshop_run_refuses_to_start_with_the_default_secret_and_a_telegram_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATSHOP_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.delenv("CHATSHOP_SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "CHATSHOP_SECRET_KEY" in result.output and "CHATSHOP_TELEGRAM_TOKEN" in result.output
