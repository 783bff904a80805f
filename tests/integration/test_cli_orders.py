"""Staff moving an order's money from the terminal: `chatshop order show|refund|refund-retry|refund-done|
approve|reject|cancel`, through the real CLI against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from chatshop.bootstrap import Shop
from chatshop.cli import app
from chatshop.seed import seed_demo
from chatshop.settings import get_settings
from domain import commands as c
from domain.adapters import orm
from domain.model.approvals import ApprovalPolicy
from domain.ports import RefundRequest
from tests.support.shopdata import SmallShop


async def chatshop(shop: Shop, *args: str) -> Result:
    """`chatshop ARGS` against the test's database, as an operator types it (own process state, own loop)."""

    def invoke() -> Result:
        get_settings.cache_clear()  # the CLI reads its settings once per process
        try:
            return CliRunner().invoke(app, list(args), env={"CHATSHOP_DATABASE_URL": shop.settings.database_url})
        finally:
            get_settings.cache_clear()

    return await asyncio.to_thread(invoke)


async def sandbox_order(small: SmallShop, *, settle: bool = True, quantity: int = 1) -> tuple[int, str]:
    """A web chat order paid on the sandbox page; returns its id and the sandbox session id."""
    order_id = await small.checkout(await small.customer(), quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    if settle:
        await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency, session_id))
    return order_id, session_id


async def telegram_order(small: SmallShop, charge: str) -> int:
    """An order paid inside Telegram (an invoice): the shop holds no keys to refund it."""
    order_id = await small.checkout(await small.customer("tg-1"), quantity=1)
    invoice = await small.shop.bus.handle(c.OpenChatPayment(order_id, actor=c.SYSTEM))
    await small.shop.bus.handle(c.ConfirmPayment("telegram", invoice.session_id, invoice.amount, "USD", charge))
    return order_id


async def status_of(shop: Shop, order_id: int) -> tuple[str, int]:
    order = await shop.views.order(order_id)
    assert order is not None
    return order.status, order.refunded


async def test_order_show_lists_payments_refunds_and_a_failed_refund_with_the_providers_reason(
    small: SmallShop,
) -> None:
    order_id, session_id = await sandbox_order(small)  # 80.00 + 5.00 shipping
    partial = await chatshop(small.shop, "order", "refund", str(order_id), "--amount", "12.50", "--reason", "scuffed")
    assert partial.exit_code == 0, partial.output
    assert "of 12.50 USD via sandbox: succeeded" in partial.output
    # Someone refunds the rest at the provider, outside the shop: the provider now refuses ours.
    await small.shop.sandbox.refund(RefundRequest(session_id, session_id, 7250, "USD", "dashboard-1", "dashboard"))

    refused = await chatshop(small.shop, "order", "refund", str(order_id))
    assert refused.exit_code == 1
    assert "of 72.50 USD via sandbox failed: refund exceeds the captured amount" in refused.output
    assert "chatshop order refund-retry" in refused.output

    shown = await chatshop(small.shop, "order", "show", str(order_id))
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert any("sandbox" in li and "85.00 USD" in li and "succeeded" in li for li in lines), shown.output
    assert any("12.50 USD" in li and "succeeded" in li and "'scuffed' by cli" in li for li in lines), shown.output
    assert any(
        "72.50 USD" in li and "FAILED: refund exceeds the captured amount" in li and "by cli" in li for li in lines
    ), shown.output
    assert "REFUND NEEDED" not in shown.output

    as_json = await chatshop(small.shop, "order", "show", str(order_id), "--json")
    data = json.loads(as_json.output)
    assert [(p["provider"], p["amount"], p["status"]) for p in data["payments"]] == [("sandbox", 8500, "succeeded")]
    assert [(r["amount"], r["status"], r["failure_reason"]) for r in data["refunds"]] == [
        (1250, "succeeded", None),
        (7250, "failed", "refund exceeds the captured amount"),
    ]
    assert await status_of(small.shop, order_id) == ("paid", 1250)


