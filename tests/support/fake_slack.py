"""A fake Slack for tests, both directions, on loopback.

``FakeSlack`` is the Web API (``/api/<method>``) speaking Slack's wire format: JSON or form bodies in,
``{"ok": true, ...}`` out, 429 + ``Retry-After`` when told to rate-limit, and the file upload URL that
``files.getUploadURLExternal`` hands out. It records every call and keeps channel history (with message
metadata) so ``conversations.history`` answers like Slack's.

``SlackSender`` plays Slack calling the app: slash commands, interactivity payloads and Events API
envelopes, signed with the real scheme (``v0:{timestamp}:{body}``, HMAC-SHA256).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

_INITIAL: Any = object()  # an input the test leaves as the view set it up
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
TEAM = "T0SHOP"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class FakeSlack:
    token: str = "xoxb-test-token"
    app_token: str = "xapp-test-token"  # Socket Mode's app-level token (apps.connections.open only)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    _limits: dict[str, list[int]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # open modals by view id, as Slack holds them
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # users.info answers by user id
    # Conversations the bot is not a member of (or can't see, like a DM between people): posting there fails.
    not_member: set[str] = field(default_factory=set)
    responses: list[dict[str, Any]] = field(default_factory=list)  # what was sent to response_url
    # Channels the workspace has (conversations.info), by id; membership follows ``not_member``.
    channel_names: dict[str, str] = field(default_factory=lambda: {"COPS": "ops", "CSUPPORT": "support"})
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    base_url: str = ""
    _changed: asyncio.Condition | None = None

    # --- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=20 * 1024**2)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/hooks/{path:.*}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        self._changed = asyncio.Condition()
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def hooks_url(self) -> str:
        """Where the ``response_url`` of the requests ``SlackSender`` makes point (Slack's hooks.slack.com)."""
        return f"{self.base_url}/hooks"

    async def _response_url(self, request: web.Request) -> web.Response:
        """``response_url``: a JSON message (``response_type``, ``replace_original``…) answered with ``ok``."""
        body = await request.json()
        self.responses.append(body | {"url": str(request.url)})
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return web.Response(text="ok")

    async def wait_for_response(
        self, where: Callable[[dict[str, Any]], bool] = lambda r: True, within: float = 10
    ) -> dict[str, Any]:
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: any(where(r) for r in self.responses)), within)
        return next(r for r in self.responses if where(r))

    # --- test controls ----------------------------------------------------------------------------
    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer HTTP 429 ``ratelimited`` with ``Retry-After``."""
        self._limits[method] = [retry_after] * times

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, method: str, where: Callable[[dict[str, Any]], bool] = lambda a: True, within: float = 10
    ) -> Call:
        """The first call of ``method`` matching ``where``, waiting for it if need be (listeners run after the ack)."""
        assert self._changed is not None

        def found() -> Call | None:
            return next((c for c in self.called(method) if where(c.args)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), within)
        call = found()
        assert call is not None
        return call

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        return next(m for m in self.history.get(channel, []) if m["ts"] == ts)

    # --- the Web API ------------------------------------------------------------------------------
    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        # Form-encoded calls carry nested JSON as strings (files, view, blocks, metadata): decode them.
        for key, value in list(args.items()):
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(value)
        return args

    def _next_ts(self) -> str:
        return f"{1_780_000_000 + next(self._ts)}.000100"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None)
        if self._limits.get(method):
            retry_after = self._limits[method].pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if method == "apps.connections.open":
            token = args.pop("token", token)
            if token != self.app_token:
                return web.json_response({"ok": False, "error": "invalid_auth"})
        elif token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self.calls.append(Call(method, args, token))
        body = self._answer(method, args)
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(body)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://shop.slack.com/",
                "team": "Shop",
                "user": "chatshop",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.base_url.replace("http://", "ws://") + "/socket"}
        if method in ("chat.postMessage", "chat.postEphemeral") and str(args.get("channel")) in self.not_member:
            dm = str(args["channel"]).startswith("D")
            return {"ok": False, "error": "channel_not_found" if dm else "not_in_channel"}
        if method == "chat.postMessage":
            channel = str(args["channel"])
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "ts": self._next_ts(),
                "text": args.get("text", ""),
                "blocks": args.get("blocks", []),
            }
            if args.get("metadata"):
                message["metadata"] = args["metadata"]
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            else:  # replies live in their thread, not in the channel's history
                self.history.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        if method == "chat.update":
            channel, ts = str(args["channel"]), str(args["ts"])
            try:
                message = self.message(channel, ts)
            except StopIteration:
                return {"ok": False, "error": "message_not_found"}
            message.update({k: args[k] for k in ("text", "blocks", "metadata") if k in args})
            return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method in ("views.open", "views.push"):
            view = dict(args.get("view") or {}) | {"id": f"V{next(self._ts):06d}", "team_id": TEAM}
            view["hash"] = f"{next(self._ts)}.h"
            self.views[view["id"]] = view
            return {"ok": True, "view": view}
        if method == "views.update":
            # Like Slack: a hash from an older version of the view is refused, so updates don't race.
            current = self.views.get(str(args.get("view_id")))
            if current is None:
                return {"ok": False, "error": "not_found"}
            if args.get("hash") and args["hash"] != current["hash"]:
                return {"ok": False, "error": "hash_conflict"}
            view = dict(args.get("view") or {}) | {"id": current["id"], "team_id": TEAM, "hash": f"{next(self._ts)}.h"}
            self.views[view["id"]] = view
            return {"ok": True, "view": view}
        if method == "views.publish":
            view = dict(args.get("view") or {})
            return {"ok": True, "view": view | {"id": f"V{next(self._ts):06d}", "team_id": TEAM}}
        if method == "conversations.info":
            # Like Slack: a conversation the bot can't see is "channel_not_found"; one it can see says is_member.
            channel = str(args.get("channel"))
            if channel not in self.channel_names:
                return {"ok": False, "error": "channel_not_found"}
            info = {"id": channel, "name": self.channel_names[channel], "is_channel": True, "is_archived": False}
            return {"ok": True, "channel": info | {"is_member": channel not in self.not_member}}
        if method == "conversations.history":
            return self._history(args)
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        newest_first = sorted(self.history.get(channel, []), key=lambda m: float(m["ts"]), reverse=True)
        if args.get("latest"):
            latest = float(args["latest"])
            inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
            newest_first = [
                m for m in newest_first if float(m["ts"]) < latest or (inclusive and float(m["ts"]) == latest)
            ]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = newest_first[start : start + limit]
        include_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m if include_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    # --- Socket Mode: Slack pushes envelopes over a WebSocket the app opened; the app acks each one ------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0SHOP"}})
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                assert self._changed is not None
                async with self._changed:
                    self._changed.notify_all()
        self._sockets.remove(ws)
        return ws

    async def push(self, kind: str, payload: dict[str, Any], envelope_id: str) -> dict[str, Any]:
        """Send an envelope (``slash_commands``, ``interactive``, ``events_api``) and wait for the app's ack."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), 10)
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        await self._sockets[-1].send_json(envelope)

        def acked() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: acked() is not None), 10)
        found = acked()
        assert found is not None
        return found

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[request.match_info['file_id']])}")


