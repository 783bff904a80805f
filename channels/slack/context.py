"""What every Slack listener needs: the shop's bus and views, the Web API client, and a few shared moves
(who is this Slack user, tell them something only they see, run a command and surface the domain's refusal)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from channels.slack.config import SlackConfig
from channels.slack.registry import MessageRegistry
from domain.errors import DomainError
from domain.ports import Clock
from domain.service_layer.messagebus import MessageBus
from domain.views.models import StaffView
from domain.views.port import ShopViews

log = logging.getLogger(__name__)
T = TypeVar("T")
OPS_KEY = "chatshop_ops"


class Refused(Exception):
    """The request was answered with an explanation; stop here."""


@dataclass
class SlackOps:
    bus: MessageBus
    views: ShopViews
    clock: Clock
    config: SlackConfig
    client: AsyncWebClient
    registry: MessageRegistry

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    def stamp(self) -> str:
        return f"{self.clock.now():%Y-%m-%d %H:%M} UTC"

    async def tell(self, channel: str | None, user: str, text: str, thread_ts: str | None = None) -> None:
        """An ephemeral message: only ``user`` sees it. Falls back to a DM when the bot is not in the channel."""
        try:
            if channel:
                await self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
                return
        except SlackApiError as exc:
            log.info("ephemeral to %s in %s failed (%s); sending a DM", user, channel, exc.response.get("error"))
        await self.client.chat_postMessage(channel=user, text=text)

    async def staff(self, channel: str | None, user: str) -> StaffView:
        """The staff member behind a Slack user, or an explanation to them and ``Refused``."""
        member = await self.views.staff_by_slack_user(user)
        if member is None or not member.active:
            await self.tell(
                channel,
                user,
                "You are not set up as shop staff, so I can't do that for you. Ask an admin to run "
                f'`chatshop staff add "Your Name" --role operator --slack-user {user}`.',
            )
            raise Refused(user)
        return member

    async def attempt(self, channel: str | None, user: str, work: Awaitable[T]) -> T:
        """Run a domain command; its refusal (not permitted, illegal now, invalid) goes to the user, ephemerally."""
        try:
            return await work
        except DomainError as exc:
            await self.tell(channel, user, exc.message)
            raise Refused(exc.code) from exc


def ops_of(context: AsyncBoltContext) -> SlackOps:
    ops = context[OPS_KEY]
    assert isinstance(ops, SlackOps)
    return ops


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel a command, action or event came from, whatever the payload shape."""
    for candidate in (
        body.get("channel_id"),
        (body.get("channel") or {}).get("id"),
        (body.get("container") or {}).get("channel_id"),
        (body.get("event") or {}).get("channel"),
    ):
        if candidate:
            return str(candidate)
    return None


def user_of(body: dict[str, Any]) -> str:
    return str(body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user"))
