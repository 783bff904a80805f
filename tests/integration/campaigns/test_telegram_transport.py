"""What the Telegram campaign transport sends, and what it makes of each answer the Bot API can give."""

from __future__ import annotations

import socket

import pytest

from bots.campaigns.transport import Message
from bots.conversation.payloads import PayloadCodec
from channels.telegram.campaign_transport import TelegramCampaignTransport
from tests.support.fake_telegram import TOKEN, FakeTelegram, Limits

SECRET = "secret"


def message(chat: str = "42", **kw: object) -> Message:
    fields: dict[str, object] = {"locale": "en", "text": "Spring sale", "skus": ("SHOE-RED-42",)} | kw
    return Message(7, 1, 99, "telegram", chat, **fields)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> FakeTelegram:
    async with FakeTelegram() as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def transport(fake: FakeTelegram) -> TelegramCampaignTransport:
    sender = TelegramCampaignTransport(fake.url, TOKEN, PayloadCodec(SECRET), timeout_seconds=0.5)
    yield sender  # type: ignore[misc]
    await sender.aclose()


async def test_a_message_goes_out_as_json_with_its_code_product_buttons_and_unsubscribe(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    outcome = await transport.send(message(coupon="SPRING20"))
    assert outcome.kind == "sent"
    [call] = fake.sent("sendMessage", 42)
    assert call.text == "Spring sale\n\nCode: SPRING20"
    assert [b["text"] for b in call.buttons()] == ["View SHOE-RED-42", "Unsubscribe"]
    codec = PayloadCodec(SECRET)
    assert codec.decode("telegram:42", call.button("Unsubscribe")["callback_data"]).args == ("7",)


async def test_a_message_with_an_image_is_a_photo_with_a_caption_cut_to_telegrams_limit(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    outcome = await transport.send(message(text="x" * 2000, image_url="https://shop.test/spring.png", locale="zh"))
    assert outcome.kind == "sent"
    [call] = fake.sent("sendPhoto", 42)
    assert call.params["photo"] == "https://shop.test/spring.png"
    assert len(call.params["caption"]) == 1024
    assert [b["text"] for b in call.buttons()] == ["查看 SHOE-RED-42", "退订"]


async def test_formatting_goes_out_as_telegram_html_and_nothing_typed_becomes_markup(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    text = (
        "Spring **sale** on <b>everything</b>: _20%_ off [shoes](https://shop.test/s?a=1&b=2), [x](javascript:alert(1))"
    )
    outcome = await transport.send(message(text=text))
    assert outcome.kind == "sent"  # the fake parses the entities as Telegram does, and accepted them
    [call] = fake.sent("sendMessage", 42)
    assert call.params["parse_mode"] == "HTML"
    assert call.params["text"] == (
        "Spring <b>sale</b> on &lt;b&gt;everything&lt;/b&gt;: <i>20%</i> off "
        '<a href="https://shop.test/s?a=1&amp;b=2">shoes</a>, [x](javascript:alert(1))'
    )


async def test_a_long_formatted_caption_is_cut_to_1024_visible_characters_keeping_the_code(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    long = "**" + "big " * 400 + "end**"
    outcome = await transport.send(message(text=long, image_url="https://shop.test/a.png", coupon="SPRING20"))
    assert outcome.kind == "sent", outcome.error  # more than 1024 visible characters would be refused
    [call] = fake.sent("sendPhoto", 42)
    assert call.params["caption"].startswith("<b>big big") and call.params["caption"].endswith("Code: SPRING20")


async def test_a_429_asks_to_retry_after_telegrams_delay(fake: FakeTelegram) -> None:
    fake.limits = Limits(per_second=1, retry_after=3)
    transport = TelegramCampaignTransport(fake.url, TOKEN, PayloadCodec(SECRET))
    try:
        assert (await transport.send(message("1"))).kind == "sent"
        refused = await transport.send(message("2"))
    finally:
        await transport.aclose()
    assert (refused.kind, refused.retry_after) == ("retry", 3.0)


async def test_a_blocked_bot_or_an_unknown_chat_means_the_customer_cannot_be_reached(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    fake.blocked.add(42)
    fake.unknown_chats.add(43)
    blocked, unknown = await transport.send(message("42")), await transport.send(message("43"))
    assert (blocked.kind, unknown.kind) == ("blocked", "blocked")
    assert "blocked by the user" in (blocked.error or "") and "chat not found" in (unknown.error or "")


async def test_a_server_error_or_a_timeout_is_final_because_the_message_may_have_gone_out(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    fake.fail_next.append(502)
    fake.delay_next.extend([0.0, 2.0])  # the first call (the 502) answers at once, the second too late
    server_error, timed_out = await transport.send(message("1")), await transport.send(message("2"))
    assert (server_error.kind, timed_out.kind) == ("failed", "failed")
    assert "502" in (server_error.error or "") and "may have been delivered" in (timed_out.error or "")
    assert len(fake.calls) == 2  # neither was sent again


async def test_when_telegram_cannot_be_reached_sending_pauses_longer_each_time_and_resumes_after(
    fake: FakeTelegram,
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but never listening: every connection is refused
        down = f"http://127.0.0.1:{closed.getsockname()[1]}/bot{TOKEN}/"
        transport = TelegramCampaignTransport(fake.url, TOKEN, PayloadCodec(SECRET))
        try:
            transport.base = down
            outcomes = [await transport.send(message()) for _ in range(8)]
            transport.base = f"{fake.url}/bot{TOKEN}/"  # Telegram answers again
            back = await transport.send(message())
            transport.base = down
            again = await transport.send(message())
        finally:
            await transport.aclose()
    assert {o.kind for o in outcomes} == {"retry"}
    assert [o.retry_after for o in outcomes] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert back.kind == "sent" and len(fake.sent("sendMessage")) == 1
    assert (again.kind, again.retry_after) == ("retry", 1.0)  # the back-off started over


async def test_a_chat_id_that_is_not_a_number_fails_without_a_call(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    outcome = await transport.send(message("@someone"))
    assert outcome.kind == "failed" and fake.calls == []


async def test_a_cart_reminder_has_a_check_out_button_before_unsubscribe(
    fake: FakeTelegram, transport: TelegramCampaignTransport
) -> None:
    assert (await transport.send(message(checkout=True))).kind == "sent"
    [call] = fake.sent("sendMessage", 42)
    assert [b["text"] for b in call.buttons()] == ["View SHOE-RED-42", "Check out", "Unsubscribe"]
    payload = PayloadCodec(SECRET).decode("telegram:42", call.button("Check out")["callback_data"])
    assert (payload.action, payload.args) == ("mco", ("7",))
