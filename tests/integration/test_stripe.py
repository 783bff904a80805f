"""Stripe Checkout and its webhooks, against a fake Stripe on loopback, on SQLite and PostgreSQL.

The shop here is built from settings with a Stripe secret key pointing at the fake, so the provider, the
reservation floor and the webhook mount are the ones ``chatshop run`` would use. Webhooks travel over real
HTTP on loopback (aiohttp AppRunner + aiohttp client), signed by the fake the way Stripe signs them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stripe
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import func, select

from chatshop.app import channel_mounts, stripe_webhook_mount
from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from chatshop.web import create_app
from domain import commands as c
from domain.adapters import orm
from domain.adapters.payments.stripe import MIN_RESERVATION_MINUTES, StripePaymentProvider, checkout_line_items
from domain.errors import PaymentFailed, RefundTooLarge
from domain.model.staff import Actor, Role
from domain.ports import PaymentLineItem, PaymentSession, PaymentSessionRequest, RefundRequest
from domain.service_layer.handlers.payments import PaymentLink, process_refund, retry_pending_refunds
from tests.support.clock import FakeClock
from tests.support.fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripe
from tests.support.shopdata import SmallShop

APPROVER = Actor.staff("abe", Role.APPROVER)  # refunds take an approver


@pytest.fixture
async def fake_stripe(clock: FakeClock) -> AsyncIterator[FakeStripe]:
    fake = FakeStripe(clock=clock)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def shop(database_url: str, clock: FakeClock, fake_stripe: FakeStripe) -> AsyncIterator[Shop]:
    """Overrides the conftest shop: same databases, Stripe configured as ``chatshop run`` would see it."""
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


@dataclass
class Hooks:
    """The shop's HTTP server on loopback, and a client that posts Stripe's webhooks to it."""

    fake: FakeStripe
    http: aiohttp.ClientSession
    url: str

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        async with self.http.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.json()

    async def deliver(self, event: dict[str, Any], **signing: Any) -> tuple[int, dict[str, Any]]:
        return await self.post(*self.fake.signed(event, **signing))


@pytest.fixture
async def hooks(shop: Shop, fake_stripe: FakeStripe, tmp_path: Path) -> AsyncIterator[Hooks]:
    app = create_app(shop, [stripe_webhook_mount(WEBHOOK_SECRET)], media_dir=tmp_path / "media")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as http:
        yield Hooks(fake_stripe, http, f"http://127.0.0.1:{port}/webhooks/stripe")
    await runner.cleanup()


async def start(small: SmallShop, quantity: int = 1) -> tuple[int, PaymentLink, str]:
    """Check out one customer's shoes and open Stripe Checkout: (order id, link, Stripe session id)."""
    order_id = await small.checkout(await small.customer(), quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    assert isinstance(link, PaymentLink)
    return order_id, link, link.url.rsplit("/", 1)[1]


async def status_of(small: SmallShop, order_id: int) -> tuple[str, int, int]:
    order = await small.shop.views.order(order_id)
    assert order is not None
    return order.status, order.captured, order.refunded


async def available(small: SmallShop, sku: str = "SHOE-RED-42") -> int:
    view = await small.shop.views.stock(sku)
    assert view is not None
    return view.available


async def refunds_of(small: SmallShop, order_id: int) -> list[tuple[int, str, str | None]]:
    t = orm.refunds.c
    async with small.shop.sessions() as session:
        rows = await session.execute(
            select(t.amount, t.status, t.provider_refund_id).where(t.order_id == order_id).order_by(t.id)
        )
        return [(r.amount, str(r.status), r.provider_refund_id) for r in rows]


# --- creating sessions ---------------------------------------------------------------------------------
async def test_checkout_opens_a_stripe_session_in_minor_units_with_expiry_and_order_metadata(
    small: SmallShop, fake_stripe: FakeStripe
) -> None:
    order_id, link, session_id = await start(small)
    order = await small.shop.views.order(order_id)
    assert order is not None and order.total == 8500  # 80.00 shoes + 5.00 standard shipping
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    form = dict(call.raw)
    assert call.headers["Authorization"] == f"Bearer {API_KEY}"
    assert call.headers["Idempotency-Key"] == f"order-{order_id}-session"
    assert form["line_items[0][price_data][unit_amount]"] == "8000"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][price_data][product_data][name]"] == "Stride Running Shoes (red / 42)"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[1][price_data][unit_amount]"] == "500"  # shipping, so Stripe's total is ours
    assert form["metadata[order_id]"] == form["client_reference_id"] == str(order_id)
    assert form["payment_intent_data[metadata][order_id]"] == str(order_id)
    assert form["success_url"].endswith(f"/orders/{order_id}/paid")
    assert form["cancel_url"].endswith(f"/orders/{order_id}/cancelled")
    # Stripe is on, so the 15-minute setting is raised to the floor and the link expires with the hold.
    assert order.reservation_expires_at == small.shop.clock.now() + timedelta(minutes=MIN_RESERVATION_MINUTES)
    assert int(form["expires_at"]) == int(order.reservation_expires_at.timestamp())
    assert link.expires_at == order.reservation_expires_at
    assert fake_stripe.sessions[session_id]["amount_total"] == 8500
    assert link.url == fake_stripe.sessions[session_id]["url"] and link.provider == "stripe"


