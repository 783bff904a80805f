"""The conversation engine: Inbound -> (button payload | NLU parse | open form) -> flow -> Replies.

It identifies the shopper, keeps per-chat state, records analytics, stays silent while a human has the
chat, and never lets an exception reach the channel: whatever happens, the shopper gets an answer.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bots.conversation.messages import HandoffNotice, Inbound, Reply, Text
from bots.conversation.notices import order_notice
from bots.conversation.payloads import BadPayload
from bots.conversation.state import StateStore, state_key
from bots.conversation.turn import Router, Services, Turn
from bots.i18n import Translator, choose_locale
from bots.shopper.render import main_menu, menu_buttons
from domain import commands as c
from domain import events as ev
from domain.errors import DomainError, NotFound
from domain.model.customers import Channel
from nlu.interface import clean_text

log = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.45  # below this an intent is a guess: search if the message names products, else the menu
SEARCHY_ENTITIES = ("product", "category", "brand", "color")
MAX_ID_CHARS = 200

TicketLookup = Callable[[str, str], Awaitable[int | None]]


@dataclass(frozen=True)
class Outgoing:
    """Replies for a chat that nobody asked for right now (payment confirmed, an agent answered)."""

    channel: str | None  # None: any chat of the customer
    chat_id: str | None
    customer_id: int
    replies: list[Reply]


class ConversationEngine:
    def __init__(
        self,
        services: Services,
        store: StateStore,
        router: Router | None = None,
        open_ticket_for_chat: TicketLookup | None = None,
    ) -> None:
        from bots.shopper import shopper_router

        self.services = services
        self.store = store
        self.router = router or shopper_router()
        self.open_ticket_for_chat = open_ticket_for_chat
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    # --- one inbound message ------------------------------------------------------------------
    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Never raises: unknown failures become an apology (and a log line with the traceback)."""
        try:
            key = state_key(str(inbound.channel)[:32], str(inbound.chat_id)[:MAX_ID_CHARS])
            async with self._lock(key):
                return await self._handle(inbound, key)
        except Exception:
            log.exception("conversation turn failed (channel=%r)", getattr(inbound, "channel", None))
            return [self._apology(Translator(choose_locale(None, getattr(inbound, "locale", None), None)))]

    def _apology(self, t: Translator) -> Reply:
        _ = t
        return Text(_("Sorry, something went wrong on our side. Please try again in a moment."))

    async def _handle(self, inbound: Inbound, key: str) -> list[Reply]:
        text = clean_text(inbound.text) if inbound.text is not None else ""
        payload = inbound.payload if isinstance(inbound.payload, str) and inbound.payload else None
        state = await self.store.load(key)
        locale = choose_locale(text, inbound.locale if isinstance(inbound.locale, str) else None, state.locale)
        t = Translator(locale)
        try:
            channel = Channel(inbound.channel)
        except ValueError:
            _ = t
            return [Text(_("This chat channel isn't supported."))]
        turn = Turn(self.services, inbound, state, t)
        if state.customer_id is None:
            external = str(inbound.user_id or inbound.chat_id)[:MAX_ID_CHARS] or "anonymous"
            state.customer_id = int(
                await self.services.bus.handle(
                    c.IdentifyCustomer(channel, external, str(inbound.user_name or "")[:200], locale=locale)
                )
            )
        elif state.locale != locale:
            await self._save_locale(turn, locale)
        state.locale = locale
        try:
            replies = await self._route(turn, text, payload)
        except BadPayload as exc:
            replies = self._bad_payload(turn, exc)
        except DomainError as exc:
            _ = t
            replies = [main_menu(turn, _("Sorry: {problem}", problem=exc.message))]
        except Exception:
            log.exception("flow failed in %s (flow=%s step=%s)", key, state.flow, state.step)
            state.finish()  # a flow that crashed once would crash again on the next message
            replies = [self._apology(t), main_menu(turn)]
        for reply in replies:
            state.remember("bot", reply.as_text())
        await self.store.save(key, state)
        await self._write_analytics(turn)
        return replies

    async def _save_locale(self, turn: Turn, locale: str) -> None:
        try:
            await self.services.bus.handle(c.UpdateCustomer(turn.customer_id, locale=locale, actor=turn.actor))
        except DomainError as exc:  # a merged or erased customer: identify again next turn
            log.info("could not store locale for customer %s: %s", turn.state.customer_id, exc.message)
            turn.state.customer_id = None

    async def _route(self, turn: Turn, text: str, payload: str | None) -> list[Reply]:
        state = turn.state
        if state.handoff_ticket is None and state.fresh and self.open_ticket_for_chat is not None:
            state.handoff_ticket = await self.open_ticket_for_chat(turn.inbound.channel, turn.inbound.chat_id)
        if payload is not None:
            decoded = self.services.codec.decode(turn.chat, payload)
            state.remember("shopper", f"[{decoded.action}]")
            if state.handoff_ticket is not None and decoded.action != "hend":
                return []  # a human has the chat; old buttons do nothing until it is handed back
            handler = self.router.actions.get(decoded.action)
            if handler is None:
                raise BadPayload("stale")
            return await handler(turn, decoded)
        if not text:
            _ = turn.t
            return [main_menu(turn, _("Send me a message, or pick one:"))]
        state.remember("shopper", text)
        if state.handoff_ticket is not None:
            if await self._forward(turn, state.handoff_ticket, text):
                return []
            state.handoff_ticket = None  # the ticket was closed: the bot answers again
        form = self.router.forms.get(state.flow or "")
        if form is not None:
            return await form(turn, text)
        state.finish()  # a stray open flow without a form handler: start clean
        parse = await self.services.nlu.parse(text, turn.locale)
        turn.record(
            "message_received",
            properties={"intent": parse.intent, "confidence": round(parse.confidence, 3), "language": parse.language},
        )
        intent = parse.intent
        if parse.confidence < MIN_CONFIDENCE:
            intent = "search_product" if any(parse.first(k) for k in SEARCHY_ENTITIES) else "out_of_scope"
        flow = self.router.intents.get(intent) or self.router.intents["out_of_scope"]
        return await flow(turn, parse)

    async def _forward(self, turn: Turn, ticket_id: int, text: str) -> bool:
        """Pass the shopper's words to the agent; False when the ticket turned out to be closed."""
        try:
            await self.services.bus.handle(c.PostTicketMessage(ticket_id, text, turn.actor))
        except NotFound:
            return False
        return True

    def _bad_payload(self, turn: Turn, exc: BadPayload) -> list[Reply]:
        _ = turn.t
        if exc.reason == "stale":
            text = _("That button is out of date. Here is where you can go from now:")
        else:
            text = _("I can't use that button. Here is the menu instead:")
        return [main_menu(turn, text)]

    async def _write_analytics(self, turn: Turn) -> None:
        for command in turn.analytics:
            try:
                await self.services.bus.handle(command)
            except Exception:  # losing an analytics row must never cost the shopper their answer
                log.warning("analytics %s not recorded", command.name, exc_info=True)

    # --- events from the outbox -----------------------------------------------------------------
    async def outgoing(self, event: ev.Event, channel: str, chat_id: str) -> list[Reply]:
        """What to tell one chat about an event (or nothing). Also ends the hand-off on TicketClosed.

        Failures (the database hiccupped) raise: the outbox then tries the notice again later, rather than
        counting it as told."""
        key = state_key(channel, chat_id)
        async with self._lock(key):
            state = await self.store.load(key)
            turn = Turn(self.services, Inbound(channel, chat_id, ""), state, Translator(state.locale))
            replies = await self._outgoing(turn, event)
            if replies or isinstance(event, ev.TicketClosed):
                for reply in replies:
                    state.remember("agent" if isinstance(event, ev.TicketMessagePosted) else "bot", reply.as_text())
                await self.store.save(key, state)
            return replies

    async def _outgoing(self, turn: Turn, event: ev.Event) -> list[Reply]:
        _ = turn.t
        if isinstance(event, ev.MarketingMessage):
            from bots.campaigns.chat import marketing_replies

            return await marketing_replies(turn, event)
        if isinstance(event, ev.TicketMessagePosted):
            if event.author_kind != "agent":
                return []
            turn.state.handoff_ticket = event.ticket_id
            return [Text(_("{author} (support): {text}", author=event.author.split(":")[-1], text=event.text))]
        if isinstance(event, ev.TicketClosed):
            if turn.state.handoff_ticket not in (None, event.ticket_id):
                return []
            turn.state.handoff_ticket = None
            return [
                HandoffNotice(
                    _("Our team closed this conversation. You're back with the shop bot."),
                    event.ticket_id,
                    False,
                    menu_buttons(turn),
                )
            ]
        return await order_notice(turn, event)
