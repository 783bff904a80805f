"""A campaign as an approver must see it before saying yes (the approval notice and ``/campaign NAME``):
the text per language formatted as shoppers will see it, who it reaches (the segment rule in words, counts by
channel and language, a few names), channels, coupon, schedule, quiet hours and how long sending takes.

Campaign text is parsed into spans by ``bots.conversation.formatting`` (markdown-it-py), the same spans
Telegram HTML and the web chat's promotion are built from, and drawn here as Slack mrkdwn: every piece of
text a marketer or a customer wrote passes through ``esc``, so only our own markers are markup.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from bots.campaigns.summary import quiet_note, rule_in_words, what_happens_next
from bots.conversation.formatting import Span, parse
from channels.slack.blocks import (
    CHANNEL_LABELS,
    LOCALE_LABELS,
    TEXT_LIMIT,
    Block,
    campaign_buttons,
    context,
    divider,
    esc,
    header,
    section,
)
from domain.model.campaigns import Campaign, ScheduleKind, Trigger, next_cron
from domain.model.coupons import personal_code_example
from domain.views.campaigns import CampaignAudience

TELEGRAM_CAPTION = 1024  # Telegram shows at most this much text under a photo
PREVIEW_CHARS = 2400  # what a section shows of a campaign's text (a section holds 3000 characters of markup)


def _href(url: str) -> str:
    """A URL inside ``<url|label>``: Slack reads the first ``|`` as the end of the address."""
    return esc(url).replace("|", "%7C")


def _styled(text: str, span: Span) -> str:
    """One run of text, escaped, with Slack's markers around its non-blank core (``* x *`` is not bold)."""
    core = text.strip()
    if not core:
        return esc(text)
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    piece = f"<{_href(span.href)}|{esc(core)}>" if span.href else esc(core)
    if span.italic:
        piece = f"_{piece}_"
    if span.bold:
        piece = f"*{piece}*"
    return esc(lead) + piece + esc(trail)