async def test_a_retried_start_payment_makes_one_stripe_session(
    small: SmallShop, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = await small.checkout(await small.customer())
    provider = small.shop.payments
    assert isinstance(provider, StripePaymentProvider)
    real = provider.create_session
    lost: list[PaymentSession] = []

    async def answer_lost_once(request: PaymentSessionRequest) -> PaymentSession:
        session = await real(request)
        if not lost:  # Stripe made the session, but the answer never reached us
            lost.append(session)
            raise ConnectionResetError("connection reset by peer")
        return session

    monkeypatch.setattr(provider, "create_session", answer_lost_once)
    with pytest.raises(ConnectionResetError):
        await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    again = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))  # now recorded: no call at all
    assert len(fake_stripe.sessions) == 1
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 2
    assert link.url == again.url == lost[0].url


async def test_a_session_started_late_outlives_the_short_reservation_and_the_hold_follows_it(
    small: SmallShop, fake_stripe: FakeStripe, clock: FakeClock
) -> None:
    order_id = await small.checkout(await small.customer())
    clock.advance(minutes=10)  # only 25 minutes of the hold are left; Stripe wants at least 30
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None and order.reservation_expires_at is not None
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert int(dict(call.raw)["expires_at"]) == int(link.expires_at.timestamp())
    assert timedelta(minutes=31) <= link.expires_at - clock.now() <= timedelta(minutes=32)
    assert link.expires_at == order.reservation_expires_at  # the hold now lasts as long as the Stripe page
    assert call.headers["Idempotency-Key"] == f"order-{order_id}-session-until-{int(link.expires_at.timestamp())}"


async def test_a_payment_on_a_late_started_stripe_page_still_gets_its_stock(
    small: SmallShop, hooks: Hooks, clock: FakeClock
) -> None:
    order_id = await small.checkout(await small.customer())
    clock.advance(minutes=10)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    clock.advance(minutes=26)  # past the original 35-minute hold, inside the Stripe page's 31 minutes
    assert await small.shop.bus.handle(c.ExpireReservations()) == 0
    assert await available(small) == 7
    await hooks.deliver(hooks.fake.pay(session_id))
    assert await status_of(small, order_id) == ("paid", 8500, 0)
    clock.advance(minutes=10)
    assert await small.shop.bus.handle(c.ExpireReservations()) == 0  # paid orders never expire


