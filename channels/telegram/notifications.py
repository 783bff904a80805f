"""Order and support notifications: an outbox subscriber that messages the shopper on Telegram.

The outbox delivers each event to this subscriber until it returns without raising, and records that
per event id, so each notification is sent once. Two narrower guards make that hold across crashes too:
- every message of an event is marked sent (``processed_messages``, consumer ``tg-sent:<chat>:<n>``)
  right after Telegram accepted it, so a redelivery after a crash part-way skips what already went out;
- a send that fails (network down, flood limits beyond retrying) raises, and the outbox tries again.
What remains is the moment between Telegram's "ok" and the mark: a crash exactly there repeats one
message (Telegram offers no idempotency key to close that).

The words come from the engine (``ConversationEngine.outgoing``); for the events it doesn't phrase yet
(approved, delivered, cancelled, refunded) the channel has a short notice of its own in ``texts``.
"""

from __future__ import annotations

import logging
from typing import Any

from bots.conversation.messages import Button, QuickReplies, Reply
from bots.conversation.state import state_key
from bots.i18n import normalise_locale
from channels.telegram import texts
from channels.telegram.channel import CHANNEL, TelegramChannel
from domain import events as ev
from domain.model.money import Money

log = logging.getLogger(__name__)
SUBSCRIBER = "telegram"
NOTIFY_EVENTS = {
    "OrderPaid", "OrderStatusChanged", "OrderShipped", "OrderCancelled", "RefundSucceeded", "ReservationExpired",
    "PaymentFailed", "TicketMessagePosted", "TicketClosed",
}  # fmt: skip
STATUS_NOTICES = {"approved": "order_approved", "delivered": "order_delivered"}


class TelegramNotifier:
    def __init__(self, channel: TelegramChannel, uow_factory: Any) -> None:
        self.channel = channel
        self.uow_factory = uow_factory  # for the per-message sent marks

    async def __call__(self, event_id: str, event: ev.Event) -> None:
        for chat_id, locale in await self._chats(event):
            await self._prime_locale(chat_id, locale)
            replies = await self.channel.engine.outgoing(event, CHANNEL, str(chat_id))
            if not replies:
                replies = self._own_notice(event, chat_id, locale)
            for index, method in enumerate(self.channel.renderer.render_all(replies, chat_id, locale)):
                mark = f"tg-sent:{chat_id}:{index}"
                if await self._was_sent(mark, event_id):
                    continue
                await self.channel.sender.send(method)  # raises when it can't: the outbox retries later
                await self._mark_sent(mark, event_id)

    async def _chats(self, event: ev.Event) -> list[tuple[int, str]]:
        """(chat id, locale) of the shopper's Telegram chats this event concerns."""
        if isinstance(event, ev.TicketMessagePosted | ev.TicketClosed):
            if event.channel != CHANNEL or not event.chat_id.lstrip("-").isdigit():
                return []
            profile = await self.channel.views.customer(event.customer_id)
            return [(int(event.chat_id), profile.locale if profile else "en")]
        if isinstance(event, ev.OrderStatusChanged) and event.new not in STATUS_NOTICES:
            return []  # paid, shipped, cancelled and refunded have events of their own
        order_id = getattr(event, "order_id", None)
        customer_id = getattr(event, "customer_id", None)
        if not isinstance(order_id, int) or not isinstance(customer_id, int):
            return []
        channel = getattr(event, "channel", None)
        if channel is None:
            order = await self.channel.views.order(order_id)
            channel = order.channel if order is not None else None
        if channel != CHANNEL:
            return []
        profile = await self.channel.views.customer(customer_id)
        if profile is None or CHANNEL in profile.unreachable_channels:
            return []  # they blocked the bot: don't spend the rate limit on certain 403s
        # A private chat's id is the user's id, which is the Telegram identity's external id.
        return [(int(ext), profile.locale) for kind, ext in profile.identities if kind == CHANNEL and ext.isdigit()]

    async def _prime_locale(self, chat_id: int, locale: str) -> None:
        """The engine phrases a notification in the chat's remembered language; a chat with no state yet
        (the shopper hasn't written since the state expired) gets the CRM profile's language instead."""
        store = self.channel.engine.store
        key = state_key(CHANNEL, str(chat_id))
        state = await store.load(key)
        language = normalise_locale(locale)
        if state.fresh and language is not None and state.locale != language:
            state.locale = language
            await store.save(key, state)

    def _own_notice(self, event: ev.Event, chat_id: int, locale: str) -> list[Reply]:
        if isinstance(event, ev.OrderStatusChanged):
            text = texts.text(STATUS_NOTICES[event.new], locale, id=event.order_id)
        elif isinstance(event, ev.OrderCancelled):
            text = texts.text("order_cancelled", locale, id=event.order_id, reason=event.reason)
        elif isinstance(event, ev.RefundSucceeded):
            amount = Money(event.amount, event.currency).format()
            text = texts.text("refund_succeeded", locale, id=event.order_id, amount=amount)
        else:
            return []
        order_id = int(getattr(event, "order_id"))  # noqa: B009
        button = Button(texts.text("order_status", locale), self.channel.payload(chat_id, "o", order_id))
        return [QuickReplies(text, (button,))]

    async def _was_sent(self, mark: str, event_id: str) -> bool:
        async with self.uow_factory() as uow:
            return not await uow.claim_once(mark, event_id)  # rolled back: only a look

    async def _mark_sent(self, mark: str, event_id: str) -> None:
        async with self.uow_factory() as uow:
            await uow.claim_once(mark, event_id)
            await uow.commit()


def subscribe(outbox: Any, channel: TelegramChannel, uow_factory: Any) -> TelegramNotifier:
    notifier = TelegramNotifier(channel, uow_factory)
    outbox.subscribe(SUBSCRIBER, notifier, events=NOTIFY_EVENTS)
    return notifier
