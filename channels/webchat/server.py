"""The web chat: a WebSocket endpoint speaking PROTOCOL.md, the widget page, and the embed script."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import Inbound, Reply
from bots.conversation.notices import SHOPPER_NOTICE_EVENTS, order_chats
from bots.i18n import choose_locale, normalise_locale
from channels.payment_pages import accepted_language
from channels.webchat.hub import ChatHistory, Fanout, Hub, MemoryHistory, Peer, chat_id_for, turn_id
from channels.webchat.settings import WebchatSettings
from channels.webchat.texts import error_text, words_script
from domain import events as ev
from domain.observability import begin_turn
from domain.ports import Clock
from domain.views.port import ShopViews

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
CHANNEL = "webchat"
ENGINE_KEY = web.AppKey("webchat_engine", ConversationEngine)
HUB_KEY = web.AppKey("webchat_hub", Hub)
SETTINGS_KEY = web.AppKey("webchat_settings", WebchatSettings)
_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SUBSCRIBER = "webchat"  # its outbox consumer name (chatshop/subscribers lists it)
NOTIFY_EVENTS = set(SHOPPER_NOTICE_EVENTS) | {"MarketingMessage"}
# Buttons whose answer redraws the message they were pressed in, as Telegram edits it: an option (colour,
# size) or a variant picked on a product card answers with that card, changed; a cart line's −, + or Remove
# with the cart; a list's Previous / More with the list's other page. Action -> kind of reply.
IN_PLACE = {"po": "product_card", "pv": "product_card", "cq": "cart", "pg": "product_list"}
_MID = re.compile(r"^[0-9a-f]{1,40}\.[0-9]{1,3}$")
PRUNE_SECONDS = 600.0


class ShopSettings(Protocol):
    # Read-only members, so any settings object with these fields fits (a settable member would have to
    # match its type exactly).
    @property
    def redis_url(self) -> str | None: ...
    @property
    def secret_key(self) -> Any: ...  # a pydantic SecretStr


class Outbox(Protocol):
    def subscribe(self, name: str, handler: Any, events: set[str] | None = None) -> None: ...


class Shop(Protocol):
    """What the web chat needs of the assembled shop (channels may not import chatshop, which wires them)."""

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


class RateLimiter:
    """At most ``limit`` messages in any ``window`` seconds (a sliding log; per connection, so tiny)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._times: deque[float] = deque()

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        while self._times and now - self._times[0] > self.window:
            self._times.popleft()
        if len(self._times) >= self.limit:
            return False
        self._times.append(now)
        return True


