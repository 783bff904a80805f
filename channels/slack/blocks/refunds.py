"""Refunds that failed or need a person, and payments received after an order was closed."""

from __future__ import annotations

from channels.slack.blocks.primitives import (
    Block,
    actions,
    button,
    confirm,
    context,
    entry,
    esc,
    header,
    modal_view,
    section,
    text_input,
)

REFUND_RETRY = "refund_retry"  # the Retry button on a failed refund
REFUND_MARK_DONE = "refund_mark_done"  # the "Mark refunded" button and its modal's callback id
_PAID_AGAIN_AFTER = ("cancelled", "refunded", "partially_refunded", "expired")


def refund_failed_message(order_id: int, refund_id: int, amount: str, provider: str, reason: str) -> list[Block]:
    """A refund the provider refused: what, where, why (the provider's words, escaped), and Retry."""
    retry = confirm(
        "Retry the refund?", f"{esc(provider)} is asked again to refund {amount} on order #{order_id}.", "Retry"
    )
    return [
        section(
            f":warning: *Refund failed* for order #{order_id}: *{amount}* via {esc(provider)}\n"
            f"*Reason:* {esc(reason) or '_none given_'}"
        ),
        context(f"Refund #{refund_id}. Retry asks {esc(provider)} again, as a new refund of the same payment."),
        actions(f"refund-failed-{refund_id}", button("Retry", REFUND_RETRY, str(refund_id), "primary", retry)),
    ]


def refund_needed_message(
    order_id: int, refund_id: int, amount: str, provider: str, charge_id: str, reason: str
) -> list[Block]:
    """A refund the shop can't ask for (money taken in a chat app through a provider we hold no keys for):
    exactly what a person must refund where, and a button to record that it was done."""
    where = (
        "the payment provider connected to the bot in @BotFather (the charge id is its payment id)"
        if provider == "telegram"
        else f"the {esc(provider)} dashboard"
    )
    return [
        header(f"Refund needed: order #{order_id}"),
        section(
            f"Refund *{amount}* by hand: it was paid through *{esc(provider)}*, which the shop can't ask to refund.\n"
            f"*Charge id:* `{esc(charge_id) or 'unknown'}`\n*Why:* {esc(reason)}"
        ),
        context(f"Refund #{refund_id}. Refund it in {where}, then press Mark refunded and give its reference."),
        actions(f"refund-needed-{refund_id}", button("Mark refunded…", REFUND_MARK_DONE, str(refund_id), "primary")),
    ]


OUTCOME_BLOCK = "outcome"


def refund_settled(blocks: list[Block], outcome: str) -> list[Block]:
    """The same notice with its buttons (or an earlier outcome) replaced by what happened."""
    kept = [b for b in blocks if b.get("type") != "actions" and b.get("block_id") != OUTCOME_BLOCK]
    return [*kept, section(outcome) | {"block_id": OUTCOME_BLOCK}]


def is_settled(blocks: list[Block]) -> bool:
    return not any(b.get("type") == "actions" for b in blocks)


def extra_payment_text(order_id: int, amount: str, provider: str, order_status: str, automatic: bool) -> str:
    when = f"after it was {order_status.replace('_', ' ')}" if order_status in _PAID_AGAIN_AFTER else "twice"
    then = "refunding it automatically" if automatic else "it must be refunded by hand (a Refund needed task follows)"
    return f"Order #{order_id} was paid {when}: {amount} via {esc(provider)}; {then}."


def extra_payment_message(text: str) -> list[Block]:
    return [section(f":money_with_wings: {text}")]


def refund_done_modal(refund_id: int, order_id: int, channel: str | None, ts: str | None) -> Block:
    return modal_view(
        REFUND_MARK_DONE,
        f"Refund #{refund_id} done",
        "Mark refunded",
        [
            section(f"Refund #{refund_id} of order #{order_id} was made by hand at the provider that took the money."),
            entry(
                "reference",
                "Reference",
                text_input("reference", "e.g. the provider's refund id"),
                hint="Kept with the refund, for the books.",
            ),
        ],
        {"refund_id": refund_id, "order_id": order_id, "channel": channel, "ts": ts},
    )
