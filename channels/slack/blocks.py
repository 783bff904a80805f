"""Block Kit builders: small functions from ops data (``bots.ops``) to Slack's JSON. No I/O here."""

from __future__ import annotations

import json
from typing import Any

from bots.ops.home import Home
from bots.ops.orders import OrderAction, OrderCard, money
from bots.ops.stock import StockSummary
from bots.ops.support import Handoff
from domain.model.campaigns import CampaignReport
from domain.service_layer.handlers.campaigns import UNKNOWN_MEANS

Block = dict[str, Any]
TEXT_LIMIT = 2900  # a section's text may hold 3000 characters


# --- primitives ------------------------------------------------------------------------------------
def esc(text: object) -> str:
    """Text that did not come from us (names, reasons from providers, what staff typed), made inert for
    mrkdwn: Slack reads only ``&``, ``<`` and ``>`` as control characters (``<@U1>``, ``<!channel>``, links)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:TEXT_LIMIT]}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None, confirm: Block | None = None) -> Block:
    out: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        out["style"] = style
    if confirm:
        out["confirm"] = confirm
    return out


def actions(block_id: str, *elements: Block) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def confirm(title: str, text: str, yes: str) -> Block:
    return {"title": plain(title), "text": mrkdwn(text), "confirm": plain(yes), "deny": plain("Back")}


def bullet(lines: tuple[str, ...] | list[str], empty: str = "_none_") -> str:
    return "\n".join(f"• {line}" for line in lines) or empty


# --- orders and approvals ---------------------------------------------------------------------------
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


# --- stock -------------------------------------------------------------------------------------------
def stock_message(found: list[StockSummary], query: str) -> list[Block]:
    if not found:
        return [section(f"No product or SKU matches *{esc(query)}*.")]
    blocks: list[Block] = []
    for item in found:
        rows = "\n".join(
            f"`{esc(w.code)}` {esc(w.name)}: {w.on_hand} on hand, {w.reserved} reserved, {w.allocated} allocated, "
            f"*{w.available} available*"
            for w in item.warehouses
        )
        flag = " :warning: low" if item.low else ""
        title = esc(item.title)
        text = f"*{title}*{flag}\n{rows or '_not stocked in any warehouse_'}\nTotal available: *{item.available}*"
        blocks.append(
            {"type": "section", "text": mrkdwn(text), "accessory": button("Adjust…", "adjust_stock", item.sku)}
        )
    return blocks


RECEIVE_STOCK = "receive_stock"  # the Receive… button's action id and its modal's callback id


def low_stock_message(text: str, sku: str, item: StockSummary | None = None) -> list[Block]:
    """What runs low (the product by name, imported text escaped), where it is, and what to do about it."""
    rows = (
        "\n".join(
            f"`{esc(w.code)}` {esc(w.name)}: *{w.on_hand}* on hand, {w.available} available" for w in item.warehouses
        )
        if item
        else ""
    )
    return [
        section(f":warning: {esc(text)}" + (f"\n{rows}" if rows else "\n_not stocked in any warehouse_")),
        actions(
            f"low-{sku}",
            button("Receive…", RECEIVE_STOCK, sku, "primary"),
            button("Adjust…", "adjust_stock", sku),
        ),
    ]


def receive_modal(item: StockSummary, channel: str | None) -> Block:
    """Stock that arrived: where, how many, and a note for the ledger."""
    if item.warehouses:
        options = [
            {"text": plain(f"{w.code} {w.name} ({w.on_hand} on hand)"), "value": w.code} for w in item.warehouses
        ]
        where = _input(
            "warehouse",
            "Warehouse",
            {"type": "static_select", "action_id": "warehouse", "options": options, "initial_option": options[0]},
        )
    else:
        where = _input("warehouse", "Warehouse code", _text_input("warehouse", "e.g. EAST", max_length=32))
    return _modal(
        RECEIVE_STOCK,
        "Receive stock",
        "Receive",
        [
            section(f"*{esc(item.title)}*: {item.available} available (threshold {item.threshold})"),
            where,
            _input("quantity", "Units received", _text_input("quantity", "e.g. 24", max_length=7)),
            _input("reason", "Note", _text_input("reason", initial="received", max_length=200), optional=True),
        ],
        {"sku": item.sku, "channel": channel},
    )


# --- modals ------------------------------------------------------------------------------------------
def _input(block_id: str, label: str, element: Block, optional: bool = False, hint: str | None = None) -> Block:
    out: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional:
        out["optional"] = True
    if hint:
        out["hint"] = plain(hint)
    return out


def _text_input(
    action_id: str, placeholder: str = "", multiline: bool = False, initial: str = "", max_length: int | None = None
) -> Block:
    out: Block = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if max_length:
        out["max_length"] = max_length  # Slack stops the typing; the submission is still checked
    if placeholder:
        out["placeholder"] = plain(placeholder)
    if initial:
        out["initial_value"] = initial
    return out


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block], meta: dict[str, Any]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def adjust_modal(item: StockSummary, channel: str | None) -> Block:
    options = [
        {"text": plain(f"{w.code} {w.name} ({w.on_hand} on hand)"), "value": w.code} for w in item.warehouses
    ] or [{"text": plain("(no warehouse)"), "value": "-"}]
    select = {"type": "static_select", "action_id": "warehouse", "options": options, "initial_option": options[0]}
    return _modal(
        "adjust_stock",
        "Adjust stock",
        "Adjust",
        [
            section(f"*{esc(item.title)}*: {item.available} available"),
            _input("warehouse", "Warehouse", select),
            _input(
                "delta",
                "Change",
                _text_input("delta", "e.g. -2 or 5", max_length=8),
                hint="Units to add (or remove with -).",
            ),
            _input("reason", "Reason", _text_input("reason", "e.g. damaged in transit", max_length=200)),
        ],
        {"sku": item.sku, "channel": channel},
    )


def reject_modal(order_id: int, channel: str | None, ts: str | None) -> Block:
    return _modal(
        "reject_order",
        f"Reject order #{order_id}",
        "Reject",
        [
            section(f"Order #{order_id} is cancelled, its stock released and the payment refunded in full."),
            _input(
                "reason", "Reason", _text_input("reason", "The shopper is told this", multiline=True, max_length=400)
            ),
        ],
        {"order_id": order_id, "channel": channel, "ts": ts},
    )


def refund_modal(card: OrderCard, channel: str | None, key: str, card_url: str | None = None) -> Block:
    """``key`` names this one refund: a second delivery of the same submission refunds nothing more."""
    return _modal(
        "refund_order",
        f"Refund order #{card.order_id}",
        "Refund",
        [
            section(f"{card.refundable} can still be refunded."),
            _input("amount", "Amount", _text_input("amount", "e.g. 12.50"), optional=True, hint="Empty: everything."),
            _input("reason", "Reason", _text_input("reason", "e.g. late delivery")),
        ],
        {"order_id": card.order_id, "channel": channel, "key": key, "card_url": card_url},
    )


def ship_modal(order_id: int, channel: str | None, card_url: str | None = None) -> Block:
    return _modal(
        "ship_order",
        f"Ship order #{order_id}",
        "Ship",
        [
            _input("carrier", "Carrier", _text_input("carrier", "ups, usps, fedex, dhl…", max_length=60)),
            _input("tracking", "Tracking number", _text_input("tracking", max_length=120)),
        ],
        {"order_id": order_id, "channel": channel, "card_url": card_url},
    )


# --- refunds that failed or need a person -----------------------------------------------------------
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
    return _modal(
        REFUND_MARK_DONE,
        f"Refund #{refund_id} done",
        "Mark refunded",
        [
            section(f"Refund #{refund_id} of order #{order_id} was made by hand at the provider that took the money."),
            _input(
                "reference",
                "Reference",
                _text_input("reference", "e.g. the provider's refund id"),
                hint="Kept with the refund, for the books.",
            ),
        ],
        {"refund_id": refund_id, "order_id": order_id, "channel": channel, "ts": ts},
    )


# --- support -----------------------------------------------------------------------------------------
def _quoted(lines: tuple[str, ...]) -> str:
    """What the shopper wrote, as quotes (escaped: their words must not become markup)."""
    if not lines:
        return "_nothing typed, only buttons_"
    return "\n".join("\n".join(f"> {esc(part)}" for part in line.splitlines() or [""]) for line in lines)


def handoff_message(handoff: Handoff, closed_by: str | None = None) -> list[Block]:
    blocks: list[Block] = [
        header(f"Ticket #{handoff.ticket_id}: {handoff.subject}"),  # plain text: nothing to escape
        context(f"{esc(handoff.customer)} (customer #{handoff.customer_id}) via {handoff.channel}"),
        {
            "type": "section",
            "fields": [
                mrkdwn(f"*Cart*\n{bullet([esc(line) for line in handoff.cart], '_empty_')}"),
                mrkdwn(f"*Last order*\n{esc(handoff.orders[0]) if handoff.orders else '_none yet_'}"),
            ],
        },
        section(f"*The shopper said*\n{_quoted(handoff.messages)}"),
    ]
    if closed_by is not None:
        blocks.append(section(f":white_check_mark: Closed by {esc(closed_by)}."))
    else:
        value = str(handoff.ticket_id)
        blocks.append(context("Reply in this thread to answer the shopper."))
        blocks.append(
            actions(
                f"ticket-{handoff.ticket_id}",
                button("Send coupon", "send_coupon", value),
                button("Close", "close_ticket", value, style="primary"),
            )
        )
    return blocks


# --- reports and home --------------------------------------------------------------------------------
def home_view(home: Home) -> Block:
    waiting = [
        f"Order #{w.order_id}, {w.total}: {esc('; '.join(w.reasons))}" + " (`/order " + str(w.order_id) + "`)"
        for w in home.waiting
    ]
    low = [
        f"{esc(s.title)}: *{s.available}* available (threshold {s.threshold})"
        + (" · " + ", ".join(f"{esc(w.code)} {w.on_hand} on hand" for w in s.warehouses) if s.warehouses else "")
        for s in home.low
    ]
    more = home.low_total - len(home.low)
    low_title = f"*Low stock* ({home.low_total} below threshold)" if home.low_total else "*Low stock*"
    if more > 0:
        low.append(f"…and {more} more: `/stock <sku or name>`")
    blocks: list[Block] = [
        header(f"Today, {home.day:%Y-%m-%d}"),
        section(f"Orders: *{home.orders_today}* · Gross: *{home.gross_today}* · Net: *{home.net_today}*"),
        divider(),
        section(f"*Waiting for approval*\n{bullet(waiting)}"),
        section(f"{low_title}\n{bullet(low)}"),
        context("`/stock <sku or name>` · `/order <id>` · `/report sales 7d`"),
    ]
    return {"type": "home", "blocks": blocks}


# --- campaigns ---------------------------------------------------------------------------------------
_CAMPAIGN_BUTTONS: dict[str, tuple[str, str, str | None]] = {
    "submit": ("Submit for approval", "campaign_submit", "primary"),
    "approve": ("Approve", "campaign_approve", "primary"),
    "pause": ("Pause", "campaign_pause", None),
    "resume": ("Resume", "campaign_resume", "primary"),
    "cancel": ("Cancel", "campaign_cancel", "danger"),
}


def campaign_moves(status: str) -> list[str]:
    """The buttons a campaign in ``status`` offers; the domain still decides whether the move is allowed."""
    moves = []
    if status == "draft":
        moves.append("submit")
    if status == "awaiting_approval":
        moves.append("approve")
    if status in ("sending", "approved"):
        moves.append("pause")
    if status == "paused":
        moves.append("resume")
    if status not in ("finished", "cancelled"):
        moves.append("cancel")
    return moves


def campaign_buttons(name: str, status: str, only: tuple[str, ...] | None = None) -> Block | None:
    buttons = []
    for move in campaign_moves(status):
        if only is not None and move not in only:
            continue
        label, action_id, style = _CAMPAIGN_BUTTONS[move]
        dialog = None
        if move == "cancel":
            dialog = confirm("Cancel the campaign?", f"*{name}*: what is still queued is not sent.", "Cancel it")
        buttons.append(button(label, action_id, name, style, dialog))
    if only is None and status not in ("finished", "cancelled"):
        buttons.append(button("Send test…", CAMPAIGN_TEST, name))
    return actions(f"campaign-{name}", *buttons) if buttons else None


def campaign_progress(report: CampaignReport) -> str:
    return (
        f"*{report.name}* · {report.status.replace('_', ' ')} · sent {report.sent}/{report.recipients} "
        f"({report.progress:.0%}) · failed {report.failed} · unknown {report.unknown}"
    )


CAMPAIGN_TEST = "campaign_test"  # the "Send test" button's action id and its modal's callback id
_TEST_CHANNEL_HINT = {
    "telegram": "your Telegram chat id (a number: message the bot, then /start)",
    "webchat": "your web chat id (shown at the bottom of the chat)",
    "email": "your e-mail address",
}


def campaign_test_modal(name: str, channels: tuple[str, ...], locales: tuple[str, ...], channel: str | None) -> Block:
    """Send a campaign to yourself first: which of its channels, your address there, which language."""
    channel_options = [{"text": plain(ch), "value": ch} for ch in channels]
    locale_options = [{"text": plain(loc), "value": loc} for loc in locales]
    return _modal(
        CAMPAIGN_TEST,
        "Send a test",
        "Send",
        [
            section(f"*{name}* as a recipient sees it, marked as a test, to your own address. Nothing is counted."),
            _input(
                "channel",
                "Channel",
                {
                    "type": "static_select",
                    "action_id": "channel",
                    "options": channel_options,
                    "initial_option": channel_options[0],
                },
            ),
            _input(
                "address",
                "Your address there",
                _text_input("address", "e.g. 123456789 or you@example.com"),
                hint="; ".join(f"{ch}: {_TEST_CHANNEL_HINT[ch]}" for ch in channels if ch in _TEST_CHANNEL_HINT),
            ),
            _input(
                "locale",
                "Language",
                {
                    "type": "static_select",
                    "action_id": "locale",
                    "options": locale_options,
                    "initial_option": locale_options[0],
                },
            ),
        ],
        {"campaign": name, "channel": channel},
    )


def new_campaign_button() -> Block:
    return actions("campaign-new", button("New campaign", NEW_CAMPAIGN, "new", "primary"))


def campaign_list_message(reports: list[CampaignReport]) -> list[Block]:
    if not reports:
        return [
            section("No campaigns yet. Create one here, or with `chatshop campaign create --file campaign.yml`."),
            new_campaign_button(),
        ]
    blocks: list[Block] = [header("Campaigns")]
    for report in reports:
        blocks.append(section(campaign_progress(report)))
        buttons = campaign_buttons(report.name, report.status)
        if buttons is not None:
            blocks.append(buttons)
    blocks.append(new_campaign_button())
    return blocks


def campaign_submitted_message(name: str, actor: str, reachable: int) -> list[Block]:
    approve = campaign_buttons(name, "awaiting_approval", only=("approve",))
    assert approve is not None
    return [
        header(f"Campaign {name} needs approval"),
        section(f"Submitted by {esc(actor)}; it reaches *{reachable}* customers (opted in, not blocked)."),
        approve,
    ]


def campaign_decided_message(name: str, decision: str, shown: list[Block] | None = None) -> list[Block]:
    """The approval request once decided: what was decided on (``shown``, without header or buttons) and
    the decision; it no longer "needs approval"."""
    kept = [b for b in shown or [] if isinstance(b, dict) and b.get("type") not in ("actions", "header")]
    return [header(f"Campaign {name}"), *kept, section(decision)]


def campaign_paused_message(name: str, reason: str, actor: str) -> list[Block]:
    return [
        section(f":double_vertical_bar: Campaign *{esc(name)}* paused by {esc(actor)}: {esc(reason)}"),
        context("Nothing queued is lost; `/campaign` to resume it."),
    ]


def campaign_report_lines(report: CampaignReport) -> list[str]:
    return [
        f"Recipients: *{report.recipients}*",
        f"Sent: *{report.sent}* · Failed: {report.failed} · Blocked: {report.blocked} · Unknown: {report.unknown}",
        f"Opt-outs: {report.opt_outs}",
        f"Orders: *{report.orders}* · Revenue: *{money(report.revenue, report.currency)}*",
    ]


def unknown_explained(report: CampaignReport) -> str | None:
    """What ``unknown`` means and who may do what about it, in the CLI's words (``UNKNOWN_MEANS``)."""
    if not report.unknown:
        return None
    return (
        f":grey_question: *{report.unknown} unknown*: {UNKNOWN_MEANS} An approver can send them again with "
        f"`chatshop campaign resend-unknown {esc(report.name)}` (whoever did receive it then gets it twice)."
    )


