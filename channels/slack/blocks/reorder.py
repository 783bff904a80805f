"""The weekly reorder suggestions post: what to order, where, how many days of stock are left, from whom.
SKUs, product and supplier names came from imports and staff, so each is escaped for mrkdwn here."""

from __future__ import annotations

from collections.abc import Sequence

from channels.slack.blocks.primitives import Block, context, esc, header, section

MAX_LINES = 30  # a Slack message stays readable; the console lists the rest


def reorder_text(lines: Sequence[Sequence[object]]) -> str:
    return f"Reorder suggestions: {len(lines)} SKU × warehouse to order"


def reorder_message(lines: Sequence[Sequence[object]], covered: int) -> list[Block]:
    if not lines:
        return [
            header("Reorder suggestions"),
            section(f"Nothing to order this week: {covered} SKU × warehouse covered."),
        ]
    rows = []
    for sku, name, warehouse, quantity, cover, supplier in lines[:MAX_LINES]:
        days = f"{esc(cover)} days left" if cover else "no demand forecast"
        source = esc(supplier) if supplier else "_no supplier: not ordered_"
        rows.append(f"`{esc(sku)}` {esc(name)} ({esc(warehouse)}): order *{int(str(quantity))}*, {days}, {source}")
    blocks: list[Block] = [header("Reorder suggestions"), section("\n".join(rows))]
    more = len(lines) - MAX_LINES
    note = f"{covered} SKU × warehouse have enough stock."
    if more > 0:
        note = f"{more} more in the console (Purchasing → Suggestions). " + note
    blocks.append(context(note + " Draft the purchase orders from the console's suggestions page."))
    return blocks