async def test_a_failed_refund_is_retried_from_the_terminal_once_the_provider_can_pay_it(small: SmallShop) -> None:
    # The shop booked the payment before the sandbox settled it: the sandbox says it never captured it.
    order_id, session_id = await sandbox_order(small, settle=False)
    refused = await chatshop(small.shop, "order", "refund", str(order_id), "--reason", "customer asked")
    assert refused.exit_code == 1
    assert "failed: that payment was never captured" in refused.output
    failed = (await small.shop.views.order_money(order_id)).failed_refunds
    assert [r.status for r in failed] == ["failed"]

    not_failed = await chatshop(small.shop, "order", "refund-retry", "999")
    assert not_failed.exit_code == 1 and "No refund 999" in not_failed.output

    await small.shop.sandbox.settle(session_id, "paid")
    retried = await chatshop(small.shop, "order", "refund-retry", str(failed[0].id))
    assert retried.exit_code == 0, retried.output
    assert "of 85.00 USD via sandbox: succeeded" in retried.output
    again = await chatshop(small.shop, "order", "refund-retry", str(failed[0].id))
    assert again.exit_code == 0 and "succeeded" in again.output  # the same retry, not a second refund

    money = await small.shop.views.order_money(order_id)
    assert [(r.status, r.reason, r.amount) for r in money.refunds] == [
        ("failed", "customer asked", 8500),
        ("succeeded", "customer asked", 8500),
    ]
    assert await status_of(small.shop, order_id) == ("refunded", 8500)
    assert (await small.shop.sandbox.get(session_id)).refunded == 8500


async def test_a_telegram_payment_refund_needs_a_person_exits_3_and_is_booked_with_refund_done(
    small: SmallShop,
) -> None:
    order_id = await telegram_order(small, "tg-charge-<7>")
    needs = await chatshop(small.shop, "order", "refund", str(order_id))
    assert needs.exit_code == 3, needs.output
    money = await small.shop.views.order_money(order_id)
    [refund] = money.refunds_needing_action
    needed = (
        f"REFUND NEEDED: 85.00 USD via telegram, charge tg-charge-<7> — refund it there, then "
        f"`chatshop order refund-done {refund.id} --reference …`"
    )
    assert needed in needs.output

    shown = await chatshop(small.shop, "order", "show", str(order_id))
    assert needed in shown.output
    data = json.loads((await chatshop(small.shop, "order", "show", str(order_id), "--json")).output)
    assert [(r["status"], r["provider"], r["charge_id"]) for r in data["refunds"]] == [
        ("needs_action", "telegram", "tg-charge-<7>")
    ]
    assert await status_of(small.shop, order_id) == ("paid", 0)  # no money moved yet

    no_note = await chatshop(small.shop, "order", "refund-done", str(refund.id), "--reference", " ")
    assert no_note.exit_code == 1
    done = await chatshop(small.shop, "order", "refund-done", str(refund.id), "--reference", "refunded in @ShopBot")
    assert done.exit_code == 0, done.output
    assert "of 85.00 USD via telegram: succeeded" in done.output
    assert "REFUND NEEDED" not in (await chatshop(small.shop, "order", "show", str(order_id))).output
    assert await status_of(small.shop, order_id) == ("refunded", 8500)


