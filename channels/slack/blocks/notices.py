"""Notices for staff from outbound webhooks and automation rules."""

from __future__ import annotations

from channels.slack.blocks.primitives import (
    Block,
    context,
    esc,
    section,
)


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
