"""What every Slack listener needs: the shop's bus and views, the Web API client, and a few shared moves
(who is this Slack user, tell them something only they see, run a command and surface the domain's refusal)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bots.ops.orders import OrderCard
from channels.slack.blocks import order_message
from channels.slack.config import SlackConfig
from channels.slack.registry import MessageRef, MessageRegistry
from domain.errors import DomainError
from domain.model.staff import Permission
from domain.ports import Clock
from domain.service_layer.messagebus import MessageBus
from domain.views.models import StaffView
from domain.views.port import ShopViews

log = logging.getLogger(__name__)
T = TypeVar("T")
OPS_KEY = "chatshop_ops"


# A money move that did not get an answer from the payment provider (an outage): the refund row is committed
# as pending and the runtime's retry job asks the provider again with the same idempotency key.
PROVIDER_OUTAGE = (
    "The payment provider did not answer. The refund is recorded as pending and is sent again automatically; "
    "nothing is paid twice."
)


# The request's ``response_url`` (set per request by the app's middleware): Slack's way to answer a command
# or a click even where the bot may not post (a channel it is not in, a DM between people).
RESPONSE_URL: ContextVar[str | None] = ContextVar("slack_response_url", default=None)
NOT_MEMBER = ("not_in_channel", "channel_not_found", "is_archived")
MAX_ID = 2**63 - 1  # the largest id the database holds; anything bigger is not one of ours
SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on our side, so I could not finish that. It may not have happened: "
    "check before trying again, and ask an admin to look at the server log (ref `{ref}`)."
)


def parse_id(text: object) -> int | None:
    """An order, ticket or refund number as staff type or buttons carry it ("#4002", "4002"); None if not one."""
    cleaned = str(text).strip().lstrip("#")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 19:
        return None
    number = int(cleaned)
    return number if 0 < number <= MAX_ID else None


class Refused(Exception):
    """The request was answered with an explanation; stop here."""


class SeenEvents:
    """Keys already taken in, for a while: Slack redelivers (``X-Slack-Retry-Num``) when we were slow, and a
    modal can be submitted twice.

    Per process and in memory: a retry lands on the process that got the original unless a load balancer
    spreads them; then the outbox-side checks (thread already linked, message already posted) and the
    domain's idempotency keys still hold. Only ever used to word an answer or skip repeated work, never to
    decide whether money moves.
    """

    def __init__(self, ttl_seconds: float = 3600, capacity: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        now = time.monotonic()
        while self._seen and (len(self._seen) > self.capacity or next(iter(self._seen.values())) < now - self.ttl):
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True


@dataclass
class SlackOps:
    bus: MessageBus
    views: ShopViews
    clock: Clock
    config: SlackConfig
    client: AsyncWebClient
    registry: MessageRegistry
    submissions: SeenEvents = field(default_factory=SeenEvents)  # money moves already answered, by key
    bot_user_id: str | None = None  # learnt from the first request (Bolt's authorization)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    def stamp(self) -> str:
        return f"{self.clock.now():%Y-%m-%d %H:%M} UTC"

    async def tell(self, channel: str | None, user: str, text: str, thread_ts: str | None = None) -> None:
        """An ephemeral message: only ``user`` sees it (see ``show``)."""
        await self.show(channel, user, text, None, thread_ts)

    async def show(
        self,
        channel: str | None,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Only ``user`` sees it. Where the bot may not post (not a member, a DM between people) the answer
        goes through the request's ``response_url`` with a word on inviting the bot, else as a DM: an
        answer is never lost to the server log alone."""
        error = "no channel"
        if channel:
            try:
                await self.client.chat_postEphemeral(
                    channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts
                )
                return
            except SlackApiError as exc:
                error = str(exc.response.get("error"))
                log.info("ephemeral to %s in %s failed (%s)", user, channel, error)
        if await self._respond(text, blocks, invite=error in NOT_MEMBER):
            return
        await self.client.chat_postMessage(channel=user, text=text, blocks=blocks)

    def invite_hint(self) -> str:
        bot = f"<@{self.bot_user_id}>" if self.bot_user_id else "the shop's bot"
        return (
            f"I'm not a member of this conversation, so only you see this. Invite {bot} to the channel to use me there."
        )

    async def _respond(self, text: str, blocks: list[dict[str, Any]] | None, invite: bool) -> bool:
        url = RESPONSE_URL.get()
        if not url:
            return False
        if invite:
            hint = self.invite_hint()
            text = f"{text}\n\n_{hint}_"
            if blocks is not None:
                blocks = [*blocks, {"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]}]
        try:
            response = await AsyncWebhookClient(url).send(text=text, blocks=blocks, response_type="ephemeral")
        except Exception:  # the URL expired (30 min) or Slack is away: the DM is the last resort
            log.warning("answering through response_url failed", exc_info=True)
            return False
        return response.status_code == 200

    async def names_of(self, user_ids: list[str]) -> dict[str, str]:
        """The names shoppers see for Slack users: a staff member's name, else their Slack display name."""
        names: dict[str, str] = {}
        for user_id in user_ids:
            member = await self.views.staff_by_slack_user(user_id)
            if member is not None:
                names[user_id] = member.name
                continue
            try:
                profile = (await self.client.users_info(user=user_id)).get("user") or {}
            except SlackApiError:
                continue  # unknown to Slack too: the mention becomes "a colleague"
            shown = (profile.get("profile") or {}).get("display_name") or profile.get("real_name")
            if shown:
                names[user_id] = str(shown)
        return names

    async def staff(
        self, channel: str | None, user: str, permission: Permission | None = None, thread_ts: str | None = None
    ) -> StaffView:
        """The staff member behind a Slack user, or an explanation to them and ``Refused``.

        With ``permission``, their role is asked first, as the domain words it: a form that could only be
        refused on submit is not opened at all."""
        member = await self.views.staff_by_slack_user(user) if user else None
        if member is None or not member.active:
            await self.tell(
                channel,
                user,
                "You are not set up as shop staff, so I can't do that for you. Ask an admin to run "
                f'`chatshop staff add "Your Name" --role operator --slack-user {user}`.',
                thread_ts,
            )
            raise Refused(user)
        refusal = member.as_actor().refusal(permission) if permission is not None else None
        if refusal is not None:
            await self.tell(channel, user, refusal, thread_ts)
            raise Refused(permission)
        return member

    async def attempt(
        self,
        channel: str | None,
        user: str,
        work: Awaitable[T],
        *,
        explain: Callable[[DomainError], str | None] | None = None,
        outage: str | None = None,
        thread_ts: str | None = None,
    ) -> T:
        """Run a domain command; its refusal (not permitted, illegal now, invalid) goes to the user, ephemerally.

        ``explain`` may word a refusal better for this button (a second click of Cancel); ``outage`` is what
        to say when something other than the domain failed (the payment provider did not answer), instead of
        leaving the person who clicked without an answer."""
        try:
            return await work
        except DomainError as exc:
            await self.tell(channel, user, (explain(exc) if explain else None) or exc.message, thread_ts)
            raise Refused(exc.code) from exc
        except Exception as exc:
            if outage is None:
                raise
            log.exception("a Slack money move failed outside the domain")
            await self.tell(channel, user, outage, thread_ts)
            raise Refused("outage") from exc


async def replace_card(ops: SlackOps, card: OrderCard, is_ephemeral: object, response_url: object) -> bool:
    """Replace an ephemeral order card in place (Slack lets only its ``response_url`` touch it); False when
    there is no such card to replace."""
    if not is_ephemeral or not response_url:
        return False
    try:
        response = await AsyncWebhookClient(str(response_url)).send(
            text=card.title, blocks=order_message(card), replace_original=True
        )
    except Exception:
        log.warning("replacing the order card failed", exc_info=True)
        return False
    return response.status_code == 200


Listener = TypeVar("Listener", bound=Callable[..., Awaitable[None]])


def answered(listener: Listener) -> Listener:
    """A listener that never fails silently: whatever goes wrong after (or before) its ack, the person who
    asked is told, with a reference to find it in the log, and Slack still gets its ack in time.

    (Bolt's own error handler can't do it: an error right after the ack makes it drop the ack, and Slack
    shows a timeout.) Bolt passes arguments by name and reads them from the wrapped signature."""

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as exc:
            ack = kwargs.get("ack")
            if ack is not None and getattr(ack, "response", None) is None:
                with contextlib.suppress(Exception):
                    await ack()
            await told_failure(kwargs.get("context"), kwargs.get("body") or {}, exc)

    return run  # type: ignore[return-value]


async def told_failure(context: AsyncBoltContext | None, body: dict[str, Any], error: BaseException) -> None:
    ref = uuid.uuid4().hex[:8]
    log.error("Slack listener failed (ref %s)", ref, exc_info=error)
    ops = context.get(OPS_KEY) if context is not None else None
    user = user_of(body)
    if not isinstance(ops, SlackOps) or not user:
        return
    with contextlib.suppress(Exception):  # already failing: the log has it
        await ops.tell(channel_of(body) or _view_channel(body), user, SOMETHING_WENT_WRONG.format(ref=ref))


def _view_channel(body: dict[str, Any]) -> str | None:
    """The channel a modal was opened from, as our modals keep it in their metadata."""
    try:
        channel = json.loads((body.get("view") or {}).get("private_metadata") or "{}").get("channel")
    except (ValueError, AttributeError):
        return None
    return str(channel) if channel else None


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


def message_ref(body: dict[str, Any]) -> MessageRef | None:
    """The channel message a button was clicked in; None for an ephemeral one (it can't be updated)."""
    container = body.get("container") or {}
    if container.get("is_ephemeral"):
        return None
    if container.get("type") == "message" and container.get("channel_id") and container.get("message_ts"):
        return MessageRef(str(container["channel_id"]), str(container["message_ts"]))
    return None


def user_of(body: dict[str, Any]) -> str:
    """The Slack user who asked; "" when the payload names none (never the string "None")."""
    user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
    return str(user) if user else ""
