"""Campaign messages to Telegram, through the channel's one rate-limited ``TelegramSender``.

The campaign dispatcher paces sends itself (shared across processes through Redis when configured), so
the sender built here surfaces a 429 at once (``max_retry_after=0``) instead of waiting in-process: the
dispatcher then pauses *every* worker for ``retry_after`` and queues the message again. Network errors
are not retried here either (``network_attempts=1``): a timeout may hide a delivered message, and a
campaign never resends blindly. 403 ("blocked by the user") is reported as ``blocked``; the dispatcher
marks the customer unreachable on Telegram.

Every message carries product buttons and an Unsubscribe button, signed payloads (``mc``/``mu`` with the
campaign id) handled by ``bots/campaigns/chat.py`` in the conversation engine.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, SendMessage, SendPhoto
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.types import Message as TelegramMessage

from bots.campaigns.transport import Message
from bots.conversation.payloads import PayloadCodec
from channels.telegram.sender import TelegramSender
from domain.model.campaigns import SendOutcome

# aiogram parses every answer as ``Response[<the method's result type>]``, a pydantic generic model that
# pydantic caches only weakly: once collected it is rebuilt, schema and all, for the next call. Profiling
# the broadcast bench showed that rebuilding in 14% of the sender's CPU; a strong reference keeps the one
# model a broadcast needs (SendMessage and SendPhoto both return a Message) built once.
_RESPONSE_MODELS = (Response[TelegramMessage],)

LABELS = {
    "en": {"unsubscribe": "Unsubscribe", "view": "View {sku}", "coupon": "Code: {code}"},
    "zh": {"unsubscribe": "退订", "view": "查看 {sku}", "coupon": "优惠码：{code}"},
}


def campaign_sender(bot: Bot, rate_per_second: float = 30.0, chat_per_second: float = 1.0) -> TelegramSender:
    """A sender for broadcasts. The dispatcher's limiter (shared through Redis) sets the pace; the sender's
    own per-process buckets are set wide so they never queue: a queued ``aiolimiter`` bucket refills while
    a 429 pause lasts and then lets a whole bucket out at once, which earns the next 429 (measured)."""
    return TelegramSender(
        bot,
        rate_per_second=rate_per_second * 4,
        chat_per_second=chat_per_second * 4,
        chat_burst=1,
        network_attempts=1,
        max_retry_after=0,
    )


class TelegramCampaignTransport:
    def __init__(self, sender: TelegramSender, codec: PayloadCodec) -> None:
        self.sender = sender
        self.codec = codec

    async def aclose(self) -> None:
        await self.sender.bot.session.close()

    def _labels(self, locale: str) -> dict[str, str]:
        return LABELS.get(locale.split("-")[0].split("_")[0], LABELS["en"])

    def markup(self, message: Message) -> InlineKeyboardMarkup:
        chat = f"telegram:{message.address}"
        labels = self._labels(message.locale)
        rows = [
            [
                InlineKeyboardButton(
                    text=labels["view"].format(sku=sku),
                    callback_data=self.codec.encode(chat, "mc", message.campaign_id, sku),
                )
            ]
            for sku in message.skus
        ]
        rows.append(
            [
                InlineKeyboardButton(
                    text=labels["unsubscribe"], callback_data=self.codec.encode(chat, "mu", message.campaign_id)
                )
            ]
        )
        return InlineKeyboardMarkup(inline_keyboard=rows)

    def text(self, message: Message) -> str:
        text = message.text
        if message.coupon:
            text += "\n\n" + self._labels(message.locale)["coupon"].format(code=message.coupon)
        return text

    async def send(self, message: Message) -> SendOutcome:
        if not message.address.lstrip("-").isdigit():
            return SendOutcome.failed(f"not a Telegram chat id: {message.address!r}")
        chat_id = int(message.address)
        method: SendMessage | SendPhoto
        if message.image_url:
            method = SendPhoto(
                chat_id=chat_id,
                photo=message.image_url,
                caption=self.text(message)[:1024],
                reply_markup=self.markup(message),
            )
        else:
            method = SendMessage(chat_id=chat_id, text=self.text(message), reply_markup=self.markup(message))
        try:
            result = await self.sender.send(method)
        except TelegramRetryAfter as exc:
            return SendOutcome.retry(float(exc.retry_after), "429 from Telegram")
        if result is None:
            return SendOutcome.blocked("403: the bot was blocked by the user")
        return SendOutcome.sent()