def spans_mrkdwn(spans: Sequence[Span], budget: int = PREVIEW_CHARS) -> tuple[str, int]:
    """The spans as mrkdwn of at most ``budget`` characters, cut at a character boundary (never inside an
    entity or a link); returns the text and how many of the spans' characters it shows."""
    out: list[str] = []
    used = shown = 0
    for span in spans:
        piece = "\n" if span.text == "\n" else _styled(span.text, span)
        if used + len(piece) > budget:
            text = span.text
            while text and used + len(_styled(text, span)) > budget:
                text = text[: len(text) * 3 // 4] if len(text) > 8 else text[:-1]
            if text:
                out.append(_styled(text, span))
                shown += len(text)
            break
        out.append(piece)
        used += len(piece)
        shown += len(span.text)
    return "".join(out), shown


def _recipients(n: int) -> str:
    return f"{n:,} recipient{'s' if n != 1 else ''}"


def _quoted(text: str) -> str:
    return "\n".join(f">{line}" if line else ">" for line in text.split("\n"))


def _label(code: str, labels: dict[str, str]) -> str:
    return labels.get(code.split("-")[0].split("_")[0], esc(code))


def coupon_words(campaign: Campaign) -> str:
    template = campaign.coupon_template
    if template is not None:
        return (
            f"personal single-use codes from `{esc(template)}` (each recipient gets their own, e.g. "
            f"`{esc(personal_code_example(template))}`, usable once and only by them)"
        )
    codes = {loc: content.coupon for loc, content in campaign.contents.items() if content.coupon}
    if not codes:
        return "none"
    if len(set(codes.values())) == 1:
        return f"`{esc(next(iter(codes.values())))}`, shared (everyone gets the same code)"
    return "shared, per language: " + ", ".join(f"{esc(loc)} `{esc(code)}`" for loc, code in codes.items())


def schedule_words(campaign: Campaign, now: datetime) -> str:
    if campaign.trigger == Trigger.BACK_IN_STOCK:
        when = "an automation: to each shopper who asked, when the product is back in stock"
    elif campaign.trigger is not None:
        when = f"an automation ({esc(campaign.trigger_summary or campaign.trigger)}), person by person"
    elif campaign.schedule == ScheduleKind.CRON:
        nxt = f"; next {campaign.next_run_at:%Y-%m-%d %H:%M} UTC" if campaign.next_run_at else ""
        when = f"repeats on cron `{esc(campaign.cron or '')}` (UTC){nxt}"
    elif campaign.schedule == ScheduleKind.AT and campaign.send_at is not None and campaign.send_at > now:
        when = f"at {campaign.send_at:%Y-%m-%d %H:%M} UTC"
    else:
        when = "as soon as it is approved"
    quiet = quiet_note(campaign).strip() or "No quiet hours: messages go out at any time of day."
    cap = f"At most {campaign.cap.messages} marketing messages per person in {campaign.cap.days} days."
    return f"Sends {when}. {quiet} {cap}"


def audience_lines(audience: CampaignAudience, currency: str) -> list[str]:
    campaign = audience.campaign
    lines = [
        f"*Who*: {esc(rule_in_words(campaign.rule, currency))}",
        f"*Reaches {audience.reachable}* of {audience.matching} matching customers (opted in, not blocked; one "
        "message each, on the first of its channels that reaches them)",
    ]
    if audience.slices:
        by = ", ".join(
            f"{_label(s.channel, CHANNEL_LABELS)} · {_label(s.locale, LOCALE_LABELS)}: {s.recipients}"
            for s in audience.slices
        )
        lines.append(f"By channel and language: {by}")
    if audience.sample:
        names = ", ".join(
            f"{esc(r.name) if r.name.strip() else f'customer #{r.customer_id}'} "
            f"({_label(r.channel, CHANNEL_LABELS)}, {esc(r.locale)})"
            for r in audience.sample
        )
        more = (
            f" and {audience.reachable - len(audience.sample)} more"
            if audience.reachable > len(audience.sample)
            else ""
        )
        lines.append(f"For example: {names}{more}")
    channels = ", ".join(_label(ch, CHANNEL_LABELS) for ch in campaign.channels)
    lines.append(f"*Channels*: {channels}")
    lines.append(f"*Coupon*: {coupon_words(campaign)}")
    return lines


def _readers(audience: CampaignAudience, locale: str) -> tuple[int, str]:
    """How many recipients read ``locale``'s text, and a note on those who read it for want of their own."""
    campaign = audience.campaign
    content, base = campaign.contents[locale], locale.split("-")[0].split("_")[0]
    mine = [s for s in audience.slices if campaign.content_for(s.locale) is content]
    strays = [s for s in mine if s.locale.split("-")[0].split("_")[0] != base]
    note = ""
    if strays:
        langs = ", ".join(sorted({esc(s.locale) for s in strays}))
        note = f" ({sum(s.recipients for s in strays)} of them in {langs}, which has no text of its own)"
    return sum(s.recipients for s in mine), note


def content_blocks(audience: CampaignAudience) -> list[Block]:
    """Each language's message as shoppers will see it, with what each channel does to it."""
    campaign = audience.campaign
    blocks: list[Block] = []
    for locale, content in campaign.contents.items():
        spans = parse(content.text)
        body, shown = spans_mrkdwn(spans)
        total = sum(len(span.text) for span in spans)  # what a shopper's chat shows (a link's URL is hidden)
        readers, strays = _readers(audience, locale)
        title = f"*{_label(locale, LOCALE_LABELS)}* (`{esc(locale)}`) · {_recipients(readers)}{strays}"
        text = f"{title}\n{_quoted(body)}"
        if shown < total:
            text += f"\n_(the preview stops here: {total - shown:,} more characters go out)_"
        blocks.append(section(text[:TEXT_LIMIT]))
        notes: list[str] = []
        if content.image_url:
            notes.append(f"Image: <{_href(content.image_url)}|{esc(content.image_url)}>")
        if content.skus:
            notes.append("Products: " + ", ".join(f"`{esc(sku)}`" for sku in content.skus))
        template = campaign.coupon_template
        code = campaign.coupon_for(locale, personal_code_example(template) if template else None)
        if code:
            notes.append(f"Code shown: `{esc(code)}`")
        buttons = ["a button per product"] if content.skus else []
        if campaign.trigger == Trigger.ABANDONED_CART:
            buttons.append("Check out")
        notes.append("Buttons: " + ", ".join([*buttons, "Unsubscribe"]))
        if "telegram" in campaign.channels and content.image_url and total > TELEGRAM_CAPTION:
            notes.append(
                f":warning: Telegram shows a photo's text up to {TELEGRAM_CAPTION:,} characters: the last "
                f"{total - TELEGRAM_CAPTION:,} are cut there"
            )
        if "email" in campaign.channels:
            subject = content.text.splitlines()[0][:120] if content.text.strip() else ""
            notes.append(f"E-mail subject: {esc(subject)}")
        blocks.append(context(" · ".join(notes)))
    return blocks


def _as_if_approved(campaign: Campaign, now: datetime) -> Campaign:
    """The campaign with the first run approval would give it (before approval it has none), so the
    estimate names the time the first message goes out."""
    if campaign.next_run_at is not None or campaign.trigger is not None:
        return campaign
    if campaign.schedule == ScheduleKind.AT and campaign.send_at is not None:
        return dataclasses.replace(campaign, next_run_at=campaign.send_at)
    if campaign.schedule == ScheduleKind.CRON and campaign.cron:
        return dataclasses.replace(campaign, next_run_at=next_cron(campaign.cron, now))
    return campaign


def campaign_review(
    audience: CampaignAudience, currency: str, rate: float, now: datetime, submitted_by: str | None = None
) -> list[Block]:
    """Everything an approver decides on, without the buttons."""
    campaign = audience.campaign
    who = submitted_by or campaign.submitted_by
    people = f"Written by {esc(campaign.created_by)}" + (f", submitted by {esc(who)}" if who else "")
    after = what_happens_next(_as_if_approved(campaign, now), audience.reachable, rate, now)
    after = after.removesuffix(quiet_note(campaign))  # said under *When* already
    return [
        context(people),
        section("\n".join(audience_lines(audience, currency))),
        section(f"*When*: {schedule_words(campaign, now)}\n*After approval*: {esc(after[:1].upper() + after[1:])}"),
        divider(),
        *content_blocks(audience),
    ]


def campaign_approval_message(
    audience: CampaignAudience, currency: str, rate: float, now: datetime, submitted_by: str
) -> list[Block]:
    """The ops channel's approval request: the review and the Approve button."""
    name = audience.campaign.name
    approve = campaign_buttons(name, "awaiting_approval", only=("approve",))
    blocks = [header(f"Campaign {name} needs approval"), *campaign_review(audience, currency, rate, now, submitted_by)]
    return blocks + ([approve] if approve is not None else [])


def campaign_detail_message(audience: CampaignAudience, currency: str, rate: float, now: datetime) -> list[Block]:
    """``/campaign NAME``: the same review, with the buttons the campaign's state allows."""
    campaign = audience.campaign
    blocks = [
        header(f"Campaign {campaign.name} · {campaign.status.value.replace('_', ' ')}"),
        *campaign_review(audience, currency, rate, now),
    ]
    buttons = campaign_buttons(campaign.name, campaign.status.value)
    return blocks + ([buttons] if buttons is not None else [])


def approval_fallback(audience: CampaignAudience, submitted_by: str) -> str:
    return (
        f"Campaign {audience.campaign.name} needs approval (submitted by {esc(submitted_by)}): "
        f"reaches {audience.reachable}"
    )
