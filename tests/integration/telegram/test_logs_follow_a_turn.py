"""JSON logs of a whole Telegram purchase at DEBUG: one turn id leads from the HTTP entry to the Telegram call
it produced (also through the outbox), and no secret appears anywhere in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from channels.telegram.webhook import PATH, SECRET_HEADER
from chatshop.logging_setup import configure_logging
from tests.integration.telegram.conftest import SECRET, Bot, find, messages
from tests.integration.telegram.test_purchase import ADDRESS, order_id_of
from tests.support.fake_telegram import TOKEN, Call, Updates

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# Secrets the shop holds in this test (the Stripe and Slack ones are set so that a leak would show).
STRIPE_KEY = "sk_test_51FakeStripeKeyForLogs0123456789"
SLACK_TOKEN = "xoxb-1111-2222-FakeSlackTokenForLogs"
SLACK_SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
SHOP_SECRET = "test-secret"  # the conftest's secret key (signs the buttons)
SECRETS = (TOKEN, SECRET, "PROVIDER-TOKEN", SHOP_SECRET, STRIPE_KEY, SLACK_TOKEN, SLACK_SIGNING)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("json", "DEBUG", SECRETS, stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object


async def send_as(bot: Bot, update: dict[str, Any], turn: str) -> list[Call]:
    before = len(bot.fake.calls)
    response = await bot.client.post(PATH, json=update, headers={SECRET_HEADER: SECRET, "X-Request-ID": turn})
    assert response.status == 200 and response.headers["X-Request-ID"] == turn
    return bot.fake.calls[before:]


async def test_one_turn_id_follows_a_purchase_from_the_webhook_and_the_pay_page_to_the_telegram_calls(
    bot: Bot, ann: Updates, log_lines: io.StringIO
) -> None:
    await send_as(bot, ann.text("/start"), "turn-start")
    sent = messages(await send_as(bot, ann.text("show me red shoes"), "turn-search"))
    sent = messages(await send_as(bot, ann.press(find(sent, "Add to cart")[1]["callback_data"]), "turn-add"))
    sent = messages(await send_as(bot, ann.text("/cart"), "turn-cart"))
    sent = messages(await send_as(bot, ann.press(find(sent, "Check out")[1]["callback_data"]), "turn-checkout"))
    for index, answer in enumerate(ADDRESS):
        sent = messages(await send_as(bot, ann.text(answer), f"turn-address-{index}"))
    sent = messages(await send_as(bot, ann.press(find(sent, "Standard")[1]["callback_data"]), "turn-ship"))
    sent = messages(await send_as(bot, ann.press(find(sent, "Place order")[1]["callback_data"]), "turn-place"))
    link, _ = find(sent, "Pay in Telegram")
    order_id = order_id_of(link)
    url = link.button("Pay ")["url"].split("8080", 1)[1]
    page = await bot.client.post(url, data={"outcome": "paid"}, headers={"X-Request-ID": "turn-pay-page"})
    assert page.status == 200 and page.headers["X-Request-ID"] == "turn-pay-page"
    await bot.shop.outbox.drain()  # as the worker does, in a context of its own
    await bot.shop.outbox.drain()

    logged = records(log_lines)
    by_turn: dict[str, list[dict[str, Any]]] = {}
    for record in logged:
        by_turn.setdefault(str(record.get("turn_id")), []).append(record)
    # The shopper's search: the reply's Telegram call carries the id of the webhook request.
    search = [r["event"] for r in by_turn["turn-search"]]
    assert any(e.startswith("Telegram SendPhoto to chat 5001") or e.startswith("Telegram SendMessage to chat 5001")
               for e in search), search  # fmt: skip
    # The payment on the pay page: the outbox delivers OrderPaid under the page's id, and the notice sent to
    # Telegram carries it; a grep for the id finds the entry, the delivery and the call.
    paid = [r["event"] for r in by_turn["turn-pay-page"]]
    assert any(e.startswith("delivering outbox event OrderPaid") for e in paid), paid
    assert any(e.startswith("Telegram SendMessage to chat 5001") for e in paid), paid
    notice = [c for c in bot.fake.messages_to(5001) if f"Payment received for order #{order_id}" in c.text]
    assert len(notice) == 1
    assert all({"timestamp", "level", "logger", "event"} <= set(r) for r in logged)

    text = log_lines.getvalue()
    assert len(text) > 10_000  # DEBUG of a whole purchase: aiosqlite, aiogram, the outbox, the engine
    for secret in SECRETS:
        assert secret not in text, f"{secret[:6]}… appeared in the logs"