def _trusted(peer: str | None, proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:  # a Unix socket or no peer at all
        return False
    return any(address in network for network in proxies)


def public_origin(request: web.Request, settings: WebchatSettings) -> str:
    """The scheme and host the browser used. Behind a reverse proxy (TLS ends there) the request arrives as
    plain http to an inner address, so a trusted proxy's ``Forwarded`` (RFC 7239) or ``X-Forwarded-Proto``
    / ``X-Forwarded-Host`` tell the outside view; from anyone else those headers are ignored (spoofable)."""
    scheme, host = request.scheme, request.host
    if _trusted(request.remote, settings.proxies):
        # The last element is the one our trusted peer added (earlier ones came from further out, unchecked).
        forwarded = request.forwarded  # aiohttp's RFC 7239 parser
        last = forwarded[-1] if forwarded else {}
        proto = last.get("proto") or request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip()
        fwd_host = last.get("host") or request.headers.get("X-Forwarded-Host", "").split(",")[-1].strip()
        scheme = proto.lower() if proto.lower() in ("http", "https") else scheme
        host = fwd_host or host
    return f"{scheme}://{host}"


def client_address(request: web.Request, settings: WebchatSettings) -> str:
    """Who is connecting: the peer, or for a trusted proxy the address it says it forwarded for."""
    peer = request.remote or "unknown"
    if _trusted(request.remote, settings.proxies):
        forwarded = request.forwarded
        named = (forwarded[-1].get("for") if forwarded else None) or request.headers.get("X-Forwarded-For", "").split(
            ","
        )[-1].strip()
        if named:
            return named.strip('"[]')
    return peer


class NewChatLimiter:
    """At most ``per_minute`` new chats (fresh sessions, each a new customer) per client address, so a script
    can't fill the CRM and the analytics with throw-away shoppers. Remembers the busiest recent addresses."""

    def __init__(self, per_minute: int, remember: int = 10_000) -> None:
        self.per_minute, self.remember = per_minute, remember
        self._by_address: OrderedDict[str, RateLimiter] = OrderedDict()

    def allow(self, address: str) -> bool:
        limiter = self._by_address.pop(address, None) or RateLimiter(self.per_minute, 60.0)
        self._by_address[address] = limiter
        while len(self._by_address) > self.remember:
            self._by_address.popitem(last=False)
        return limiter.allow()


NEW_CHATS_KEY = web.AppKey("webchat_new_chats", NewChatLimiter)


def origin_allowed(request: web.Request, settings: WebchatSettings) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser (browsers always send Origin on a WebSocket upgrade)
    origin = origin.rstrip("/")
    return origin == public_origin(request, settings) or "*" in settings.origins or origin in settings.origins


def _dicts(replies: list[Reply]) -> list[dict[str, Any]]:
    return [r.to_dict() for r in replies]


async def _error(ws: web.WebSocketResponse, code: str, message: str, ref: str | None = None) -> None:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if ref is not None:
        frame["ref"] = ref  # which of the client's frames was refused, so it can mark that one "not sent"
    await ws.send_json(frame)


def action_of(payload: str) -> str:
    """The action of a button payload (``1.po.3.7.1~mac`` -> ``po``), unverified: it only decides whether the
    answer redraws the card the button was in; the engine checks the payload itself."""
    parts = payload.rpartition("~")[0].split(".")
    return parts[1] if len(parts) > 1 else ""


def redraws(data: dict[str, Any], payload: str) -> str | None:
    """The message (``in``: its id) a button frame's answer may redraw, when the button is one that does."""
    target = data.get("in")
    if isinstance(target, str) and _MID.match(target) and action_of(payload) in IN_PLACE:
        return target
    return None


def _ref(data: dict[str, Any]) -> str | None:
    ref = data.get("id")
    return ref if isinstance(ref, str) and 0 < len(ref) <= 64 else None


async def websocket(request: web.Request) -> web.StreamResponse:
    settings, hub, engine = request.app[SETTINGS_KEY], request.app[HUB_KEY], request.app[ENGINE_KEY]
    # The chat's language for the server's own words: the browser's until the hello, then the chat's as the
    # engine decides it (Chinese text, else the hello's locale; a button keeps the chat's).
    chat_locale: str | None = accepted_language(request.headers.get("Accept-Language", ""))
    if not origin_allowed(request, settings):
        raise web.HTTPForbidden(text=error_text(chat_locale, "origin"))
    if hub.restarting_now:  # this process is going away: the widget retries, reaching the next one
        raise web.HTTPServiceUnavailable(text=error_text(chat_locale, "restarting"))
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=settings.max_frame_bytes)
    await ws.prepare(request)
    peer = Peer(ws)
    limiter = RateLimiter(settings.rate_limit_messages, settings.rate_limit_seconds)
    limits = {"max_message_chars": settings.max_message_chars}
    chat_id: str | None = None
    locale: str | None = None
    try:
        async for msg in ws:
            begin_turn()  # each frame is a turn of its own in the logs (domain/observability.py)
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.ERROR:
                    break
                await _error(ws, "bad_request", error_text(chat_locale, "not_json"))
                continue
            try:
                data = json.loads(msg.data)
            except ValueError:
                await _error(ws, "bad_request", error_text(chat_locale, "not_json"))
                continue
            if not isinstance(data, dict):
                await _error(ws, "bad_request", error_text(chat_locale, "not_object"))
                continue
            kind, ref = data.get("type"), _ref(data)
            if kind == "hello":
                if not limiter.allow():
                    await _error(ws, "rate_limited", error_text(chat_locale, "slow_down"), ref)
                    continue
                locale = data.get("locale") if isinstance(data.get("locale"), str) else None
                chat_locale = normalise_locale(locale) or chat_locale
                token = data.get("session")
                if not isinstance(token, str) or not _SESSION.match(token):
                    if not request.app[NEW_CHATS_KEY].allow(client_address(request, settings)):
                        await _error(ws, "rate_limited", error_text(chat_locale, "new_chats"))
                        continue
                    token = secrets.token_urlsafe(24)
                if chat_id is not None:
                    hub.detach(chat_id, peer)
                chat_id = chat_id_for(token)
                # Attached before the history is read, and holding the socket's frames until the welcome is
                # out: a frame for this chat arriving meanwhile follows the welcome (the widget drops a notice
                # it already shows by its id) instead of falling between the read and the attach.
                async with peer.lock:
                    hub.attach(chat_id, peer)
                    resumed = await hub.resume(chat_id)
                    peer.seen = resumed.turns
                    history = resumed.shown_history()
                    typed_before = [h.get("text") for h in history if h.get("from") == "user"]
                    last = typed_before[-1] if typed_before and isinstance(typed_before[-1], str) else None
                    chat_locale = choose_locale(last, locale, None)
                    await ws.send_json({"type": "welcome", "session": token, "history": history, "limits": limits})
                    for nid, replies in resumed.pending:
                        await ws.send_json({"type": "notification", "id": nid, "replies": replies})
                if not resumed.history and not resumed.pending:
                    greeting = await engine.handle(Inbound(CHANNEL, chat_id, chat_id, text="hello", locale=locale))
                    await _send_replies(peer, hub, chat_id, turn_id(), [], greeting, None)
                continue
            if chat_id is None:
                await _error(ws, "no_session", error_text(chat_locale, "no_session"), ref)
                continue
            if kind not in ("message", "button"):
                await _error(ws, "bad_request", error_text(chat_locale, "unknown_type"), ref)
                continue
            typed = data.get("text") if kind == "message" and isinstance(data.get("text"), str) else None
            chat_locale = choose_locale(typed if typed and typed.strip() else None, locale, chat_locale)
            if not limiter.allow():
                await _error(ws, "rate_limited", error_text(chat_locale, "slow_down"), ref)
                continue
            target: str | None = None
            action = ""
            if kind == "message":
                text = data.get("text")
                if not isinstance(text, str) or not text.strip():
                    await _error(ws, "bad_request", error_text(chat_locale, "no_text"), ref)
                    continue
                if len(text) > settings.max_message_chars:
                    message = error_text(chat_locale, "too_long", max=settings.max_message_chars, n=len(text))
                    await _error(ws, "too_large", message, ref)
                    continue
                shown = text
                inbound = Inbound(CHANNEL, chat_id, chat_id, text=text, locale=locale)
            else:
                payload = data.get("payload")
                label = data.get("label")
                if not isinstance(payload, str) or len(payload) > 128:
                    await _error(ws, "bad_request", error_text(chat_locale, "no_payload"), ref)
                    continue
                target, action = redraws(data, payload), action_of(payload)
                # A pick redraws its card: nothing is said (no bubble, nothing in the history), as on Telegram.
                shown = label[:200] if isinstance(label, str) and target is None else ""
                inbound = Inbound(CHANNEL, chat_id, chat_id, payload=payload, locale=locale)
            # The chat's other tabs (here or in another process) show what was said here, and that an
            # answer is on its way (not for a redraw: the message just changes where it is).
            turn = turn_id()
            said = [{"type": "user", "text": shown}] if shown else []
            if target is None:
                await hub.broadcast(chat_id, [*said, {"type": "typing"}], skip=peer, turn=turn)
            user = [{"from": "user", "text": shown, "turn": turn}] if shown else []
            answer = await engine.handle(inbound)
            if target is not None and not (len(answer) == 1 and answer[0].kind == IN_PLACE.get(action)):
                target = None  # answered otherwise (an outdated button, an error): a new message
            await _send_replies(peer, hub, chat_id, turn, user, answer, ref, target)
    finally:
        if chat_id is not None:
            hub.detach(chat_id, peer)
    return ws