def _with_unknown(report: CampaignReport, lines: list[str]) -> list[Block]:
    note = unknown_explained(report)
    return [section("\n".join(lines)), *([section(note)] if note else [])]


def campaign_finished_message(report: CampaignReport) -> list[Block]:
    return [header(f"Campaign {report.name} finished"), *_with_unknown(report, campaign_report_lines(report))]


def campaign_report_message(report: CampaignReport) -> list[Block]:
    """``/report campaign <name>``: the finished summary plus delivery, clicks and revenue per 1,000 messages."""
    lines = campaign_report_lines(report)
    lines[1] += f" · Delivered: {report.delivered}"
    lines.insert(2, f"Queued: {report.queued} · Sending: {report.sending} · Skipped: {sum(report.skipped.values())}")
    lines.append(
        f"Clicks: {report.clicks} · Revenue per 1,000 messages: *{money(report.revenue_per_1000, report.currency)}*"
    )
    return [header(f"Campaign {report.name} · {report.status.replace('_', ' ')}"), *_with_unknown(report, lines)]


# --- the "New campaign" modal ----------------------------------------------------------------------
NEW_CAMPAIGN = "campaign_new"  # the button's action id and the modal's callback id
AUDIENCE_BLOCK = "audience"
# Inputs that change who the campaign reaches: each dispatches a block action, and the live count follows.
COUNT_INPUTS = (
    "channels",
    "seg_locale",
    "seg_country",
    "seg_tag",
    "seg_orders",
    "seg_ltv",
    "seg_category",
    "seg_inactive",
    "seg_cart",
)
CHANNEL_LABELS = {"telegram": "Telegram", "webchat": "Web chat", "email": "E-mail"}
LOCALE_LABELS = {"en": "English", "zh": "Chinese"}
ON_ENTER = {"trigger_actions_on": ["on_enter_pressed"]}