def test_line_items_always_add_up_to_the_order_total() -> None:
    def request(amount: int) -> PaymentSessionRequest:
        lines = (PaymentLineItem("Shoes", 2, 8000), PaymentLineItem("Mug", 1, 1200))
        at = datetime(2026, 1, 1, tzinfo=UTC)
        return PaymentSessionRequest(7, amount, "EUR", lines, at, "k", "https://s", "https://c")

    def total(items: list[dict[str, Any]]) -> int:
        return sum(i["price_data"]["unit_amount"] * i["quantity"] for i in items)

    exact = checkout_line_items(request(17200))
    assert len(exact) == 2 and total(exact) == 17200 and exact[0]["price_data"]["currency"] == "eur"
    with_shipping = checkout_line_items(request(17700))
    assert (
        total(with_shipping) == 17700 and with_shipping[-1]["price_data"]["product_data"]["name"] == "Shipping and tax"
    )
    discounted = checkout_line_items(request(15480))  # Stripe has no negative lines: one line, items described
    assert total(discounted) == 15480 and len(discounted) == 1
    assert "2 × Shoes, 1 × Mug" in discounted[0]["price_data"]["product_data"]["description"]


async def test_a_wrong_api_key_is_refused_by_stripe_and_the_shopper_told_to_try_later(
    small: SmallShop, fake_stripe: FakeStripe, clock: FakeClock
) -> None:
    order_id = await small.checkout(await small.customer())
    wrong = StripePaymentProvider("sk_test_wrong", clock, fake_stripe.url)
    small.shop.bus.ctx.payments = wrong
    try:
        with pytest.raises(PaymentFailed, match="not available right now"):
            await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    finally:
        await wrong.aclose()
    assert fake_stripe.calls("POST", "/v1/checkout/sessions")[0].status == 401
    assert fake_stripe.sessions == {}
    assert (await status_of(small, order_id))[0] == "pending_payment"