# --- Slack calling the app ----------------------------------------------------------------------------
def sign(secret: str, body: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Sent:
    status: int
    text: str
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class SlackSender:
    def __init__(self, url: str, secret: str, hooks_url: str = "https://hooks.slack.com") -> None:
        self.url = url
        self.secret = secret
        self.hooks_url = hooks_url  # the base of every response_url sent (FakeSlack.hooks_url in tests)
        self._ids = itertools.count(1)
        self._hooks = itertools.count(1)  # apart from _ids, so trigger ids stay as tests expect them

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Sent:
        ts = int(time.time()) if timestamp is None else timestamp
        sent_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else sign(self.secret, body, ts),
            **(headers or {}),
        }
        started = time.monotonic()
        async with aiohttp.ClientSession() as session, session.post(self.url, data=body, headers=sent_headers) as r:
            return Sent(r.status, await r.text(), time.monotonic() - started)

    async def command(self, command: str, text: str, user: str, channel: str = "COPS", **kw: Any) -> Sent:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "shop",
            "channel_id": channel,
            "channel_name": "ops",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0SHOP",
            "response_url": f"{self.hooks_url}/commands/T0SHOP/{next(self._hooks)}/abc",
            "trigger_id": f"trigger-{next(self._ids)}",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> Sent:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def click(
        self,
        action_id: str,
        value: str,
        user: str,
        channel: str = "COPS",
        message_ts: str = "1.000100",
        ephemeral: bool = False,
        **kw: Any,
    ) -> Sent:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "shop"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0SHOP",
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": f"trigger-{next(self._ids)}",
            "channel": {"id": channel, "name": "ops"},
            "message": {"type": "message", "ts": message_ts, "bot_id": BOT_ID},
            "response_url": f"{self.hooks_url}/actions/T0SHOP/{next(self._hooks)}/abc",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "type": "button",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return await self.interactive(payload, **kw)

    @staticmethod
    def _state(view: dict[str, Any], values: Mapping[str, str | list[str] | None]) -> dict[str, dict[str, Any]]:
        """``view.state.values`` as Slack builds it: every input block, filled from ``values`` by block id
        (a list for checkboxes and multi-selects), else left as the view set it up (initial values)."""
        state: dict[str, dict[str, Any]] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            element = block["element"]
            kind = element["type"]
            given = values.get(block["block_id"], _INITIAL)
            options = {o["value"]: o for o in element.get("options", [])}
            entry: dict[str, Any] = {"type": kind}
            if kind in ("checkboxes", "multi_static_select"):
                chosen = element.get("initial_options", []) if given is _INITIAL else [options[v] for v in given or []]
                entry["selected_options"] = chosen
            elif kind in ("static_select", "radio_buttons"):
                if given is _INITIAL:
                    entry["selected_option"] = element.get("initial_option")
                else:
                    entry["selected_option"] = options.get(str(given)) if given else None
            else:
                entry["value"] = element.get("initial_value") if given is _INITIAL else given
            state[block["block_id"]] = {element["action_id"]: entry}
        return state

    async def submit(
        self, view: dict[str, Any], values: Mapping[str, str | list[str] | None], user: str, **kw: Any
    ) -> Sent:
        """Submit a modal the app opened (``view`` as sent to views.open), filling inputs by block id."""
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "shop"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0SHOP",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{next(self._ids)}",
            "view": {
                "id": view.get("id", "V0MODAL"),
                "team_id": TEAM,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view["blocks"],
                "state": {"values": self._state(view, values)},
                "hash": view.get("hash", "1.abc"),
            },
        }
        return await self.interactive(payload, **kw)

    async def change(
        self, view: dict[str, Any], values: Mapping[str, str | list[str] | None], block_id: str, user: str, **kw: Any
    ) -> Sent:
        """A user changed the input ``block_id`` of an open modal (with ``dispatch_action``): the
        ``block_actions`` payload Slack sends, with the view's id, hash and the state of every input."""
        state = self._state(view, values)
        block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
        action = dict(state[block_id][block["element"]["action_id"]])
        action |= {"action_id": block["element"]["action_id"], "block_id": block_id, "action_ts": f"{time.time():.6f}"}
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "shop"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0SHOP",
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": f"trigger-{next(self._ids)}",
            "view": {
                "id": view["id"],
                "team_id": TEAM,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view["blocks"],
                "state": {"values": state},
                "hash": view["hash"],
            },
            "actions": [action],
        }
        return await self.interactive(payload, **kw)

    def envelope(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0SHOP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}],
        }

    async def event(self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None) -> Sent:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(json.dumps(self.envelope(event, event_id)), "application/json", headers=headers)