async def _send_replies(
    peer: Peer,
    hub: Hub,
    chat_id: str,
    turn: str,
    said: list[dict[str, Any]],
    replies: list[Reply],
    ref: str | None,
    redraw: str | None = None,
) -> None:
    """The turn is written to the history (one write: what was said and the answer), then the answer goes to
    the socket that asked (with its frame's ``ref``) and to every other tab of the chat. Written first, so
    an answer cut off by a restart is in the history the widget gets back.

    Each answer has a message id (``mids``). ``redraw`` names the message the one answer replaces (a product
    card whose option was picked): the history holds the new card where the old one was, and the frame says
    ``replace`` so every tab redraws it there. When that message is no longer in the history, the answer is
    a new message after all."""
    dicts = _dicts(replies)
    if redraw is not None and await hub.redraw(
        chat_id, {"from": "bot", "reply": dicts[0], "turn": turn, "mid": redraw}
    ):
        frame: dict[str, Any] = {"type": "replies", "replies": dicts, "mids": [redraw], "replace": redraw}
    else:
        mids = [f"{turn}.{index}" for index in range(len(dicts))]
        entries = [
            {"from": "bot", "reply": reply, "turn": turn, "mid": mid} for reply, mid in zip(dicts, mids, strict=True)
        ]
        await hub.remember(chat_id, [*said, *entries])
        frame = {"type": "replies", "replies": dicts, "mids": mids}
    await peer.send(frame | ({"ref": ref} if ref is not None else {}))
    await hub.broadcast(chat_id, [frame], skip=peer, turn=turn)


