"""Campaign messages to Telegram: one JSON ``sendMessage`` / ``sendPhoto`` call per recipient.

Broadcasts are the one hot path to the Bot API, so they skip aiogram's request machinery: measured against
the fake Bot API in another process, aiogram's path (multipart form, pydantic validation of the method and
of the returned Message) cost 0.75-0.92 ms of CPU per message, a JSON POST on one aiohttp session 0.32 ms;
at a broadcast's pace that CPU decides whether the sender keeps its rate on a busy machine
(``bench/broadcast.py`` reports the sender's CPU per message). Replies and notifications still go through
aiogram (``TelegramSender``).

The dispatcher paces sends (shared across processes through Redis when configured); this transport only
says what happened, and never retries by itself, because Telegram offers no idempotency key:

- ``ok`` -> sent;
- 429 -> ``retry`` after ``parameters.retry_after`` (the dispatcher pauses every worker and queues the row);
- 403 (blocked, user deactivated) and 400 "chat not found" -> ``blocked``: the customer is marked
  unreachable on Telegram and not messaged again;
- the connection could not be opened (nothing was sent) -> ``retry`` with a back-off that doubles with each
  consecutive failure (1 s to 60 s), so a Telegram outage pauses the broadcast instead of failing it;
- a timeout or a connection lost after the request went out -> ``failed``: it may have been delivered, so
  it is never sent again blindly; any other error answer -> ``failed`` with Telegram's description.

The campaign's text may carry safe formatting (``bots/conversation/formatting.py``: bold, italic, http(s) links),
sent as ``parse_mode=HTML`` with everything else escaped.

Every message carries product buttons and an Unsubscribe button, signed payloads (``mc``/``mu`` with the
campaign id) handled by ``bots/campaigns/chat.py`` in the conversation engine.
"""

from __future__ import annotations

import json
import logging
from html import escape
from typing import Any

import aiohttp

from bots.campaigns.transport import Message
from bots.conversation.formatting import parse, telegram_html, truncate
from bots.conversation.payloads import PayloadCodec
from channels.telegram.sender import bot_rate_key
from domain.model.campaigns import SendOutcome
from domain.observability import metrics

log = logging.getLogger(__name__)

LABELS = {
    "en": {"unsubscribe": "Unsubscribe", "view": "View {sku}", "coupon": "Code: {code}", "checkout": "Check out"},
    "zh": {"unsubscribe": "退订", "view": "查看 {sku}", "coupon": "优惠码：{code}", "checkout": "去结算"},
}
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption
TEXT_LIMIT = 4096  # and for a message text
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
_UNREACHABLE_400 = ("chat not found", "user not found", "peer_id_invalid")


class TelegramCampaignTransport:
    def __init__(
        self,
        api_url: str,
        token: str,
        codec: PayloadCodec,
        timeout_seconds: float = 15.0,
        connections: int = 100,
    ) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}/"
        # The bot's overall rate is one, whoever sends with this token: its limiter key names the bot (the
        # token's public id part, never the secret).
        self.rate_key = bot_rate_key(token)
        self.codec = codec
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._connect_failures = 0  # in a row; reset by any answer from Telegram

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use: a ClientSession belongs to the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self._session

    @staticmethod
    def _labels(locale: str) -> dict[str, str]:
        return LABELS.get(locale.split("-")[0].split("_")[0], LABELS["en"])

    def markup(self, message: Message) -> dict[str, Any]:
        """The inline keyboard (Bot API ``InlineKeyboardMarkup``): one View button per product, then Unsubscribe."""
        chat = f"telegram:{message.address}"
        labels = self._labels(message.locale)
        rows = [
            [
                {
                    "text": product.label if product.price else labels["view"].format(sku=product.sku),
                    "callback_data": self.codec.encode(chat, "mc", message.campaign_id, product.sku),
                }
            ]
            for product in message.featured()
        ]
        if message.checkout:
            rows.append(
                [{"text": labels["checkout"], "callback_data": self.codec.encode(chat, "mco", message.campaign_id)}]
            )
        rows.append(
            [{"text": labels["unsubscribe"], "callback_data": self.codec.encode(chat, "mu", message.campaign_id)}]
        )
        return {"inline_keyboard": rows}

    def _coupon_line(self, message: Message) -> str:
        if not message.coupon:
            return ""
        return "\n\n" + self._labels(message.locale)["coupon"].format(code=message.coupon)

    def body(self, message: Message, limit: int) -> str:
        """``parse_mode=HTML`` text: the campaign's formatting, then the code; at most ``limit`` visible characters
        (Telegram counts what is shown, not the markup), cutting the campaign text rather than the code."""
        coupon = self._coupon_line(message)
        spans = truncate(parse(message.text), max(0, limit - len(coupon)))
        return telegram_html(spans) + escape(coupon, quote=False)

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        """The Bot API method and its JSON parameters for one campaign message."""
        chat_id = int(message.address)
        markup = self.markup(message)
        if message.image_url:
            return "sendPhoto", {
                "chat_id": chat_id,
                "photo": message.image_url,
                "caption": self.body(message, CAPTION_LIMIT),
                "parse_mode": "HTML",
                "reply_markup": markup,
            }
        return "sendMessage", {
            "chat_id": chat_id,
            "text": self.body(message, TEXT_LIMIT),
            "parse_mode": "HTML",
            "reply_markup": markup,
        }

    async def send(self, message: Message) -> SendOutcome:
        if not message.address.lstrip("-").isdigit():
            return SendOutcome.failed(f"not a Telegram chat id: {message.address!r}")
        method, params = self.request(message)
        body = json.dumps(params, ensure_ascii=False).encode()
        try:
            async with self._http().post(
                self.base + method, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                status, raw = response.status, await response.read()
        except aiohttp.ClientConnectorError as exc:
            # The connection was never opened: nothing reached Telegram, so sending again is safe.
            self._connect_failures += 1
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (self._connect_failures - 1))
            log.warning("Telegram unreachable (%s); broadcast paused %.0f s", exc, delay)
            return SendOutcome.retry(delay, f"Telegram unreachable: {exc}")
        except TimeoutError:
            return SendOutcome.failed("timed out waiting for Telegram: the message may have been delivered")
        except aiohttp.ClientError as exc:
            return SendOutcome.failed(f"{type(exc).__name__}: {exc}: the message may have been delivered")
        self._connect_failures = 0
        return self._outcome(status, raw)

    @staticmethod
    def _outcome(status: int, raw: bytes) -> SendOutcome:
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            return SendOutcome.failed(f"HTTP {status} without a Bot API answer")
        if answer.get("ok") is True:
            return SendOutcome.sent()
        code = answer.get("error_code", status)
        description = str(answer.get("description") or f"HTTP {status}")
        parameters = answer.get("parameters")
        if code == 429:
            metrics().telegram_429("campaign")
            retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
            seconds = float(retry_after) if isinstance(retry_after, int | float) and retry_after > 0 else 1.0
            return SendOutcome.retry(seconds, f"429 from Telegram: {description}")
        if code == 403 or (code == 400 and any(s in description.lower() for s in _UNREACHABLE_400)):
            return SendOutcome.blocked(f"{code}: {description}")
        return SendOutcome.failed(f"{code}: {description}")
