"""A fake Telegram Bot API server on loopback, speaking the real wire format (for aiogram and our tests).

``/bot<token>/<method>`` takes form or JSON parameters like api.telegram.org and answers
``{"ok": true, "result": ...}`` with realistic objects (Message, User, True), or the real error shapes:
429 with ``parameters.retry_after`` when a chat or the bot goes over the configured rate, 403 "bot was
blocked by the user" for chosen chats, 400 "chat not found" for chats the bot never met, and answers held
back for ``delay_next`` seconds (timeouts). Every call is recorded. ``Updates`` builds Update JSON (messages,
commands, button presses, inline and pre-checkout queries, successful payments) for webhook tests and
for ``getUpdates`` long polling.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_ID = 123456
BOT_USERNAME = "chatshop_test_bot"
TOKEN = f"{BOT_ID}:AAE-fake-token-for-tests_0123456789"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Chatshop", "username": BOT_USERNAME}
# Methods that put something in a chat: these count against the rate limits and fail for blocked chats.
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendInvoice", "editMessageText", "editMessageMedia", "editMessageReplyMarkup",
     "editMessageCaption"}
)  # fmt: skip


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None and str(value).lstrip("-").isdigit() else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, label: str) -> dict[str, Any]:
        found = [b for b in self.buttons() if label.lower() in b["text"].lower()]
        assert found, f"no button {label!r} in {[b['text'] for b in self.buttons()]}"
        return found[0]


@dataclass
class Limits:
    per_chat_per_second: int | None = None  # more sends than this to one chat within a second: 429
    per_second: int | None = None  # more sends than this overall within a second: 429
    retry_after: int = 1


def _decode(value: Any) -> Any:
    if value in ("true", "false"):  # form fields carry booleans as JSON words
        return value == "true"
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# The tags Bot API's parse_mode=HTML accepts (https://core.telegram.org/bots/api#html-style).
TELEGRAM_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler",
     "tg-emoji", "blockquote"}
)  # fmt: skip


class _TelegramHtml(HTMLParser):
    """What Telegram makes of ``parse_mode=HTML`` text: the visible text, or why it can't parse the entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.error = self.error or f'Can\'t find end tag corresponding to start tag "{tag}"'
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def _refuse_entities(params: dict[str, Any], field: str, limit: int, too_long: str) -> str | None:
    """Telegram's 400 description for this text, or None when it would be accepted."""
    text = str(params.get(field) or "")
    if params.get("parse_mode") == "HTML":
        parser = _TelegramHtml()
        parser.feed(text)
        parser.close()
        if parser.error or parser.open:
            return f"Bad Request: can't parse entities: {parser.error or 'unclosed ' + parser.open[-1]}"
        text = "".join(parser.visible)
    return f"Bad Request: {too_long}" if len(text) > limit else None


