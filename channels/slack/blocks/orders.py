"""Orders and approvals: the order card, the approval message, and the reject/refund/ship modals."""

from __future__ import annotations

from bots.ops.orders import OrderAction, OrderCard
from channels.slack.blocks.primitives import (
    Block,
    actions,
    bullet,
    button,
    confirm,
    context,
    entry,
    esc,
    header,
    modal_view,
    mrkdwn,
    section,
    text_input,
)


def _order_body(card: OrderCard) -> list[Block]:
    totals = "\n".join(
        f"{label}: *{value}*" if label == "Total" else f"{label}: {value}" for label, value in card.totals
    )
    # The shopper typed the name and address; product names may be imported text: escaped for mrkdwn.
    customer = esc(card.customer)
    if card.first_order:  # said plainly and first: nothing was ever kept from this customer
        customer = f"{esc(card.customer_name)}\n:new: *{esc(card.history[:1].upper() + card.history[1:])}*"
    fields = [mrkdwn(f"*Customer*\n{customer}"), mrkdwn(f"*Ship to*\n{esc(card.ship_to)}")]
    if card.facts:
        fields.append(mrkdwn(f"*Payment and risk*\n{esc(' · '.join(card.facts))}"))
    blocks: list[Block] = [
        {"type": "section", "fields": fields},
        section(f"*Lines*\n{bullet([esc(line) for line in card.lines])}"),
        section(f"*Totals*\n{totals}"),
    ]
    if card.reasons:
        blocks.append(section(f"*Why it needs approval*\n{bullet([esc(r) for r in card.reasons])}"))
    note = f"Status: *{card.status_label}* · {card.stock_hold}"
    if card.tracking:
        note += f" · Tracking: {esc(card.tracking)}"
    blocks.append(context(note))
    return blocks


def approval_message(card: OrderCard, decision: str | None = None, headline: str | None = None) -> list[Block]:
    """The message in the ops channel: the order, and either the buttons or who decided and when (then the
    header says the outcome: "Order #4002 approved by abe at 14:02")."""
    title = headline or f":hourglass_flowing_sand: {card.title} needs approval"
    blocks = [header(title), *_order_body(card)]
    if decision is None:
        value = str(card.order_id)
        blocks.append(
            actions(
                f"approval-{card.order_id}",
                button("Approve", "approve_order", value, style="primary"),
                button("Reject", "reject_order", value, style="danger"),
            )
        )
    else:
        blocks.append(section(decision))
    return blocks


def approval_fallback(card: OrderCard) -> str:
    """The notification text (and what screen readers say)."""
    total = dict(card.totals).get("Total", "")
    return f"{card.title} ({total}) needs approval: {esc('; '.join(card.reasons))}"


_ACTION_BUTTONS: dict[OrderAction, tuple[str, str | None]] = {
    OrderAction.APPROVE: ("Approve", "primary"),
    OrderAction.REJECT: ("Reject", "danger"),
    OrderAction.PICK: ("Start picking", None),
    OrderAction.PACK: ("Mark packed", "primary"),
    OrderAction.SHIP: ("Ship…", "primary"),
    OrderAction.CANCEL: ("Cancel order", "danger"),
    OrderAction.REFUND: ("Refund…", None),
}


def order_action_id(action: OrderAction) -> str:
    return {OrderAction.APPROVE: "approve_order", OrderAction.REJECT: "reject_order"}.get(action, f"order_{action}")


def order_message(card: OrderCard) -> list[Block]:
    blocks = [header(f"{card.title}: {card.status_label}"), *_order_body(card)]
    if card.actions:
        buttons = []
        for action in card.actions:
            label, style = _ACTION_BUTTONS[action]
            dialog = None
            if action is OrderAction.CANCEL:
                dialog = confirm("Cancel the order?", f"{card.title} is cancelled and refunded if paid.", "Cancel it")
            buttons.append(button(label, order_action_id(action), str(card.order_id), style, dialog))
        blocks.append(actions(f"order-{card.order_id}", *buttons))
    return blocks


def reject_modal(order_id: int, channel: str | None, ts: str | None) -> Block:
    return modal_view(
        "reject_order",
        f"Reject order #{order_id}",
        "Reject",
        [
            section(f"Order #{order_id} is cancelled, its stock released and the payment refunded in full."),
            entry("reason", "Reason", text_input("reason", "The shopper is told this", multiline=True, max_length=400)),
        ],
        {"order_id": order_id, "channel": channel, "ts": ts},
    )


def refund_modal(card: OrderCard, channel: str | None, key: str, card_url: str | None = None) -> Block:
    """``key`` names this one refund: a second delivery of the same submission refunds nothing more."""
    return modal_view(
        "refund_order",
        f"Refund order #{card.order_id}",
        "Refund",
        [
            section(f"{card.refundable} can still be refunded."),
            entry("amount", "Amount", text_input("amount", "e.g. 12.50"), optional=True, hint="Empty: everything."),
            entry("reason", "Reason", text_input("reason", "e.g. late delivery")),
        ],
        {"order_id": card.order_id, "channel": channel, "key": key, "card_url": card_url},
    )


def ship_modal(order_id: int, channel: str | None, card_url: str | None = None) -> Block:
    return modal_view(
        "ship_order",
        f"Ship order #{order_id}",
        "Ship",
        [
            entry("carrier", "Carrier", text_input("carrier", "ups, usps, fedex, dhl…", max_length=60)),
            entry("tracking", "Tracking number", text_input("tracking", max_length=120)),
        ],
        {"order_id": order_id, "channel": channel, "card_url": card_url},
    )
