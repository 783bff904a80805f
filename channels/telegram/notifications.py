"""Order and support notifications: an outbox subscriber that messages the shopper on Telegram.

The outbox delivers each event to this subscriber until it returns without raising, and records that
per event id, so each notification is sent once. Two narrower guards make that hold across crashes too:
- every message of an event is marked sent (``processed_messages``, consumer ``tg-sent:<chat>:<n>``)
  right after Telegram accepted it, so a redelivery after a crash part-way skips what already went out;
- a send that fails (network down, flood limits beyond retrying) raises, and the outbox tries again.
What remains is the moment between Telegram's "ok" and the mark: a crash exactly there repeats one
message (Telegram offers no idempotency key to close that).

Which events a shopper hears about, and the words, are decided in ``bots.conversation.notices`` for every
channel alike; this module only finds the shopper's Telegram chats and renders the replies. A shopper who
blocked the bot is skipped (a certain 403), and the notice is held: when they write again
(``ChannelReachable``), the held notices are sent then.
"""

from __future__ import annotations

import logging
from typing import Any

from bots.conversation.notices import SHOPPER_NOTICE_EVENTS, order_chats
from bots.conversation.state import state_key
from bots.i18n import normalise_locale
from channels.telegram.channel import CHANNEL, TelegramChannel
from domain import events as ev

log = logging.getLogger(__name__)
SUBSCRIBER = "telegram"
NOTIFY_EVENTS = set(SHOPPER_NOTICE_EVENTS) | {"ChannelReachable"}
HELD = "tg-held:{customer_id}"  # processed_messages consumer: notices skipped while the shopper blocked us


class TelegramNotifier:
    def __init__(self, channel: TelegramChannel, uow_factory: Any, outbox: Any) -> None:
        self.channel = channel
        self.uow_factory = uow_factory  # for the per-message sent marks
        self.outbox = outbox  # to read back the notices held while the shopper had blocked the bot

    async def __call__(self, event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.ChannelReachable):
            if event.channel == CHANNEL:
                await self._release_held(event.customer_id)
            return
        for chat_id, locale, customer_id in await self._chats(event_id, event):
            await self._prime_locale(chat_id, locale)
            replies = await self.channel.engine.outgoing(event, CHANNEL, str(chat_id))
            for index, method in enumerate(self.channel.renderer.render_all(replies, chat_id, locale)):
                mark = f"tg-sent:{chat_id}:{index}"
                if await self._was_sent(mark, event_id):
                    continue
                # Raises when it can't send (the outbox retries later); None means the shopper blocked the
                # bot (403, now recorded): the rest of the notice waits for them to come back.
                if await self.channel.sender.send(method) is None:
                    await self._mark_sent(HELD.format(customer_id=customer_id), event_id)
                    break
                await self._mark_sent(mark, event_id)

    async def _chats(self, event_id: str, event: ev.Event) -> list[tuple[int, str, int]]:
        """(chat id, locale, customer id) of the shopper's Telegram chats this event concerns."""
        if isinstance(event, ev.TicketMessagePosted | ev.TicketClosed):
            if event.channel != CHANNEL or not event.chat_id.lstrip("-").isdigit():
                return []
            profile = await self.channel.views.customer(event.customer_id)
            return [(int(event.chat_id), profile.locale if profile else "en", event.customer_id)]
        chats, profile = await order_chats(self.channel.views, event, CHANNEL)
        if profile is None:
            return []
        if CHANNEL in profile.unreachable_channels:
            # They blocked the bot: don't spend the rate limit on certain 403s; tell them when they're back.
            await self._mark_sent(HELD.format(customer_id=profile.id), event_id)
            return []
        return [(int(ext), profile.locale, profile.id) for ext in chats if ext.isdigit()]

    async def _release_held(self, customer_id: int) -> None:
        """Send the notices held while the shopper had blocked the bot, oldest first."""
        for event_id, event in await self.outbox.marked_events(HELD.format(customer_id=customer_id)):
            await self(event_id, event)

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

    async def _was_sent(self, mark: str, event_id: str) -> bool:
        async with self.uow_factory() as uow:
            return not await uow.claim_once(mark, event_id)  # rolled back: only a look

    async def _mark_sent(self, mark: str, event_id: str) -> None:
        async with self.uow_factory() as uow:
            await uow.claim_once(mark, event_id)
            await uow.commit()