# --- webhooks ------------------------------------------------------------------------------------------
async def test_a_signed_checkout_completed_marks_the_order_paid(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, session_id = await start(small)
    status, body = await hooks.deliver(hooks.fake.pay(session_id))
    assert (status, body["outcome"]) == (200, "paid")
    assert await status_of(small, order_id) == ("paid", 8500, 0)


async def test_bad_missing_or_stale_signatures_are_refused_and_change_nothing(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, session_id = await start(small)
    event = hooks.fake.pay(session_id)
    body, headers = hooks.fake.signed(event)
    forged_body, forged_headers = hooks.fake.signed(event, secret="whsec_someone_else")
    _, stale_headers = hooks.fake.signed(event, at=int(time.time()) - 301)
    attempts = [
        (body, {"Content-Type": "application/json"}),  # no Stripe-Signature at all
        (forged_body, forged_headers),  # signed with another secret
        (body.replace(b'"amount_total": 8500', b'"amount_total": 1'), headers),  # tampered after signing
        (body, stale_headers),  # a valid signature, replayed after the five-minute tolerance
        (b"not json", {"Stripe-Signature": "t=1,v1=00"}),
    ]
    for attempt_body, attempt_headers in attempts:
        status, _ = await hooks.post(attempt_body, attempt_headers)
        assert status == 400
    assert await status_of(small, order_id) == ("pending_payment", 0, 0)
    assert await available(small) == 7
    status, _ = await hooks.post(body, headers)  # the genuine one still works: nothing was claimed
    assert status == 200 and (await status_of(small, order_id))[0] == "paid"


async def test_a_replayed_event_id_is_acknowledged_and_applied_once(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, session_id = await start(small)
    declined = hooks.fake.decline(session_id)
    first = await hooks.deliver(declined)
    replay = await hooks.deliver(declined)  # Stripe retries with the same event id (new signature)
    assert first == (200, {"received": True, "outcome": "pending_payment"})
    assert replay == (200, {"received": True, "outcome": "duplicate"})
    t = orm.analytics_events.c
    async with small.shop.sessions() as session:
        noted = (
            await session.execute(
                select(func.count()).where(t.name == "payment_attempt_failed", t.order_id == order_id)
            )
        ).scalar_one()
    assert noted == 1


async def test_a_declined_card_keeps_the_order_and_its_stock_until_the_session_ends(
    small: SmallShop, hooks: Hooks
) -> None:
    order_id, _, session_id = await start(small)
    status, _ = await hooks.deliver(hooks.fake.decline(session_id, "Your card was declined."))
    assert status == 200
    assert await status_of(small, order_id) == ("pending_payment", 0, 0)
    assert await available(small) == 7  # still held: the shopper can try another card on the same page
    p = orm.payments.c
    async with small.shop.sessions() as session:
        row = (await session.execute(select(p.status, p.failure_reason).where(p.session_id == session_id))).one()
    assert (str(row.status), row.failure_reason) == ("pending", "Your card was declined.")
    await hooks.deliver(hooks.fake.pay(session_id))  # the second card works
    assert await status_of(small, order_id) == ("paid", 8500, 0)


async def test_an_expired_session_cancels_the_order_and_releases_the_stock(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, session_id = await start(small)
    assert await available(small) == 7
    status, body = await hooks.deliver(hooks.fake.expire(session_id))
    assert (status, body["outcome"]) == (200, "cancelled")
    assert (await status_of(small, order_id))[0] == "cancelled"
    assert await available(small) == 8
    async with small.shop.sessions() as session:
        kinds = set((await session.execute(select(orm.outbox.c.name))).scalars())
    assert "ReservationExpired" in kinds  # the chat channels tell the shopper from the outbox


async def test_expired_after_completed_leaves_the_order_paid(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, session_id = await start(small)
    completed = hooks.fake.pay(session_id)
    expired = hooks.fake.event("checkout.session.expired", hooks.fake.sessions[session_id] | {"status": "expired"})
    await hooks.deliver(completed)
    status, _ = await hooks.deliver(expired)
    assert status == 200
    assert await status_of(small, order_id) == ("paid", 8500, 0)
    assert await available(small) == 7


async def test_completed_after_expired_refunds_the_late_payment_in_full(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, session_id = await start(small)
    expired = hooks.fake.event("checkout.session.expired", hooks.fake.sessions[session_id] | {"status": "expired"})
    completed = hooks.fake.pay(session_id)  # Stripe delivers them out of order
    await hooks.deliver(expired)
    status, _ = await hooks.deliver(completed)
    assert status == 200
    await small.shop.outbox.drain()  # the automatic refund is asked for right after the commit
    assert await status_of(small, order_id) == ("refunded", 8500, 8500)
    [stripe_refund] = hooks.fake.refunds.values()
    assert stripe_refund["amount"] == 8500
    assert await refunds_of(small, order_id) == [(8500, "succeeded", stripe_refund["id"])]
    assert await available(small) == 8  # the stock went back when the link expired, and stays back


async def test_an_event_about_someone_elses_session_is_acknowledged_and_ignored(small: SmallShop, hooks: Hooks) -> None:
    order_id, _, _ = await start(small)
    foreign = hooks.fake.event(
        "checkout.session.completed",
        {"id": "cs_test_other_app", "object": "checkout.session", "payment_status": "paid", "amount_total": 1,
         "currency": "usd", "payment_intent": "pi_other"},
    )  # fmt: skip
    assert await hooks.deliver(foreign) == (200, {"received": True, "outcome": "not ours"})
    assert (await hooks.deliver(hooks.fake.event("customer.created", {"id": "cus_1"})))[0] == 200
    assert await status_of(small, order_id) == ("pending_payment", 0, 0)


async def test_an_unexpected_failure_answers_500_so_that_stripe_retries(
    small: SmallShop, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, _, session_id = await start(small)
    event = hooks.fake.pay(session_id)
    real = small.shop.bus.handle

    async def database_down(command: c.Command) -> Any:
        if isinstance(command, c.ConfirmPayment):
            raise OSError("connection refused")
        return await real(command)

    monkeypatch.setattr(small.shop.bus, "handle", database_down)
    assert (await hooks.deliver(event))[0] == 500
    monkeypatch.undo()
    assert await hooks.deliver(event) == (200, {"received": True, "outcome": "paid"})  # the retry applies it
    assert await status_of(small, order_id) == ("paid", 8500, 0)


# --- refunds -------------------------------------------------------------------------------------------
async def paid_order(small: SmallShop, hooks: Hooks) -> tuple[int, str]:
    order_id, _, session_id = await start(small)
    await hooks.deliver(hooks.fake.pay(session_id))
    assert (await status_of(small, order_id))[0] == "paid"
    return order_id, session_id


async def test_partial_refunds_are_booked_with_stripe_refund_ids(small: SmallShop, hooks: Hooks) -> None:
    order_id, session_id = await paid_order(small, hooks)
    assert await small.shop.bus.refund(c.RefundOrder(order_id, 3000, "scuffed box", actor=APPROVER)) == "succeeded"
    assert await small.shop.bus.refund(c.RefundOrder(order_id, 2000, "late delivery", actor=APPROVER)) == "succeeded"
    assert await status_of(small, order_id) == ("paid", 8500, 5000)
    calls = fake_refunds = hooks.fake.calls("POST", "/v1/refunds")
    intent = hooks.fake.sessions[session_id]["payment_intent"]
    assert [(r.params["payment_intent"], r.params["amount"]) for r in calls] == [(intent, "3000"), (intent, "2000")]
    booked = await refunds_of(small, order_id)
    assert [(amount, status) for amount, status, _ in booked] == [(3000, "succeeded"), (2000, "succeeded")]
    assert [rid for _, _, rid in booked] == [r["id"] for r in hooks.fake.refunds.values()]
    assert all(r.headers["Idempotency-Key"].startswith("refund-") for r in fake_refunds)


async def test_a_refund_above_the_captured_amount_is_refused_by_us_and_by_stripe(
    small: SmallShop, hooks: Hooks
) -> None:
    order_id, session_id = await paid_order(small, hooks)
    with pytest.raises(RefundTooLarge):
        await small.shop.bus.refund(c.RefundOrder(order_id, 8501, "too much", actor=APPROVER))
    assert hooks.fake.calls("POST", "/v1/refunds") == []  # refused before asking Stripe
    # Someone refunds 80.00 in the dashboard and the webhook has not arrived yet: our books still say
    # 85.00 is refundable, Stripe knows better and refuses with its error, which the refund records.
    charge_refunded = hooks.fake.dashboard_refund(session_id, 8000)
    assert await small.shop.bus.refund(c.RefundOrder(order_id, 1000, "goodwill", actor=APPROVER)) == "failed"
    t = orm.refunds.c
    async with small.shop.sessions() as session:
        reason = (await session.execute(select(t.failure_reason).where(t.status == "failed"))).scalar_one()
    assert "greater than unrefunded amount" in reason
    assert await status_of(small, order_id) == ("paid", 8500, 0)
    await hooks.deliver(charge_refunded)
    assert await status_of(small, order_id) == ("paid", 8500, 8000)


async def test_a_dashboard_refund_is_reconciled_without_double_counting_ours(small: SmallShop, hooks: Hooks) -> None:
    order_id, session_id = await paid_order(small, hooks)
    await small.shop.bus.refund(c.RefundOrder(order_id, 3000, "scuffed box", actor=APPROVER))
    ours = hooks.fake.charge_refunded(hooks.fake.sessions[session_id]["payment_intent"])
    assert (await hooks.deliver(ours))[1]["outcome"] == "0 refund(s) booked"  # ours, already booked
    status, body = await hooks.deliver(hooks.fake.dashboard_refund(session_id, 2000))
    assert (status, body["outcome"]) == (200, "1 refund(s) booked")
    charge = next(iter(hooks.fake.charges.values()))
    assert (await status_of(small, order_id))[2] == charge["amount_refunded"] == 5000
    await hooks.deliver(hooks.fake.dashboard_refund(session_id, 3500))  # the rest: the order is refunded
    assert await status_of(small, order_id) == ("refunded", 8500, 8500)
    assert sorted(str(rid) for _, _, rid in await refunds_of(small, order_id)) == sorted(hooks.fake.refunds)
    assert await available(small) == 8  # refunded before shipping: the allocated shoes are free again


async def test_a_refund_stripe_made_before_we_booked_it_is_matched_by_our_key(small: SmallShop, hooks: Hooks) -> None:
    order_id, session_id = await paid_order(small, hooks)
    [refund_id] = await small.shop.bus.handle(c.RefundOrder(order_id, 3000, "scuffed box", actor=APPROVER))
    provider = small.shop.payments
    assert isinstance(provider, StripePaymentProvider)
    # We asked Stripe, it refunded, and we crashed before booking the answer; then its webhook arrives.
    intent = hooks.fake.sessions[session_id]["payment_intent"]
    await provider.refund(RefundRequest(session_id, intent, 3000, "USD", f"refund-{refund_id}", "scuffed box"))
    assert (await hooks.deliver(hooks.fake.charge_refunded(intent)))[1]["outcome"] == "1 refund(s) booked"
    assert await process_refund(refund_id, small.shop.bus.ctx) == "succeeded"  # the retry finds it decided
    assert await status_of(small, order_id) == ("paid", 8500, 3000)
    [(amount, status, stripe_id)] = await refunds_of(small, order_id)
    assert (amount, status, stripe_id) == (3000, "succeeded", next(iter(hooks.fake.refunds)))


async def test_a_stripe_outage_leaves_the_refund_pending_until_the_retry_job(
    small: SmallShop, hooks: Hooks, clock: FakeClock
) -> None:
    order_id, _ = await paid_order(small, hooks)
    hooks.fake.fail_next.append(503)
    with pytest.raises(stripe.APIError, match="Something went wrong"):
        await small.shop.bus.refund(c.RefundOrder(order_id, 3000, "scuffed box", actor=APPROVER))
    assert [status for _, status, _ in await refunds_of(small, order_id)] == ["pending"]
    clock.advance(minutes=2)
    assert await retry_pending_refunds(small.shop.bus.ctx) == 1
    assert await status_of(small, order_id) == ("paid", 8500, 3000)
    assert len(hooks.fake.refunds) == 1


# --- wiring --------------------------------------------------------------------------------------------
def test_the_webhook_is_mounted_only_when_its_secret_is_set() -> None:
    without = channel_mounts(Settings(_env_file=None))  # type: ignore[call-arg]
    with_secret = channel_mounts(Settings(stripe_webhook_secret=SecretStr(WEBHOOK_SECRET), _env_file=None))  # type: ignore[call-arg]
    assert len(with_secret) == len(without) + 1


async def test_concurrent_payment_starts_share_one_stripe_session(small: SmallShop, fake_stripe: FakeStripe) -> None:
    order_id = await small.checkout(await small.customer())
    links = await asyncio.gather(*(small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM)) for _ in range(3)))
    assert len({link.url for link in links}) == 1
    assert len(fake_stripe.sessions) == 1
    p = orm.payments.c
    async with small.shop.sessions() as session:
        count = (await session.execute(select(func.count()).where(p.order_id == order_id))).scalar_one()
    assert count == 1


async def test_a_reused_idempotency_key_with_other_parameters_is_refused(
    small: SmallShop, fake_stripe: FakeStripe, clock: FakeClock
) -> None:
    """Why a session whose expiry had to move gets its own key: Stripe refuses the same key with new params."""
    provider = small.shop.payments
    assert isinstance(provider, StripePaymentProvider)
    lines = (PaymentLineItem("Mug", 1, 1200),)
    first = PaymentSessionRequest(9, 1200, "USD", lines, clock.now() + timedelta(hours=1), "k-1", "https://s", "")
    again = await provider.create_session(first)
    assert again == await provider.create_session(first)  # replayed
    with pytest.raises(PaymentFailed):
        await provider.create_session(PaymentSessionRequest(9, 1300, "USD", (PaymentLineItem("Mug", 1, 1300),),
                                                            first.expires_at, "k-1", "https://s", ""))  # fmt: skip
    assert fake_stripe.requests[-1].status == 400
    assert len(fake_stripe.sessions) == 1


async def test_a_refund_without_a_known_payment_intent_finds_it_through_the_session(
    small: SmallShop, hooks: Hooks
) -> None:
    _, session_id = await paid_order(small, hooks)
    provider = small.shop.payments
    assert isinstance(provider, StripePaymentProvider)
    result = await provider.refund(RefundRequest(session_id, None, 500, "USD", "refund-x", "goodwill"))
    assert result.succeeded and result.refund_id in hooks.fake.refunds
    assert hooks.fake.calls("GET", f"/v1/checkout/sessions/{session_id}")[0].status == 200


async def test_a_dashboard_refund_delivered_before_its_payment_is_retried_until_it_can_be_booked(
    small: SmallShop, hooks: Hooks
) -> None:
    order_id, _, session_id = await start(small)
    completed = hooks.fake.pay(session_id)
    refunded = hooks.fake.dashboard_refund(session_id, 2000)
    assert (await hooks.deliver(refunded))[0] == 500  # not acknowledged: Stripe will deliver it again
    await hooks.deliver(completed)
    assert await hooks.deliver(refunded) == (200, {"received": True, "outcome": "1 refund(s) booked"})
    assert await status_of(small, order_id) == ("paid", 8500, 2000)
    foreign = hooks.fake.event("charge.refunded", {"id": "ch_x", "object": "charge", "payment_intent": "pi_x"})
    hooks.fake.payment_intents["pi_x"] = {"id": "pi_x", "object": "payment_intent", "metadata": {}}
    assert await hooks.deliver(foreign) == (200, {"received": True, "outcome": "not ours"})


# --- one order, paid in Telegram and on Stripe Checkout ------------------------------------------------
async def test_paid_in_telegram_expires_the_stripe_session_and_a_stripe_payment_still_arriving_goes_back_to_stripe(
    small: SmallShop, hooks: Hooks
) -> None:
    order_id, _, session_id = await start(small)
    invoice = await small.shop.bus.handle(c.OpenChatPayment(order_id, actor=c.SYSTEM))
    await small.shop.bus.handle(c.ConfirmPayment("telegram", invoice.session_id, invoice.amount, "USD", "tg-ch-1"))
    await small.shop.outbox.drain()
    assert [r.path for r in hooks.fake.calls("POST", f"/v1/checkout/sessions/{session_id}/expire")] == [
        f"/v1/checkout/sessions/{session_id}/expire"
    ]
    assert hooks.fake.sessions[session_id]["status"] == "expired"

    # The shopper had pressed Pay on Stripe's page a moment before it expired: the money arrives anyway.
    assert (await hooks.deliver(hooks.fake.pay(session_id)))[0] == 200
    await small.shop.outbox.drain()
    assert await status_of(small, order_id) == ("paid", 17000, 8500)
    [stripe_refund] = hooks.fake.refunds.values()
    intent = hooks.fake.sessions[session_id]["payment_intent"]
    assert (stripe_refund["payment_intent"], stripe_refund["amount"]) == (intent, 8500)  # Stripe's own payment
    assert await refunds_of(small, order_id) == [(8500, "succeeded", stripe_refund["id"])]


async def test_a_refund_stripe_refuses_is_recorded_with_what_staff_need_to_act_on_it(
    small: SmallShop, hooks: Hooks
) -> None:
    order_id, session_id = await paid_order(small, hooks)
    hooks.fake.dashboard_refund(session_id, 8500)  # someone refunded it in Stripe's dashboard; no webhook yet
    assert await small.shop.bus.refund(c.RefundOrder(order_id, 8500, "damaged", actor=APPROVER)) == "failed"
    async with small.shop.sessions() as session:
        rows = (await session.execute(select(orm.outbox.c.name, orm.outbox.c.payload))).all()
    [failed] = [payload for name, payload in rows if name == "RefundFailed"]
    assert (failed["order_id"], failed["amount"], failed["currency"], failed["provider"]) == (
        order_id,
        8500,
        "USD",
        "stripe",
    )
    assert "already been refunded" in failed["reason"]
