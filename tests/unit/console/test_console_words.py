"""Order states, channels, timeline events, the domain's refusals and the words the new pages show through a
variable (``_(done)``, ``_(status)``) all have their Chinese."""

from __future__ import annotations

import re

from admin_api.console.i18n import ZH
from admin_api.console.words import (
    CHANNEL_WORDS,
    DONE_WORDS,
    EVENT_WORDS,
    FINANCIAL_WORDS,
    REFUSAL_WORDS,
    STATE_WORDS,
    refusal_text,
)
from domain.errors import IllegalTransition, OutOfStock, ValidationFailed
from domain.model.customers import Channel, ConsentPurpose
from domain.model.inventory import MovementKind
from domain.model.orders import OrderStatus
from domain.model.support import TicketStatus
from domain.saved_views import BUILT_IN


def test_every_state_channel_event_and_refusal_has_chinese() -> None:
    assert {s.value for s in OrderStatus} <= set(STATE_WORDS)
    assert {ch.value for ch in Channel} <= set(CHANNEL_WORDS)
    words = [
        *STATE_WORDS.values(),
        *FINANCIAL_WORDS.values(),
        *CHANNEL_WORDS.values(),
        *EVENT_WORDS.values(),
        *REFUSAL_WORDS.values(),
    ]
    words += [*DONE_WORDS.values(), *(v.name for v in BUILT_IN), "adjusted", "transferred", "saved", "sent", "noted"]
    words += [k.value for k in MovementKind] + [p.value for p in ConsentPurpose] + [t.value for t in TicketStatus]
    words += [f"{s} tickets" for s in ("open", "closed", "all")]
    assert sorted(set(words) - set(ZH)) == []


def test_event_sentences_keep_their_placeholders_in_chinese() -> None:
    for english in EVENT_WORDS.values():
        assert sorted(re.findall(r"%\(\w+\)s", english)) == sorted(re.findall(r"%\(\w+\)s", ZH[english])), english


def test_a_refusal_is_the_domains_sentence_in_english_and_ours_with_it_in_chinese() -> None:
    moved = IllegalTransition("#7", "paid", "packed")
    assert refusal_text(moved, "en") == "Order #7 is paid and can't become packed."
    assert (
        refusal_text(moved, "zh")
        == "订单当前为“已付款”，不能变为“已打包”。（Order #7 is paid and can't become packed.）"
    )
    assert refusal_text(OutOfStock("MUG", 3, 1), "zh").startswith("库存不足。（")
    assert refusal_text(ValidationFailed("Nope."), "zh") == "输入未被接受。（Nope.）"
