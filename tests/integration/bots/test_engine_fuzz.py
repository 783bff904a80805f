"""10,000 hostile or nonsensical inputs: no exception escapes and every one is answered."""

from __future__ import annotations

import random
import string

import pytest

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import Inbound
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
TURNS = 10_000
CHATS = 40
ALPHABET = string.printable + "红色鞋子购物车结账你好🙂\u200b\u202e\x00\ud800é"
LOCALES = [None, "en", "zh", "zh-Hans-CN", "xx", "", "../../etc", "en_US.UTF-8", "💥" * 50, "ZH_hant"]
PHRASES = [
    "red shoes", "add 3 to cart", "checkout", "cancel order #99999", "apply coupon NOPE", "talk to a human",
    "我想买红色的鞋", "show my cart", "return order 1042", "under $5 blue mugs size 42", "unsubscribe",
]  # fmt: skip


def garbage_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(ALPHABET) * rng.randint(5_000, 200_000)  # huge message
    if roll < 0.3:
        return rng.choice(PHRASES) + "".join(rng.choices(ALPHABET, k=rng.randint(0, 20)))
    return "".join(rng.choices(ALPHABET, k=rng.randint(0, 80)))


def garbage_payload(rng: random.Random, real: list[str]) -> str:
    roll = rng.random()
    if real and roll < 0.3:
        return rng.choice(real)  # a genuine button, possibly stale by now
    if real and roll < 0.6:
        chosen = rng.choice(real)
        i = rng.randrange(len(chosen))
        return chosen[:i] + rng.choice(string.ascii_letters) + chosen[i + 1 :]  # tampered
    return "".join(rng.choices(ALPHABET, k=rng.randint(0, 300)))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_ten_thousand_garbage_inputs_never_crash_and_always_get_a_reply(
    small: SmallShop, engine: ConversationEngine
) -> None:
    rng = random.Random(20261125)
    real_payloads: list[str] = []
    silent_in_handoff = 0
    for turn in range(TURNS):
        chat = str(rng.randrange(CHATS))
        kind = rng.random()
        text = payload = None
        if kind < 0.55:
            text = garbage_text(rng)
        elif kind < 0.95:
            payload = garbage_payload(rng, real_payloads)
        else:
            text, payload = garbage_text(rng), garbage_payload(rng, real_payloads)
        channel = rng.choice(["webchat", "webchat", "telegram", "cli", "carrier-pigeon"])
        inbound = Inbound(channel, chat, f"user-{chat}", rng.choice(["", "Ann", "<b>x</b>", "\x00"]), text=text,
                          payload=payload, locale=rng.choice(LOCALES))  # fmt: skip
        replies = await engine.handle(inbound)
        if not replies:
            state = await engine.store.load(f"{channel}:{chat}")
            assert state.handoff_ticket is not None, f"turn {turn}: silent outside a hand-off for {inbound!r:.300}"
            silent_in_handoff += 1
        for reply in replies:
            assert reply.as_text().strip()
            reply.to_dict()
            real_payloads.extend(b.payload for b in reply.all_buttons() if b.payload)
        real_payloads = real_payloads[-200:]
    assert silent_in_handoff < TURNS // 2
