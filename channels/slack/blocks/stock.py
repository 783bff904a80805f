"""Stock: search results, low-stock alerts, and the receive/adjust modals."""

from __future__ import annotations

from bots.ops.stock import StockSummary
from channels.slack.blocks.primitives import (
    Block,
    actions,
    button,
    entry,
    esc,
    modal_view,
    mrkdwn,
    plain,
    section,
    text_input,
)


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
        where = entry(
            "warehouse",
            "Warehouse",
            {"type": "static_select", "action_id": "warehouse", "options": options, "initial_option": options[0]},
        )
    else:
        where = entry("warehouse", "Warehouse code", text_input("warehouse", "e.g. EAST", max_length=32))
    return modal_view(
        RECEIVE_STOCK,
        "Receive stock",
        "Receive",
        [
            section(f"*{esc(item.title)}*: {item.available} available (threshold {item.threshold})"),
            where,
            entry("quantity", "Units received", text_input("quantity", "e.g. 24", max_length=7)),
            entry("reason", "Note", text_input("reason", initial="received", max_length=200), optional=True),
        ],
        {"sku": item.sku, "channel": channel},
    )


def adjust_modal(item: StockSummary, channel: str | None) -> Block:
    options = [
        {"text": plain(f"{w.code} {w.name} ({w.on_hand} on hand)"), "value": w.code} for w in item.warehouses
    ] or [{"text": plain("(no warehouse)"), "value": "-"}]
    select = {"type": "static_select", "action_id": "warehouse", "options": options, "initial_option": options[0]}
    return modal_view(
        "adjust_stock",
        "Adjust stock",
        "Adjust",
        [
            section(f"*{esc(item.title)}*: {item.available} available"),
            entry("warehouse", "Warehouse", select),
            entry(
                "delta",
                "Change",
                text_input("delta", "e.g. -2 or 5", max_length=8),
                hint="Units to add (or remove with -).",
            ),
            entry("reason", "Reason", text_input("reason", "e.g. damaged in transit", max_length=200)),
        ],
        {"sku": item.sku, "channel": channel},
    )
