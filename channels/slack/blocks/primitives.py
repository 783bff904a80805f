"""Block Kit primitives every surface builds with: escaped mrkdwn, sections, buttons, and the
modal inputs."""

from __future__ import annotations

import json
from typing import Any

Block = dict[str, Any]
TEXT_LIMIT = 2900  # a section's text may hold 3000 characters


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


def entry(block_id: str, label: str, element: Block, optional: bool = False, hint: str | None = None) -> Block:
    """A modal's labelled field (Block Kit's "input" block)."""
    out: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional:
        out["optional"] = True
    if hint:
        out["hint"] = plain(hint)
    return out


def text_input(
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


def modal_view(callback_id: str, title: str, submit: str, blocks: list[Block], meta: dict[str, Any]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }
