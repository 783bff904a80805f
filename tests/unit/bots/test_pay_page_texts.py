from __future__ import annotations

from datetime import timedelta

import pytest

from bots.shopper.pay_page_texts import PaymentPageTexts
from domain.model.orders import OrderStatus


@pytest.mark.parametrize(("remaining", "en", "zh"), [
    (timedelta(seconds=20), "The payment link expires in 1 minute.", "付款链接将在 1 分钟后过期。"),
    (timedelta(minutes=1, seconds=1), "The payment link expires in 2 minutes.", "付款链接将在 2 分钟后过期。"),
    (timedelta(minutes=90), "The payment link expires in 90 minutes.", "付款链接将在 90 分钟后过期。"),
    (timedelta(hours=3, minutes=10), "The payment link expires in about 3 hours.", "付款链接约 3 小时后过期。"),
    (timedelta(0), "This payment link has expired.", "此付款链接已过期。"),
    (timedelta(minutes=-5), "This payment link has expired.", "此付款链接已过期。"),
])  # fmt: skip
def test_expiry_is_said_relative_to_now_with_the_right_plural(remaining: timedelta, en: str, zh: str) -> None:
    assert PaymentPageTexts("en").expires_in(remaining) == en
    assert PaymentPageTexts("zh").expires_in(remaining) == zh


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_every_order_state_reads_as_a_sentence_not_a_status_code(locale: str) -> None:
    texts = PaymentPageTexts(locale)
    said = {status.value: texts.order_state(status.value) for status in OrderStatus}
    assert all("_" not in text and text.strip() for text in said.values()), said
    assert said["pending_payment"] != said["paid"] != said["cancelled"] != said["refunded"]
