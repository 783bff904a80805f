"""Campaign messages outside the sender's batches: a web chat delivery published through the outbox, and
test sends to a marketer's own address."""

from __future__ import annotations

import re

from domain import commands as c
from domain import events
from domain.errors import ValidationFailed
from domain.model.campaigns import Campaign, require_role
from domain.model.coupons import personal_code_example
from domain.model.staff import Role
from domain.service_layer.context import Context
from domain.service_layer.handlers.campaign_queue import get_campaign


async def publish_marketing_message(cmd: c.PublishMarketingMessage, ctx: Context) -> bool:
    """Web chat delivery: the outbox event and the delivery's ``sent`` are one commit."""
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = uow.campaigns
        found = await repo.delivery_for_chat(cmd.delivery_id, cmd.worker)
        if found is None:
            return False
        campaign_id, customer_id, chat_id, locale, personal_coupon = found
        campaign = await get_campaign(repo, campaign_id, lock=False)
        content = campaign.content_for(locale)
        if not await repo.mark_sent(cmd.delivery_id, cmd.worker, now):
            return False
        uow.publish(
            events.MarketingMessage(
                campaign_id,
                cmd.delivery_id,
                customer_id,
                chat_id,
                locale,
                content.text,
                content.image_url,
                cmd.skus or content.skus,
                campaign.coupon_for(locale, personal_coupon),
                cmd.checkout,
            )
        )
        await uow.commit()
        return True


TEST_PREFIX = {"en": "[Test] ", "zh": "[测试] "}
_TEST_ADDRESS = {
    "telegram": (re.compile(r"-?\d{1,20}"), "a Telegram chat id is a number (message the bot, then /start)"),
    "email": (re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}"), "that is not an e-mail address"),
    "webchat": (re.compile(r"[\w.:-]{1,128}"), "a web chat id is letters, digits, '-', '_', '.' or ':'"),
}


def sample_personal_code(campaign: Campaign) -> str | None:
    """What a test send shows for a personal single-use code: its shape, not a working code."""
    template = campaign.coupon_template
    return None if template is None else personal_code_example(template)


def marked_as_test(locale: str, text: str) -> str:
    return TEST_PREFIX.get(locale.split("-")[0], TEST_PREFIX["en"]) + text


async def send_campaign_test(cmd: c.SendCampaignTest, ctx: Context) -> str:
    """The campaign to one address of the marketer's, marked as a test. Web chat: the ``MarketingMessage``
    itself goes to the outbox (delivery 0, no customer); Telegram and e-mail: ``CampaignTestRequested``,
    which the sending process's subscriber renders and sends. Returns the locale used."""
    require_role(cmd.actor, Role.OPERATOR, "send test messages")
    address = cmd.address.strip()
    async with ctx.uow() as uow:
        campaign = await get_campaign(uow.campaigns, cmd.name, lock=False)
        assert campaign.id is not None
        if cmd.channel not in campaign.channels:
            raise ValidationFailed(
                f"{cmd.channel} is not one of this campaign's channels ({', '.join(campaign.channels)})."
            )
        pattern, problem = _TEST_ADDRESS[cmd.channel]
        if not pattern.fullmatch(address):
            raise ValidationFailed(f"Cannot send a test to {address!r}: {problem}.")
        locale = cmd.locale or next(iter(campaign.contents))
        content = campaign.content_for(locale)
        if cmd.channel == "webchat":
            uow.publish(
                events.MarketingMessage(
                    campaign.id,
                    0,
                    0,
                    address,
                    locale,
                    marked_as_test(locale, content.text),
                    content.image_url,
                    content.skus,
                    campaign.coupon_for(locale, sample_personal_code(campaign)),
                )
            )
        else:
            uow.publish(
                events.CampaignTestRequested(campaign.id, campaign.name, cmd.channel, address, locale, cmd.actor.name)
            )
        await uow.commit()
        return locale
