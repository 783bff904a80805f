"""Log lines: JSON or readable, each with its turn id, and never a secret or a card number."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from chatshop.logging_setup import configure_logging, settings_secrets
from chatshop.settings import Settings
from domain.observability import bound_turn

BOT_TOKEN = "123456:AAE-fake-token-for-unit-tests_0123456789"
SLACK_TOKEN = "xoxb-1111-2222-FakeSlackTokenForLogs"
STRIPE_KEY = "sk_test_51FakeStripeKeyForLogs0123456789"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root, level = logging.getLogger(), logging.getLogger().level
    handler = configure_logging("json", "DEBUG", [BOT_TOKEN, SIGNING], stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_secret_in_a_message_an_argument_or_a_traceback_is_redacted(json_log: io.StringIO) -> None:
    log = logging.getLogger("chatshop.test")
    log.warning("calling https://api.telegram.org/bot%s/sendMessage", BOT_TOKEN)
    log.info("header %s and key %s", SLACK_TOKEN, STRIPE_KEY)  # not configured: caught by their shape
    log.info("an unlisted key sk_live_%s and a card 4242 4242 4242 4242", "Z" * 24)
    try:
        raise RuntimeError(f"signing secret {SIGNING} refused")
    except RuntimeError:
        log.exception("failed")
    text = json_log.getvalue()
    for secret in (BOT_TOKEN, SLACK_TOKEN, STRIPE_KEY, SIGNING, "sk_live_" + "Z" * 24, "4242 4242 4242 4242"):
        assert secret not in text
    assert text.count("[redacted]") == 5 and "[card]" in text
    assert all(json.loads(line) for line in text.splitlines())


def test_numbers_that_are_not_cards_stay(json_log: io.StringIO) -> None:
    group, session = "-1001234567890", "cs_test_a4242424242424242"  # a supergroup; card digits inside an id
    logging.getLogger("chatshop.test").info(
        "order 12345678901234 for 8000 cents, tracking 1Z999AA10123456784, chat %s, session %s", group, session
    )
    text = json_log.getvalue()
    for kept in ("12345678901234", "1Z999AA10123456784", group, session):
        assert kept in text


def test_json_lines_carry_the_bound_turn_id_and_none_outside_a_turn(json_log: io.StringIO) -> None:
    log = logging.getLogger("chatshop.test")
    with bound_turn("abc123"):
        log.info("inside")
    log.info("outside")
    inside, outside = (json.loads(line) for line in json_log.getvalue().splitlines())
    assert inside["turn_id"] == "abc123" and inside["event"] == "inside" and inside["level"] == "info"
    assert inside["logger"] == "chatshop.test" and inside["timestamp"].endswith("Z")
    assert "turn_id" not in outside


def test_a_turn_id_from_outside_is_used_only_when_it_is_a_plain_token() -> None:
    with bound_turn("proxy-id.42") as kept:
        assert kept == "proxy-id.42"
    with bound_turn("evil\nINFO forged line") as replaced:
        assert "\n" not in replaced and replaced != "evil\nINFO forged line"


def test_console_lines_are_readable_with_the_turn_first() -> None:
    stream = io.StringIO()
    root, level = logging.getLogger(), logging.getLogger().level
    handler = configure_logging("console", "INFO", [], stream)
    try:
        with bound_turn("t42"):
            logging.getLogger("chatshop.test").info("hello %s", "there")
        logging.getLogger("chatshop.test").debug("not at INFO")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    text = stream.getvalue()
    assert "[t42] hello there" in text and "chatshop.test" in text and "not at INFO" not in text
    assert not text.lstrip().startswith("{")


def test_every_secret_setting_is_collected_for_redaction() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING),
        stripe_secret_key=SecretStr(STRIPE_KEY),
        metrics_token=SecretStr("metrics-token-123"),
    )
    found = settings_secrets(settings)
    for value in (BOT_TOKEN, SIGNING, STRIPE_KEY, "metrics-token-123", settings.secret_key.get_secret_value()):
        assert value in found