@dataclass
class FakeTelegram:
    token: str = TOKEN
    limits: Limits = field(default_factory=Limits)
    blocked: set[int] = field(default_factory=set)
    unknown_chats: set[int] = field(default_factory=set)  # 400 "Bad Request: chat not found"
    calls: list[Call] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._recent_chat: dict[int, deque[float]] = defaultdict(deque)
        self._recent: deque[float] = deque()
        self._updates: list[dict[str, Any]] = []
        self._update_event = asyncio.Event()
        self.fail_next: list[int] = []  # HTTP statuses (500, 502...) for the next calls, in order
        self.delay_next: list[float] = []  # seconds to hold back the answers to the next calls, in order
        self.webhook: dict[str, Any] | None = None
        self.webhook_error: str | None = None  # getWebhookInfo's last_error_message, e.g. "Wrong response…"
        self._runner: web.AppRunner | None = None

    # --- server -------------------------------------------------------------------------------
    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json()
            return dict(body) if isinstance(body, dict) else {}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            params[key] = _decode(value) if isinstance(value, str) else getattr(value, "filename", "file")
        for key, value in request.query.items():
            params.setdefault(key, _decode(value))
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        if self.delay_next:
            await asyncio.sleep(self.delay_next.pop(0))
        if self.fail_next:
            status = self.fail_next.pop(0)
            call.params["_rejected"] = status
            return self._error(status, "Internal Server Error" if status >= 500 else "Bad Request")
        if method in MESSAGE_METHODS:
            chat_id = call.chat_id
            if chat_id is not None and chat_id in self.blocked:
                call.params["_rejected"] = 403  # never reached the chat, even once the chat unblocks
                return self._error(403, "Forbidden: bot was blocked by the user")
            if chat_id is not None and chat_id in self.unknown_chats:
                call.params["_rejected"] = 400
                return self._error(400, "Bad Request: chat not found")
            if self._over_limit(chat_id, call.at):
                call.params["_rejected"] = 429
                return self._error(
                    429,
                    f"Too Many Requests: retry after {self.limits.retry_after}",
                    {"retry_after": self.limits.retry_after},
                )
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    def _over_limit(self, chat_id: int | None, now: float) -> bool:
        for window, limit in ((self._recent, self.limits.per_second),
                              (self._recent_chat[chat_id or 0], self.limits.per_chat_per_second)):  # fmt: skip
            while window and now - window[0] >= 1.0:
                window.popleft()
            if limit is not None and len(window) >= limit:
                return True
        self._recent.append(now)
        self._recent_chat[chat_id or 0].append(now)
        return False

    @staticmethod
    def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    # --- messages -----------------------------------------------------------------------------
    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "A group"}
        return {"id": chat_id, "type": "private", "first_name": "Ann"}

    def _store(self, chat_id: int, content: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        message_id = next(self._message_ids[chat_id])
        message = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), "from": BOT_USER}
        message.update(content)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message_id)] = message
        return message

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return self._messages[(chat_id, message_id)]

    @staticmethod
    def _photo(file_id: str) -> list[dict[str, Any]]:
        return [{"file_id": file_id, "file_unique_id": file_id[-12:], "width": 800, "height": 800}]

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": True}  # fmt: skip

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        refused = _refuse_entities(params, "text", 4096, "message is too long")
        if refused:
            return self._error(400, refused)
        return self._store(int(params["chat_id"]), {"text": str(params["text"])}, params)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        refused = _refuse_entities(params, "caption", 1024, "message caption is too long")
        if refused:
            return self._error(400, refused)
        content = {"photo": self._photo(str(params["photo"])), "caption": str(params.get("caption", ""))}
        return self._store(int(params["chat_id"]), content, params)

    def _m_sendInvoice(self, params: dict[str, Any]) -> dict[str, Any]:
        prices = params.get("prices") or []
        invoice = {
            "title": params["title"],
            "description": params["description"],
            "start_parameter": params.get("start_parameter", ""),
            "currency": params["currency"],
            "total_amount": sum(int(p["amount"]) for p in prices),
        }
        return self._store(int(params["chat_id"]), {"invoice": invoice}, params)

    def _edit(self, params: dict[str, Any], change: dict[str, Any]) -> dict[str, Any] | web.Response:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._messages.get(key)
        if message is None:
            return self._error(400, "Bad Request: message to edit not found")
        updated = {**message, **change, "edit_date": int(time.time())}
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            updated["reply_markup"] = markup
        if updated == {**message, "edit_date": updated["edit_date"]}:
            return self._error(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        self._messages[key] = updated
        return updated

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        return self._edit(params, {"text": str(params["text"])})

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        return self._edit(params, {})

    def _m_editMessageMedia(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        media = params.get("media") or {}
        return self._edit(params, {"photo": self._photo(str(media.get("media"))), "caption": media.get("caption", "")})

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_answerPreCheckoutQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        # The Bot API never returns the secret_token; a failed delivery shows as last_error_*.
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if self.webhook is not None:
            info["url"] = str(self.webhook.get("url", ""))
            info["allowed_updates"] = self.webhook.get("allowed_updates") or []
        if self.webhook_error is not None:
            info.update(last_error_date=int(time.time()), last_error_message=self.webhook_error,
                        pending_update_count=len(self._updates))  # fmt: skip
        return info

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._update_event.clear()
            timeout = min(float(params.get("timeout") or 0), 5.0)
            try:
                await asyncio.wait_for(self._update_event.wait(), timeout)
            except TimeoutError:
                return []
        return list(self._updates)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (long polling)."""
        self._updates.append(update)
        self._update_event.set()

    # --- looking at what the bot did ----------------------------------------------------------
    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Calls that went through (not refused with 429/403), optionally by method and chat."""
        return [
            c
            for c in self.calls
            if (method is None or c.method == method)
            and (chat_id is None or c.chat_id == chat_id)
            and "_rejected" not in c.params
            and not (c.chat_id in self.blocked | self.unknown_chats and c.method in MESSAGE_METHODS)
        ]

    def messages_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.sent(chat_id=chat_id) if c.method in MESSAGE_METHODS]

    def clear(self) -> None:
        self.calls.clear()


class Updates:
    """Update JSON as Telegram sends it, for one shopper (user id == private chat id)."""

    def __init__(self, user_id: int = 5001, first_name: str = "Ann", language_code: str = "en") -> None:
        self.user_id = user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._ids = itertools.count(user_id * 1000)
        self._messages = itertools.count(1)

    def _update(self, **kind: Any) -> dict[str, Any]:
        return {"update_id": next(self._ids), **kind}

    def text(self, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._messages),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._update(message=message)

    def sticker(self) -> dict[str, Any]:
        sticker = {"file_id": "st1", "file_unique_id": "st1u", "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False}  # fmt: skip
        message = {"message_id": next(self._messages), "date": int(time.time()), "chat": self.chat,
                   "from": self.user, "sticker": sticker}  # fmt: skip
        return self._update(message=message)

    def press(self, data: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """A button press on ``message`` (a Message dict the fake returned), or on a message we don't have."""
        on = message or {"message_id": 1, "date": int(time.time()), "chat": self.chat, "from": BOT_USER, "text": "…"}
        query = {"id": f"cq{next(self._ids)}", "from": self.user, "chat_instance": "ci1", "data": data,
                 "message": on}  # fmt: skip
        return self._update(callback_query=query)

    def inline(self, query: str, offset: str = "") -> dict[str, Any]:
        return self._update(inline_query={"id": f"iq{next(self._ids)}", "from": self.user, "query": query,
                                          "offset": offset})  # fmt: skip

    def pre_checkout(self, payload: str, total: int, currency: str = "USD") -> dict[str, Any]:
        query = {"id": f"pc{next(self._ids)}", "from": self.user, "currency": currency, "total_amount": total,
                 "invoice_payload": payload}  # fmt: skip
        return self._update(pre_checkout_query=query)

    def successful_payment(
        self, payload: str, total: int, currency: str = "USD", charge: str = "tg-charge-1"
    ) -> dict[str, Any]:
        paid = {"currency": currency, "total_amount": total, "invoice_payload": payload,
                "telegram_payment_charge_id": charge, "provider_payment_charge_id": f"prov-{charge}"}  # fmt: skip
        message = {"message_id": next(self._messages), "date": int(time.time()), "chat": self.chat,
                   "from": self.user, "successful_payment": paid}  # fmt: skip
        return self._update(message=message)
