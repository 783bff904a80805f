"""Campaigns: status buttons, reports, the lifecycle posts and the test-send modal."""

from __future__ import annotations

from bots.ops.orders import money
from channels.slack.blocks.campaign_modal import NEW_CAMPAIGN
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
    plain,
    section,
    text_input,
)
from domain.model.campaigns import CampaignReport
from domain.service_layer.handlers.campaigns import UNKNOWN_MEANS

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
    return modal_view(
        CAMPAIGN_TEST,
        "Send a test",
        "Send",
        [
            section(f"*{name}* as a recipient sees it, marked as a test, to your own address. Nothing is counted."),
            entry(
                "channel",
                "Channel",
                {
                    "type": "static_select",
                    "action_id": "channel",
                    "options": channel_options,
                    "initial_option": channel_options[0],
                },
            ),
            entry(
                "address",
                "Your address there",
                text_input("address", "e.g. 123456789 or you@example.com"),
                hint="; ".join(f"{ch}: {_TEST_CHANNEL_HINT[ch]}" for ch in channels if ch in _TEST_CHANNEL_HINT),
            ),
            entry(
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
