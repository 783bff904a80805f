"""Support: the hand-off thread's opening message."""

from __future__ import annotations

from bots.ops.support import Handoff
from channels.slack.blocks.primitives import (
    Block,
    actions,
    bullet,
    button,
    context,
    esc,
    header,
    mrkdwn,
    section,
)


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
