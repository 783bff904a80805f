"""The conversation engine: Inbound -> (button payload | NLU parse | open form) -> flow -> Replies.

It identifies the shopper, keeps per-chat state, records analytics, stays silent while a human has the
chat, and never lets an exception reach the channel: whatever happens, the shopper gets an answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import unicodedata
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bots.conversation.messages import HandoffNotice, Inbound, Reply, Text
from bots.conversation.notices import order_notice
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.state import StateStore, state_key
from bots.conversation.turn import Form, Router, Services, Turn, turn_services
from bots.i18n import SUPPORTED, Translator, choose_locale
from bots.shopper.problems import problem_text
from bots.shopper.render import main_menu, menu_buttons
from domain import commands as c
from domain import events as ev
from domain.errors import DomainError, NotFound
from domain.model.customers import Channel
from domain.observability import metrics, turn_if_unbound
from nlu.interface import OUT_OF_SCOPE, ParseResult, clean_text, looks_like_code

log = logging.getLogger(__name__)

# The bot acts on an intent only when the top one is at least this confident AND beats the runner-up by
# ACT_MARGIN; otherwise it asks (or searches, when the message names products). Chosen by 5-fold
# cross-validation on nlu/data (`chatshop nlu cross-validate`, report key "acting"; nlu/crossval.py
# choose_threshold, a wrong action costing four needless questions): 0.65 / 0.5 acts on 83% of messages
# with 2.75% of those wrong; 0.45 and no margin (the old rule) acted on 93% with 6.3% wrong.
ACT_CONFIDENCE = 0.65
ACT_MARGIN = 0.5
SEARCHY_ENTITIES = ("product", "category", "brand", "color", "size")
MAX_ID_CHARS = 200
# During a form only a clear request for something else interrupts it (an address is free text and
# "1 Main Street" must not become a command); searches are not among them: a street can name a colour.
INTERRUPT_CONFIDENCE = 0.9
INTERRUPTS = frozenset(
    {
        "view_cart",
        "order_status",
        "cancel_order",
        "return_request",
        "remove_from_cart",
        "talk_to_human",
        "apply_coupon",
        "shipping_info",
        "payment_help",
        "unsubscribe",
        "browse_catalog",
    }
)
LEAVE_WORDS = frozenset(
    {"cancel", "stop", "quit", "exit", "never mind", "nevermind", "取消", "停止", "退出", "算了", "不要了"}
)
BACK_WORDS = frozenset({"back", "go back", "previous", "返回", "上一步", "后退"})

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
        # Every button label the shop shows, in every language, as typed text -> the action it presses.
        self._labels = {
            words(Translator(locale)(label)): action
            for locale in SUPPORTED
            for label, action in self.router.labels.items()
        }

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    # --- one inbound message ------------------------------------------------------------------
    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Never raises: unknown failures become an apology (and a log line with the traceback)."""
        with turn_if_unbound():  # the channel's entry started the turn; a CLI chat starts one here
            return await self._handle_turn(inbound)

    async def _handle_turn(self, inbound: Inbound) -> list[Reply]:
        started = time.perf_counter()
        try:
            key = state_key(str(inbound.channel)[:32], str(inbound.chat_id)[:MAX_ID_CHARS])
            log.debug("turn in %s: %s", key, "a button" if inbound.payload else "a message")  # no shopper words
            async with self._lock(key), self.services.views.read_scope() as views:
                return await self._handle(inbound, key, turn_services(self.services, views))
        except Exception:
            log.exception("conversation turn failed (channel=%r)", getattr(inbound, "channel", None))
            return [self._apology(Translator(choose_locale(None, getattr(inbound, "locale", None), None)))]
        finally:
            metrics().turn(str(getattr(inbound, "channel", ""))[:32], time.perf_counter() - started)

    def _apology(self, t: Translator) -> Reply:
        _ = t
        return Text(_("Sorry, something went wrong on our side. Please try again in a moment."))

    async def _handle(self, inbound: Inbound, key: str, services: Services) -> list[Reply]:
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
        turn = Turn(services, inbound, state, t)
        if state.customer_id is None:
            external = str(inbound.user_id or inbound.chat_id)[:MAX_ID_CHARS] or "anonymous"
            state.customer_id = int(
                await services.bus.handle(
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
            replies = [main_menu(turn, _("Sorry: {problem}", problem=problem_text(turn, exc)))]
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
            await turn.services.bus.handle(c.UpdateCustomer(turn.customer_id, locale=locale, actor=turn.actor))
        except DomainError as exc:  # a merged or erased customer: identify again next turn
            log.info("could not store locale for customer %s: %s", turn.state.customer_id, exc.message)
            turn.state.customer_id = None

    async def _route(self, turn: Turn, text: str, payload: str | None) -> list[Reply]:
        state = turn.state
        if state.handoff_ticket is None and state.fresh and self.open_ticket_for_chat is not None:
            state.handoff_ticket = await self.open_ticket_for_chat(turn.inbound.channel, turn.inbound.chat_id)
        # What the previous turn showed is what this message can refer to ("size 42" to a shoe card).
        shown = state.memory.pop("on_show", None)
        turn.on_show = int(shown) if isinstance(shown, int) else None
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
            return await self._in_form(turn, form, text)
        state.finish()  # a stray open flow without a form handler: start clean
        label = self._labels.get(words(text))
        if label is not None:
            turn.record("message_received", properties={"intent": f"button:{label}", "confidence": 1.0})
            return await self._press(turn, label)
        parse = await self._parse(turn, text)
        return await self._act(turn, parse)

    async def _parse(self, turn: Turn, text: str) -> ParseResult:
        if looks_like_code(text):  # whichever NLU runs (Rasa too): markup is never a request
            parse = ParseResult(text, OUT_OF_SCOPE, 0.0, (), "en", ((OUT_OF_SCOPE, 0.0),))
        else:
            started = time.perf_counter()
            parse = await self.services.nlu.parse(text, turn.locale)
            metrics().nlu_parse(time.perf_counter() - started, parse.intent, parse.confidence)
        turn.record(
            "message_received",
            properties={"intent": parse.intent, "confidence": round(parse.confidence, 3), "language": parse.language},
        )
        return parse

    async def _act(self, turn: Turn, parse: ParseResult) -> list[Reply]:
        """Run the intent when it is understood; otherwise search (products named) or ask which was meant."""
        fallback = self.router.intents["out_of_scope"]
        ranking = parse.intent_ranking or ((parse.intent, parse.confidence),)
        runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
        sure = parse.confidence >= ACT_CONFIDENCE and parse.confidence - runner_up >= ACT_MARGIN
        if sure or parse.intent == OUT_OF_SCOPE:
            return await (self.router.intents.get(parse.intent) or fallback)(turn, parse)
        if any(parse.first(k) for k in SEARCHY_ENTITIES):
            return await self.router.intents["search_product"](turn, parse)
        if self.router.ask is not None:
            return await self.router.ask(turn, parse)
        return await fallback(turn, parse)

    async def _press(self, turn: Turn, action: str) -> list[Reply]:
        handler = self.router.actions.get(action)
        if handler is None:
            raise BadPayload("stale")
        return await handler(turn, Payload(action, ()))

    async def _in_form(self, turn: Turn, form: Form, text: str) -> list[Reply]:
        """An answer goes to the form; leaving words leave it; a clear other request is answered first and
        the form then asks its question again."""
        said = words(text)
        if said in LEAVE_WORDS:
            return await form.leave(turn)
        if said in BACK_WORDS:
            return await (form.back or form.leave)(turn)
        flow = turn.state.flow
        label = self._labels.get(said)
        if label is not None:
            replies = await self._press(turn, label)
        else:
            parse = await self._parse(turn, text)
            if parse.intent == "deny" and parse.confidence >= INTERRUPT_CONFIDENCE:
                return await form.leave(turn)  # "no", "nope": not an answer to any of our questions
            other = parse.intent in INTERRUPTS and parse.intent not in form.answer_intents
            if not (other and parse.confidence >= INTERRUPT_CONFIDENCE):
                return await form.answer(turn, text)
            replies = await self.router.intents[parse.intent](turn, parse)
        if turn.state.flow != flow:  # that request ended the form (a person took over, another form began)
            return replies
        _ = turn.t
        back = Text(_("Now, back to {form}:", form=form.title(turn)))
        return [*replies, back, *await form.resume(turn)]

    async def _forward(self, turn: Turn, ticket_id: int, text: str) -> bool:
        """Pass the shopper's words to the agent; False when the ticket turned out to be closed."""
        try:
            await turn.services.bus.handle(c.PostTicketMessage(ticket_id, text, actor=turn.actor))
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
        if not turn.analytics:
            return
        try:  # one transaction for the turn's rows, not one each
            await turn.services.bus.handle(c.RecordAnalyticsBatch(tuple(turn.analytics)))
        except Exception:  # losing analytics rows must never cost the shopper their answer
            log.warning("analytics %s not recorded", [a.name for a in turn.analytics], exc_info=True)

    # --- events from the outbox -----------------------------------------------------------------
    async def outgoing(self, event: ev.Event, channel: str, chat_id: str) -> list[Reply]:
        """What to tell one chat about an event (or nothing). Also ends the hand-off on TicketClosed.

        Failures (the database hiccupped) raise: the outbox then tries the notice again later, rather than
        counting it as told."""
        key = state_key(channel, chat_id)
        async with self._lock(key), self.services.views.read_scope() as views:
            state = await self.store.load(key)
            services = turn_services(self.services, views)
            turn = Turn(services, Inbound(channel, chat_id, ""), state, Translator(state.locale))
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


def words(text: str) -> str:
    """Typed text as a comparable phrase: case, accents' width, punctuation, emoji and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch if (ch.isalnum() or ch.isspace()) else " " for ch in text)
    return " ".join(kept.split())
