"""A refund the payment provider refused is posted in the ops channel with a Retry button, on a shop that takes
cards through Stripe (the fake Stripe on loopback says no when told to)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.service_layer.handlers.payments import PaymentLink
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, SlackShop
from tests.integration.slack.test_approvals import _buttons, _texts
from tests.integration.slack.test_refund_notices import _posted, _refund_from_slack, _refunds
from tests.support.clock import FakeClock
from tests.support.fake_stripe import API_KEY, FakeStripe
from tests.support.shopdata import SmallShop


@pytest.fixture
async def fake_stripe(clock: FakeClock) -> AsyncIterator[FakeStripe]:
    fake = FakeStripe(clock=clock)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def shop(database_url: str, clock: FakeClock, fake_stripe: FakeStripe) -> AsyncIterator[Shop]:
    """The shop as ``chatshop run`` builds it with a Stripe key (pointing at the fake)."""
    settings = Settings(
        database_url=database_url,
        stripe_secret_key=SecretStr(API_KEY),
        stripe_api_url=fake_stripe.url,
        reservation_minutes=15,
        _env_file=None,  # type: ignore[call-arg]
    )
    built = build_shop(settings, clock=clock)
    yield built
    await built.close()


async def _paid_with_stripe(small: SmallShop, fake: FakeStripe) -> int:
    order_id = await small.checkout(await small.customer(), quantity=1)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    assert isinstance(link, PaymentLink)
    session_id = link.url.rsplit("/", 1)[1]
    session = fake.pay(session_id)["data"]["object"]
    await small.shop.bus.handle(
        c.ConfirmPayment("stripe", session_id, session["amount_total"], session["currency"], session["payment_intent"])
    )
    return order_id


async def test_a_refused_refund_is_posted_with_a_retry_button_that_refunds_and_updates_it(
    slack: SlackShop, fake_stripe: FakeStripe
) -> None:
    order_id = await _paid_with_stripe(slack.small, fake_stripe)
    fake_stripe.fail_next = [402]  # Stripe says no to the first refund
    told = await _refund_from_slack(slack, order_id, "12.50", "late delivery")
    assert told == (
        f"Refund of 12.50 USD on order #{order_id}: refused by the payment provider; the reason and a Retry "
        "button are in the ops channel."
    )
    await slack.shop.outbox.drain()
    await slack.shop.outbox.drain()
    [notice] = _posted(slack, "refund_failed")
    text = _texts(notice["blocks"])
    assert f"*Refund failed* for order #{order_id}: *12.50 USD* via stripe" in text
    assert "*Reason:* Something went wrong on Stripe's end." in text
    [(action, refund_id)] = _buttons(notice["blocks"])
    assert action == "refund_retry"
    assert await _refunds(slack, order_id) == [(1250, "failed")]

    await slack.send.click("refund_retry", refund_id, APPROVER, OPS, notice["ts"])
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == notice["ts"])
    after = _texts(update.args["blocks"])
    assert f"Retried by <@{APPROVER}> at 2026-11-02 12:00 UTC: refunded." in after
    assert "*Reason:* Something went wrong on Stripe's end." in after
    assert _buttons(update.args["blocks"]) == []
    assert await _refunds(slack, order_id) == [(1250, "failed"), (1250, "succeeded")]
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [1250]
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.refunded == 1250
    await slack.shop.outbox.drain()
    assert len(_posted(slack, "refund_failed")) == 1  # nothing new to tell


async def test_a_retry_refused_again_says_so_and_the_new_refusal_is_posted(
    slack: SlackShop, fake_stripe: FakeStripe
) -> None:
    order_id = await _paid_with_stripe(slack.small, fake_stripe)
    fake_stripe.fail_next = [402]
    await _refund_from_slack(slack, order_id, "12.50", "late delivery")
    await slack.shop.outbox.drain()
    [first] = _posted(slack, "refund_failed")
    [(_, refund_id)] = _buttons(first["blocks"])
    fake_stripe.fail_next = [402]
    await slack.send.click("refund_retry", refund_id, APPROVER, OPS, first["ts"])
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == first["ts"])
    assert "refused again; the new refusal is posted with its reason" in _texts(update.args["blocks"])
    await slack.shop.outbox.drain()
    [_, second] = _posted(slack, "refund_failed")
    [(_, again_id)] = _buttons(second["blocks"])
    assert int(again_id) != int(refund_id)
    assert await _refunds(slack, order_id) == [(1250, "failed"), (1250, "failed")]


async def test_a_viewer_may_not_retry_a_refund(slack: SlackShop, fake_stripe: FakeStripe) -> None:
    order_id = await _paid_with_stripe(slack.small, fake_stripe)
    fake_stripe.fail_next = [402]
    await _refund_from_slack(slack, order_id, "12.50", "late delivery")
    await slack.shop.outbox.drain()
    [notice] = _posted(slack, "refund_failed")
    [(_, refund_id)] = _buttons(notice["blocks"])
    await slack.send.click("refund_retry", refund_id, OPERATOR, OPS, notice["ts"])
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert refusal.args["text"] == "An operator may not refund payments; it takes an approver."
    assert await _refunds(slack, order_id) == [(1250, "failed")]
    assert slack.fake.called("chat.update") == []