async def test_approve_and_reject_from_the_terminal_go_through_the_domain_with_clear_errors(
    small: SmallShop,
) -> None:
    small.shop.bus.ctx = dataclasses.replace(small.shop.bus.ctx, approvals=ApprovalPolicy(total_over=10000))
    approve_me, _ = await sandbox_order(small, quantity=2)  # 160.00: waits for a person
    reject_me, session_id = await sandbox_order(small, quantity=2)
    assert (await status_of(small.shop, approve_me))[0] == "awaiting_approval"

    approved = await chatshop(small.shop, "order", "approve", str(approve_me))
    assert approved.exit_code == 0, approved.output
    assert f"order #{approve_me} is approved" in approved.output
    twice = await chatshop(small.shop, "order", "approve", str(approve_me))
    assert twice.exit_code == 1 and "already decided by cli: it is approved" in twice.output
    too_late = await chatshop(small.shop, "order", "reject", str(approve_me), "--reason", "changed my mind")
    assert too_late.exit_code == 1 and "already decided" in too_late.output
    unknown = await chatshop(small.shop, "order", "approve", "9999")
    assert unknown.exit_code == 1 and "9999" in unknown.output and "Traceback" not in unknown.output

    no_reason = await chatshop(small.shop, "order", "reject", str(reject_me), "--reason", "  ")
    assert no_reason.exit_code == 1 and "Say why the order is rejected" in no_reason.output
    assert (await status_of(small.shop, reject_me))[0] == "awaiting_approval"
    rejected = await chatshop(small.shop, "order", "reject", str(reject_me), "--reason", "address looks fraudulent")
    assert rejected.exit_code == 0, rejected.output
    assert f"order #{reject_me} rejected" in rejected.output
    assert "of 160.00 USD via sandbox: succeeded" in rejected.output
    assert await status_of(small.shop, reject_me) == ("refunded", 16000)
    assert (await small.shop.sandbox.get(session_id)).refunded == 16000

    # The README's old way is refused by the domain, with its message.
    advanced = await chatshop(small.shop, "order", "advance", str(reject_me), "approved")
    assert advanced.exit_code == 1 and "Traceback" not in advanced.output


async def test_demo_seed_orders_carry_sandbox_payments_so_refund_and_cancel_move_money(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # product pictures go under ./var/media
    # Three months, so the few days before today hold orders still "paid" (not yet picked) to cancel.
    await seed_demo(shop, customers=40, orders=300, months=3)
    Ord, P = orm.orders.c, orm.payments.c
    async with shop.sessions() as session:
        orders = {r.id: r for r in (await session.execute(select(Ord.id, Ord.status, Ord.total, Ord.refunded))).all()}
        captured = (
            await session.execute(
                select(P.order_id, P.session_id).where(P.status == "succeeded", P.provider == "sandbox")
            )
        ).all()
        unpaid_payments = (await session.execute(select(func.count()).where(P.status != "succeeded"))).scalar_one()
    paid = {oid for oid, o in orders.items() if o.status != "cancelled"}
    assert {r.order_id for r in captured} == paid and len(captured) == len(paid)  # one captured payment each
    assert unpaid_payments == len(orders) - len(paid)  # links that expired
    session_of = {r.order_id: r.session_id for r in captured}
    for oid in paid:
        assert (await shop.sandbox.get(session_of[oid])).status == "paid"

    refunded = next(oid for oid, o in orders.items() if o.status == "refunded")
    money = await shop.views.order_money(refunded)
    assert [(r.status, r.amount, r.provider) for r in money.refunds] == [
        ("succeeded", orders[refunded].total, "sandbox")
    ]
    assert (await shop.sandbox.get(session_of[refunded])).refunded == orders[refunded].total

    delivered = next(oid for oid, o in orders.items() if o.status == "delivered")
    result = await chatshop(shop, "order", "refund", str(delivered), "--amount", "1.00")
    assert result.exit_code == 0, result.output
    assert "of 1.00 USD via sandbox: succeeded" in result.output
    assert (await shop.sandbox.get(session_of[delivered])).refunded == 100
    assert await status_of(shop, delivered) == ("delivered", 100)

    just_paid = next(oid for oid, o in orders.items() if o.status == "paid")
    cancelled = await chatshop(shop, "order", "cancel", str(just_paid))
    assert cancelled.exit_code == 0, cancelled.output
    assert "succeeded" in cancelled.output
    assert (await shop.sandbox.get(session_of[just_paid])).refunded == orders[just_paid].total
    assert await status_of(shop, just_paid) == ("refunded", orders[just_paid].total)
