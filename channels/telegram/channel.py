"""The Telegram channel's moving parts in one object, handed to every handler (aiogram's ``workflow_data``).

It turns a Telegram update into an ``Inbound`` for the engine, and the engine's replies into Bot API
calls sent through the one ``TelegramSender``. It never decides what to say: flows do.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageMedia, EditMessageText, SendMessage
from aiogram.types import ReplyKeyboardMarkup, ReplyKeyboardRemove

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import Inbound, Reply
from bots.conversation.state import state_key
from channels.telegram import texts
from channels.telegram.deeplinks import CartTokens
from channels.telegram.render import Method, Origin, Renderer, esc
from channels.telegram.responses import pin_responses
from channels.telegram.sender import TelegramSender
from domain import commands as c
from domain.model.customers import Channel
from domain.ports import Clock
from domain.views.port import ShopViews

log = logging.getLogger(__name__)
CHANNEL = Channel.TELEGRAM.value
MAX_TEXT_IN = 2000  # longer messages are cut before the NLU sees them
IDENTITY_CACHE = 50_000


class ShopSettings(Protocol):
    @property
    def currency(self) -> str: ...
    @property
    def tax_rate_bp(self) -> int: ...
    @property
    def redis_url(self) -> str | None: ...
    @property
    def secret_key(self) -> Any: ...  # pydantic SecretStr


class Outbox(Protocol):
    def subscribe(self, name: str, handler: Any, events: set[str] | None = None) -> None: ...


class Shop(Protocol):
    """What the channel needs of the assembled shop (channels may not import chatshop, which wires them)."""

    @property
    def bus(self) -> Any: ...
    @property
    def views(self) -> ShopViews: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def settings(self) -> ShopSettings: ...
    @property
    def outbox(self) -> Outbox: ...


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    raw = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return raw or None


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    webhook_secret: str | None = None
    api_url: str = "https://api.telegram.org"
    provider_token: str | None = None
    rate_per_second: float = 30.0
    base_url: str = ""
    secret_key: str = "dev-only-change-me"
    redis_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> TelegramConfig | None:
        """None when no bot token is configured (the shop then runs without Telegram)."""
        token = _secret(getattr(settings, "telegram_token", None))
        if not token:
            return None
        return cls(
            token=token,
            webhook_secret=_secret(getattr(settings, "telegram_webhook_secret", None)),
            api_url=str(getattr(settings, "telegram_api_url", None) or cls.api_url),
            provider_token=_secret(getattr(settings, "telegram_provider_token", None)),
            rate_per_second=float(getattr(settings, "telegram_rate_per_second", 30.0)),
            base_url=str(getattr(settings, "base_url", "") or ""),
            secret_key=_secret(getattr(settings, "secret_key", None)) or cls.secret_key,
            redis_url=getattr(settings, "redis_url", None),
        )


def build_bot(config: TelegramConfig) -> Bot:
    """A Bot whose HTTP session talks to ``config.api_url`` (the real API, a local Bot API server, or a fake)."""
    pin_responses()  # once per process: aiogram's response models would otherwise be rebuilt after each GC
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_url.rstrip("/")))
    return Bot(config.token, session=session)


class TelegramChannel:
    def __init__(
        self,
        bot: Bot,
        engine: ConversationEngine,
        bus: Any,
        views: ShopViews,
        clock: Clock,
        config: TelegramConfig,
        sender: TelegramSender | None = None,
    ) -> None:
        self.bot = bot
        self.engine = engine
        self.bus = bus
        self.views = views
        self.clock = clock
        self.config = config
        self.renderer = Renderer(config.base_url, invoices=bool(config.provider_token))
        self.sender = sender or TelegramSender(bot, config.rate_per_second, on_blocked=self.mark_blocked)
        if self.sender.on_blocked is None:
            self.sender.on_blocked = self.mark_blocked
        self.cart_tokens = CartTokens(config.secret_key)
        self._customers: OrderedDict[str, int] = OrderedDict()

    # --- identity -------------------------------------------------------------------------------
    async def customer_for(self, user_id: int, name: str = "", locale: str | None = None, contact: bool = True) -> int:
        """The CRM customer behind a Telegram user (created on first contact); cached per process.

        ``contact``: the user is writing to us now (see IdentifyCustomer), not a look-up for a failed send."""
        key = str(user_id)
        cached = self._customers.get(key)
        if cached is not None:
            self._customers.move_to_end(key)
            return cached
        command = c.IdentifyCustomer(Channel.TELEGRAM, key, name[:200], locale=locale, contact=contact)
        customer_id = int(await self.bus.handle(command))
        self._customers[key] = customer_id
        while len(self._customers) > IDENTITY_CACHE:
            self._customers.popitem(last=False)
        return customer_id

    def forget_customer(self, user_id: int) -> None:
        self._customers.pop(str(user_id), None)

    async def mark_blocked(self, chat_id: int) -> None:
        """403 from Telegram: the shopper blocked the bot. Recorded so staff see it and notices wait; cleared
        by their next message (IdentifyCustomer), which is why the cached identity is dropped here."""
        customer_id = await self.customer_for(chat_id, contact=False)
        self.forget_customer(chat_id)
        if await self.bus.handle(c.SetChannelReachable(customer_id, CHANNEL, reachable=False)):
            log.info("customer %s blocked the Telegram bot", customer_id)

    # --- engine ---------------------------------------------------------------------------------
    def payload(self, chat_id: int, action: str, *args: str | int) -> str:
        """A signed engine payload for this chat (commands and deep links become button presses)."""
        return str(self.engine.services.codec.encode(f"{CHANNEL}:{chat_id}", action, *args))

    async def drop_conversation(self, chat_id: int) -> None:
        await self.engine.store.drop(state_key(CHANNEL, str(chat_id)))

    async def converse(
        self,
        chat_id: int,
        user_id: int,
        user_name: str,
        locale: str | None,
        *,
        text: str | None = None,
        payload: str | None = None,
        origin: Origin | None = None,
        with_menu_keyboard: bool = False,
    ) -> list[Reply]:
        inbound = Inbound(
            CHANNEL,
            str(chat_id),
            str(user_id),
            user_name[:200],
            text=text[:MAX_TEXT_IN] if text is not None else None,
            payload=payload,
            locale=locale,
        )
        replies = await self.engine.handle(inbound)
        await self.deliver(chat_id, replies, locale, origin=origin, with_menu_keyboard=with_menu_keyboard)
        return replies

    # --- out ------------------------------------------------------------------------------------
    async def deliver(
        self,
        chat_id: int,
        replies: list[Reply],
        locale: str | None,
        origin: Origin | None = None,
        with_menu_keyboard: bool = False,
    ) -> int:
        """Send (or edit in place) every reply; returns how many calls reached Telegram."""
        sent = 0
        for method in self.renderer.render_all(replies, chat_id, locale, origin, with_menu_keyboard):
            sent += await self.send(method, fallback=lambda r=replies: self.renderer.render(r[0], chat_id, locale))
        return sent

    async def send(self, method: Method, fallback: Any = None) -> int:
        try:
            return int(await self.sender.send(method) is not None)
        except TelegramBadRequest as exc:
            if isinstance(method, EditMessageText | EditMessageMedia) and fallback is not None:
                # The message can't be edited (too old, deleted): show the new state as a new message.
                log.info("edit failed (%s); sending a new message", exc.message)
                return int(await self.sender.send(fallback()) is not None)
            raise

    async def say(
        self, chat_id: int, text: str, markup: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
    ) -> None:
        await self.sender.send(
            SendMessage(chat_id=chat_id, text=esc(text), parse_mode=ParseMode.HTML, reply_markup=markup)
        )

    async def menu(self, chat_id: int, user_id: int, user_name: str, locale: str | None, note: str = "") -> None:
        """A note, then the engine's main menu (via the menu button payload)."""
        if note:
            await self.say(chat_id, note)
        await self.converse(chat_id, user_id, user_name, locale, payload=self.payload(chat_id, "m"))

    def text(self, key: str, locale: str | None, **values: object) -> str:
        return texts.text(key, locale, **values)