def _option(value: str, label: str) -> Block:
    return {"text": plain(label), "value": value}


def _choices(kind: str, action_id: str, options: list[Block], initial: list[Block] | None = None) -> Block:
    out: Block = {"type": kind, "action_id": action_id, "options": options}
    if initial:
        out["initial_options" if kind in ("checkboxes", "multi_static_select") else "initial_option"] = (
            initial if kind in ("checkboxes", "multi_static_select") else initial[0]
        )
    return out


def _number(action_id: str, initial: str = "", minimum: str = "0") -> Block:
    out: Block = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": False, "min_value": minimum}
    if initial:
        out["initial_value"] = initial
    return out


def _counted(block: Block) -> Block:
    """An input whose changes are sent to us at once (``dispatch_action``): text on Enter, choices on change."""
    block["dispatch_action"] = True
    if block["element"]["type"] in ("plain_text_input", "number_input"):
        block["element"]["dispatch_action_config"] = ON_ENTER
    return block


def audience_block(text: str) -> Block:
    return {"type": "section", "block_id": AUDIENCE_BLOCK, "text": mrkdwn(text)}


def campaign_modal(
    categories: list[tuple[str, str]], audience: str, meta: dict[str, Any], channels: tuple[str, ...]
) -> Block:
    """A campaign: name, channels, a segment (all of the conditions filled in) with its live count, content
    in English (and optionally Chinese), a schedule, quiet hours and a frequency cap.

    ``categories`` are (slug, name) pairs for "bought from category"; ``channels`` are checked at first."""
    channel_options = [_option(k, v) for k, v in CHANNEL_LABELS.items()]
    locale_options = [_option(k, f"{v} ({k})") for k, v in LOCALE_LABELS.items()]
    schedule_options = [
        _option("now", "As soon as it is approved"),
        _option("at", "At a date and time"),
        _option("cron", "Repeatedly (cron)"),
    ]
    segment: list[Block] = [
        header("Who"),
        section("Customers matching *all* of the conditions you fill in (none: everyone opted in)."),
        _counted(_input("seg_locale", "Language", _choices("checkboxes", "seg_locale", locale_options), True)),
        _counted(_input("seg_country", "Country", _text_input("seg_country", "US, CA"), True, "ISO codes, commas.")),
        _counted(_input("seg_tag", "Tagged with any of", _text_input("seg_tag", "runner, vip"), True)),
        _counted(_input("seg_orders", "Paid orders, at least", _number("seg_orders"), True)),
        _counted(
            _input(
                "seg_ltv", "Lifetime value, at least", _text_input("seg_ltv", "100.00"), True, "In the shop currency."
            )
        ),
    ]
    if categories:
        options = [_option(slug, f"{name} ({slug})") for slug, name in categories[:100]]
        select = _choices("static_select", "seg_category", options)
        segment.append(_counted(_input("seg_category", "Bought from category", select, True)))
    segment += [
        _counted(_input("seg_inactive", "No order for at least (days)", _number("seg_inactive"), True)),
        _counted(_input("seg_cart", "Cart abandoned for more than (hours)", _number("seg_cart"), True)),
        audience_block(audience),
        context("Counts refresh when you change a choice, or press Enter in a text box."),
    ]
    chosen = [o for o in channel_options if o["value"] in channels]
    blocks: list[Block] = [
        _input("name", "Name", _text_input("name", "spring-sale"), hint="Letters, digits, - _ ."),
        _counted(_input("channels", "Channels", _choices("checkboxes", "channels", channel_options, chosen))),
        *segment,
        header("What"),
        _input("text_en", "Message in English", _text_input("text_en", "Spring sale: 20% off shoes", multiline=True)),
        _input("text_zh", "Message in Chinese", _text_input("text_zh", multiline=True), True, "Else English."),
        _input("image_url", "Image URL", _text_input("image_url", "https://…"), True),
        _input("skus", "Featured products", _text_input("skus", "SHOE-RED-42, MUG-WHT"), True, "Up to 3 SKUs."),
        _input("coupon", "Coupon code", _text_input("coupon", "SPRING20"), True),
        _input(
            "coupon_single_use",
            "Coupon use",
            _choices("checkboxes", "coupon_single_use", [_option("single", "A personal single-use code per customer")]),
            True,
            "The code above is then the template: each customer gets its own code with the same terms.",
        ),
        header("When"),
        _input("schedule", "Send", _choices("radio_buttons", "schedule", schedule_options, schedule_options[:1])),
        _input("send_at", "Date and time", _text_input("send_at", "2026-12-01 10:00"), True, "UTC, or add +02:00."),
        _input("cron", "Cron expression", _text_input("cron", "0 10 * * MON"), True, "UTC, e.g. 0 10 * * MON."),
        _input(
            "quiet_hours",
            "Quiet hours",
            _text_input("quiet_hours", initial="21:00-09:00"),
            hint="In each customer's time zone; messages wait until they end.",
        ),
        _input("cap_messages", "At most this many marketing messages…", _number("cap_messages", "2", "1")),
        _input("cap_days", "…per customer in this many days", _number("cap_days", "7", "1")),
        _input(
            "submit_now",
            "Approval",
            _choices("checkboxes", "submit_now", [_option("submit", "Submit for approval now")]),
            True,
        ),
    ]
    return _modal(NEW_CAMPAIGN, "New campaign", "Save", blocks, meta)


def with_audience(view: Block, text: str) -> Block:
    """The same modal with a new count: the same inputs (same block and action ids, so Slack keeps what was
    typed), only the audience line replaced. ``view`` is the view as a block action reports it."""
    blocks = [audience_block(text) if b.get("block_id") == AUDIENCE_BLOCK else b for b in view["blocks"]]
    keep = ("type", "callback_id", "title", "submit", "close", "private_metadata", "clear_on_close", "notify_on_close")
    return {k: view[k] for k in keep if k in view} | {"blocks": blocks}


def webhook_disabled_message(subscription_id: int, url: str, reason: str) -> list[Block]:
    return [
        section(f":no_entry: Webhook *{subscription_id}* to {esc(url)} was disabled: {esc(reason)}"),
        context(
            f"Its deliveries wait. Fix the receiver, then `chatshop webhook enable {subscription_id}`; "
            f"`chatshop webhook deliveries --subscription {subscription_id}` lists them."
        ),
    ]


def automation_message(rule: str, text: str) -> list[Block]:
    return [section(f":robot_face: {esc(text)}"), context(f"Automation rule {esc(rule)}")]
