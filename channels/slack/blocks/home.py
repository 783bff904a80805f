"""Reports and the App Home tab."""

from __future__ import annotations

from bots.ops.home import Home
from channels.slack.blocks.primitives import (
    Block,
    bullet,
    context,
    divider,
    esc,
    header,
    section,
)


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
