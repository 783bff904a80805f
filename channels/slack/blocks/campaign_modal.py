"""The "New campaign" modal: audience, channels, contents and schedule inputs."""

from __future__ import annotations

from typing import Any

from channels.slack.blocks.primitives import (
    Block,
    context,
    entry,
    header,
    modal_view,
    mrkdwn,
    plain,
    section,
    text_input,
)

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
    "seg_churn",
    "seg_value",
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
        _counted(entry("seg_locale", "Language", _choices("checkboxes", "seg_locale", locale_options), True)),
        _counted(entry("seg_country", "Country", text_input("seg_country", "US, CA"), True, "ISO codes, commas.")),
        _counted(entry("seg_tag", "Tagged with any of", text_input("seg_tag", "runner, vip"), True)),
        _counted(entry("seg_orders", "Paid orders, at least", _number("seg_orders"), True)),
        _counted(
            entry("seg_ltv", "Lifetime value, at least", text_input("seg_ltv", "100.00"), True, "In the shop currency.")
        ),
    ]
    if categories:
        options = [_option(slug, f"{name} ({slug})") for slug, name in categories[:100]]
        select = _choices("static_select", "seg_category", options)
        segment.append(_counted(entry("seg_category", "Bought from category", select, True)))
    segment += [
        _counted(entry("seg_inactive", "No order for at least (days)", _number("seg_inactive"), True)),
        _counted(entry("seg_cart", "Cart abandoned for more than (hours)", _number("seg_cart"), True)),
        _counted(entry("seg_churn", "Churn risk above (%)", _number("seg_churn"), True, "From the nightly scores.")),
        _counted(
            entry(
                "seg_value",
                "Expected value (next 12 months), at least",
                text_input("seg_value", "50.00"),
                True,
                "In the shop currency. Customers without a score never match.",
            )
        ),
        audience_block(audience),
        context("Counts refresh when you change a choice, or press Enter in a text box."),
    ]
    chosen = [o for o in channel_options if o["value"] in channels]
    blocks: list[Block] = [
        entry("name", "Name", text_input("name", "spring-sale"), hint="Letters, digits, - _ ."),
        _counted(entry("channels", "Channels", _choices("checkboxes", "channels", channel_options, chosen))),
        *segment,
        header("What"),
        entry("text_en", "Message in English", text_input("text_en", "Spring sale: 20% off shoes", multiline=True)),
        entry("text_zh", "Message in Chinese", text_input("text_zh", multiline=True), True, "Else English."),
        entry("image_url", "Image URL", text_input("image_url", "https://…"), True),
        entry("skus", "Featured products", text_input("skus", "SHOE-RED-42, MUG-WHT"), True, "Up to 3 SKUs."),
        entry("coupon", "Coupon code", text_input("coupon", "SPRING20"), True),
        entry(
            "coupon_single_use",
            "Coupon use",
            _choices("checkboxes", "coupon_single_use", [_option("single", "A personal single-use code per customer")]),
            True,
            "The code above is then the template: each customer gets its own code with the same terms.",
        ),
        header("When"),
        entry("schedule", "Send", _choices("radio_buttons", "schedule", schedule_options, schedule_options[:1])),
        entry("send_at", "Date and time", text_input("send_at", "2026-12-01 10:00"), True, "UTC, or add +02:00."),
        entry("cron", "Cron expression", text_input("cron", "0 10 * * MON"), True, "UTC, e.g. 0 10 * * MON."),
        entry(
            "quiet_hours",
            "Quiet hours",
            text_input("quiet_hours", initial="21:00-09:00"),
            hint="In each customer's time zone; messages wait until they end.",
        ),
        entry("cap_messages", "At most this many marketing messages…", _number("cap_messages", "2", "1")),
        entry("cap_days", "…per customer in this many days", _number("cap_days", "7", "1")),
        entry(
            "submit_now",
            "Approval",
            _choices("checkboxes", "submit_now", [_option("submit", "Submit for approval now")]),
            True,
        ),
    ]
    return modal_view(NEW_CAMPAIGN, "New campaign", "Save", blocks, meta)


def with_audience(view: Block, text: str) -> Block:
    """The same modal with a new count: the same inputs (same block and action ids, so Slack keeps what was
    typed), only the audience line replaced. ``view`` is the view as a block action reports it."""
    blocks = [audience_block(text) if b.get("block_id") == AUDIENCE_BLOCK else b for b in view["blocks"]]
    keep = ("type", "callback_id", "title", "submit", "close", "private_metadata", "clear_on_close", "notify_on_close")
    return {k: view[k] for k in keep if k in view} | {"blocks": blocks}