def notifier(shop: Shop, engine: ConversationEngine, hub: Hub) -> Any:
    """Outbox subscriber: tell the shopper's web chats about payments, shipping and support replies."""

    async def on_event(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.TicketMessagePosted | ev.TicketClosed):
            chats = [event.chat_id] if event.channel == CHANNEL else []
        elif isinstance(event, ev.MarketingMessage):
            # The delivery's own address; a marketer's test send has no customer to look up.
            chats = [event.chat_id]
        else:
            chats, _ = await order_chats(shop.views, event, CHANNEL)
        for chat_id in chats:
            replies = await engine.outgoing(event, CHANNEL, chat_id)
            if replies:
                await hub.push(chat_id, _dicts(replies))

    return on_event


async def _words(request: web.Request) -> web.Response:
    """The widget's own words in every language, from the catalogs (``texts.py``)."""
    return web.Response(
        text=words_script(), content_type="application/javascript", headers={"Cache-Control": "no-cache"}
    )


def _static(name: str, content_type: str) -> Any:
    async def handler(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / name, headers={"Content-Type": content_type, "Cache-Control": "no-cache"})

    return handler


def mount(
    app: web.Application,
    shop: Shop,
    engine: ConversationEngine,
    settings: WebchatSettings | None = None,
    history: ChatHistory | None = None,
    fanout: Fanout | None = None,
) -> None:
    """Add /chat (widget page), /chat/ws (socket), /chat/widget.js (embed); the notices to open chats are
    subscribed by chatshop/subscribers/channels.py (``notifier`` on the hub and engine kept in the app).

    ``history`` keeps each chat's last messages and unseen notices (memory unless given: ``chatshop run`` gives
    Redis or the database); ``fanout`` carries frames between processes (Redis pub/sub, when configured)."""
    settings = settings or WebchatSettings()
    hub = Hub(history or MemoryHistory(settings.history_size), fanout, settings.pending_size)
    app[SETTINGS_KEY], app[HUB_KEY], app[ENGINE_KEY] = settings, hub, engine
    app[NEW_CHATS_KEY] = NewChatLimiter(settings.new_chats_per_minute)
    app.router.add_get("/chat", _static("index.html", "text/html; charset=utf-8"))
    app.router.add_get("/chat/app.js", _static("app.js", "application/javascript"))
    app.router.add_get("/chat/words.js", _words)
    app.router.add_get("/chat/chat.css", _static("chat.css", "text/css"))
    app.router.add_get("/chat/widget.js", _static("widget.js", "application/javascript"))
    app.router.add_get("/chat/favicon.svg", _static("favicon.svg", "image/svg+xml"))
    app.router.add_get("/chat/ws", websocket)
    app.cleanup_ctx.append(_background(hub))
    app.on_shutdown.append(going_away)


async def going_away(app: web.Application) -> None:
    """Tell every open widget this server is restarting and close its socket (``chatshop run`` calls it on
    SIGTERM once it stops listening; aiohttp's shutdown calls it again, finding nobody)."""
    if HUB_KEY in app:
        told = await app[HUB_KEY].restarting()
        if told:
            log.info("web chat: told %d open sockets the server is restarting", told)


def _background(hub: Hub) -> Any:
    """Listen to the other processes (subscribed before the server takes a socket) and prune old history."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        tasks: list[asyncio.Task[None]] = []
        if hub.fanout is not None:
            ready = asyncio.Event()
            tasks.append(
                asyncio.create_task(hub.fanout.listen(hub.delivered_from_elsewhere, ready), name="webchat-fanout")
            )
            try:
                await asyncio.wait_for(ready.wait(), 30)
            except TimeoutError:
                tasks[0].cancel()
                raise RuntimeError("web chat: no Redis pub/sub after 30 s (CHATSHOP_REDIS_URL)") from None
        tasks.append(asyncio.create_task(_prune_loop(hub), name="webchat-prune"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await hub.close()

    return run


async def _prune_loop(hub: Hub, every: float = PRUNE_SECONDS) -> None:
    while True:
        try:
            pruned = await hub.history.prune()
            if pruned:
                log.info("web chat: pruned %d old history rows", pruned)
        except Exception:  # the next round tries again; the history only grows a little meanwhile
            log.warning("web chat: pruning the history failed", exc_info=True)
        await asyncio.sleep(every)
