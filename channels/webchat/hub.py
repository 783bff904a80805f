"""Who is connected, what was said, and what is still to be told.

The sockets of a chat (its tabs) are held by the process that accepted them; the history (the last messages of
each chat, restored after a reload, a restart or on another process) and the notices nobody has seen yet live in
a ``ChatHistory``: Redis or the database in a running shop (``chatshop/app.py`` picks), memory in tests. With
several processes behind one address a ``Fanout`` (Redis pub/sub) carries every frame for a chat to the
processes holding its other sockets, so a notice produced by one process's outbox worker, or an answer given in
one tab, reaches the tabs held by the others.

A notice is stored as pending, then sent; the first process that shows it on an open socket marks it shown.
Whatever is still pending at the chat's next ``hello`` is sent then (as news, after the history), so a
notice is never lost to a restart, a closed tab or a lost pub/sub message, and never kept twice: it carries an
id the widget uses to show it once.

Every turn (a message and its answer, or a notice) has an id, kept with its history entries (``turn``; a
notice's is its ``id``) and sent along with its frames between processes. A tab that has just joined skips
the frames of a turn its welcome's history already holds: a frame published a moment before the tab joined
can arrive after it, and would otherwise show twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

Entry = dict[str, Any]  # {"from": "user", "text", "turn"} or {"from": "bot", "reply", "turn", "mid"} or a notice's
# {"from": "bot", "reply", "notice": True, "id"}. ``mid`` names one answer on screen, so a later answer (an option
# picked on a product card) can redraw it in place: see ``same_message``.
Frame = dict[str, Any]
SERVICE_RESTART = 1012  # RFC 6455 close code: the server is restarting, come back soon


class Socket(Protocol):
    async def send_json(self, data: Any) -> None: ...
    async def close(self, *, code: int = ..., message: bytes = ...) -> bool: ...


@dataclass
class Resumed:
    """What a returning chat gets: its history (oldest first) and the notices it has not seen yet."""

    history: list[Entry] = field(default_factory=list)
    pending: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)  # (notice id, replies)

    @property
    def turns(self) -> set[str]:
        """The turns (and notices) the returning tab gets now: their frames are not sent to it again."""
        found = {str(e.get("turn") or e.get("id")) for e in self.history if e.get("turn") or e.get("id")}
        return found | {nid for nid, _ in self.pending}

    def shown_history(self) -> list[Entry]:
        """The history as the widget gets it (turn ids are the server's business)."""
        return [{k: v for k, v in e.items() if k != "turn"} for e in self.history]


class ChatHistory(Protocol):
    async def append(self, chat_id: str, entries: list[Entry]) -> None:
        """Add what was said (one write)."""

    async def replace(self, chat_id: str, entry: Entry) -> bool:
        """Put ``entry`` where the answer it redraws is (``same_message``); False when that is not in the
        history (any more)."""

    async def add_notice(self, chat_id: str, notice_id: str, entries: list[Entry]) -> None:
        """Add a notice, pending until ``shown``."""

    async def shown(self, chat_id: str, notice_id: str) -> None:
        """An open socket showed the notice: it is history now, not news for the next visit."""

    async def resume(self, chat_id: str) -> tuple[list[Entry], set[str]]:
        """The last entries (oldest first) and the ids of the pending notices, which become history (they
        are about to be shown)."""

    async def prune(self) -> int:
        """Forget what is older than the retention (where the store does not expire by itself)."""

    async def close(self) -> None: ...


Deliver = Callable[[str, list[Frame], str | None], Awaitable[None]]  # chat id, frames, turn id


class Fanout(Protocol):
    """Frames for a chat to the other processes (each delivers them to the sockets it holds)."""

    async def publish(self, chat_id: str, frames: list[Frame], turn: str | None = None) -> None: ...
    async def listen(self, deliver: Deliver, ready: asyncio.Event) -> None:
        """Run until cancelled, calling ``deliver`` for other processes' frames; set ``ready`` once subscribed."""

    async def close(self) -> None: ...


def same_message(stored: Entry, entry: Entry) -> bool:
    """``stored`` is the answer ``entry`` redraws: the same message id, and the same kind of reply (a product
    card is redrawn as a product card, never over a text or a notice)."""
    reply, new = stored.get("reply"), entry.get("reply")
    return (
        stored.get("from") == "bot"
        and "notice" not in stored
        and isinstance(stored.get("mid"), str)
        and stored.get("mid") == entry.get("mid")
        and isinstance(reply, dict)
        and isinstance(new, dict)
        and reply.get("kind") == new.get("kind")
    )


def chat_id_for(session_token: str) -> str:
    """The chat (and shopper identity) behind a browser's session token; the token itself is a bearer
    secret, so it is never stored or used as an id."""
    return "w" + hashlib.sha256(session_token.encode()).hexdigest()[:31]


def turn_id() -> str:
    """Unique, and in time order (pending notices are sent oldest first)."""
    return f"{time.time_ns():x}{secrets.token_hex(8)}"[:32]


def notice_entries(nid: str, replies: list[dict[str, Any]]) -> list[Entry]:
    # Marked as news (not an answer), so a restored history tells a support agent's message apart.
    return [{"from": "bot", "reply": reply, "notice": True, "id": nid} for reply in replies]


def split_pending(entries: list[Entry], pending_ids: set[str], keep: int) -> Resumed:
    """History entries minus the newest ``keep`` pending notices, which are returned to be sent as news
    (older pending ones stay in the history where they are)."""
    order: list[str] = list(dict.fromkeys(str(e["id"]) for e in entries if e.get("id") in pending_ids))
    sent: set[str] = set(order[-keep:]) if keep > 0 else set()
    resumed = Resumed()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        nid = entry.get("id")
        if isinstance(nid, str) and nid in sent:
            grouped.setdefault(nid, []).append(entry["reply"])
        else:
            resumed.history.append(entry)
    resumed.pending = [(nid, grouped[nid]) for nid in order if nid in grouped]
    return resumed


class MemoryHistory:
    """One process's memory (tests, a shop run without the wiring); bounded per chat and in chats."""

    def __init__(self, history_size: int = 60, max_chats: int = 10_000) -> None:
        self.history_size, self.max_chats = history_size, max_chats
        self._entries: OrderedDict[str, deque[Entry]] = OrderedDict()
        self._pending: dict[str, set[str]] = {}

    def _chat(self, chat_id: str) -> deque[Entry]:
        entries = self._entries.pop(chat_id, None) or deque(maxlen=max(self.history_size, 1))
        self._entries[chat_id] = entries
        while len(self._entries) > self.max_chats:
            old, _ = self._entries.popitem(last=False)
            self._pending.pop(old, None)
        return entries

    async def append(self, chat_id: str, entries: list[Entry]) -> None:
        if self.history_size > 0:
            self._chat(chat_id).extend(entries)

    async def replace(self, chat_id: str, entry: Entry) -> bool:
        entries = self._entries.get(chat_id, deque())
        for index in range(len(entries) - 1, -1, -1):
            if same_message(entries[index], entry):
                entries[index] = entry
                return True
        return False

    async def add_notice(self, chat_id: str, notice_id: str, entries: list[Entry]) -> None:
        self._chat(chat_id).extend(entries)
        self._pending.setdefault(chat_id, set()).add(notice_id)

    async def shown(self, chat_id: str, notice_id: str) -> None:
        self._pending.get(chat_id, set()).discard(notice_id)

    async def resume(self, chat_id: str) -> tuple[list[Entry], set[str]]:
        return list(self._entries.get(chat_id, ())), self._pending.pop(chat_id, set())

    async def prune(self) -> int:
        return 0

    async def close(self) -> None:
        return None


class Peer:
    """One open socket. Frames for it wait while its ``hello`` is answered, so nothing reaches it before
    the welcome (which replaces what the widget shows)."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.lock = asyncio.Lock()
        self.seen: set[str] = set()  # turns its welcome brought

    async def send(self, frame: Frame, turn: str | None = None) -> bool:
        async with self.lock:  # checked under the lock: ``seen`` is set while the welcome is sent
            if turn is not None and turn in self.seen:
                return False
            await self.socket.send_json(frame)
            return True


class Hub:
    def __init__(
        self, history: ChatHistory | None = None, fanout: Fanout | None = None, pending_size: int = 20
    ) -> None:
        self.history: ChatHistory = history or MemoryHistory()
        self.fanout = fanout
        self.pending_size = pending_size
        self._peers: dict[str, set[Peer]] = defaultdict(set)
        self.restarting_now = False

    def attach(self, chat_id: str, peer: Peer) -> None:
        self._peers[chat_id].add(peer)

    def detach(self, chat_id: str, peer: Peer) -> None:
        peers = self._peers.get(chat_id)
        if peers is not None:
            peers.discard(peer)
            if not peers:
                del self._peers[chat_id]

    def connected(self, chat_id: str) -> bool:
        return bool(self._peers.get(chat_id))

    async def resume(self, chat_id: str) -> Resumed:
        entries, pending = await self.history.resume(chat_id)
        return split_pending(entries, pending, self.pending_size)

    async def remember(self, chat_id: str, entries: list[Entry]) -> None:
        if entries:
            await self.history.append(chat_id, entries)

    async def redraw(self, chat_id: str, entry: Entry) -> bool:
        """The history holds ``entry`` in place of the answer it redraws (not both); False when that answer
        is not in the history (then it is a new message)."""
        return await self.history.replace(chat_id, entry)

    async def local(self, chat_id: str, frames: list[Frame], skip: Peer | None = None, turn: str | None = None) -> int:
        """Send frames to this process's sockets of the chat, except ``skip`` and those whose welcome held the
        turn already; returns sockets reached."""
        reached = 0
        for peer in list(self._peers.get(chat_id, ())):
            if peer is skip:
                continue
            try:
                sent = [await peer.send(frame, turn) for frame in frames]
                reached += any(sent) or (turn is not None and turn in peer.seen)
            except Exception:  # a half-closed socket: forget it (the next visit restores from history)
                self.detach(chat_id, peer)
        return reached

    async def broadcast(
        self, chat_id: str, frames: list[Frame], skip: Peer | None = None, turn: str | None = None
    ) -> int:
        """Frames to every socket of the chat (all its tabs, in every process), except ``skip``."""
        reached = await self.local(chat_id, frames, skip, turn)
        if self.fanout is not None:
            try:
                await self.fanout.publish(chat_id, frames, turn)
            except Exception:  # the other tabs catch up from the history at their next hello
                log.warning("web chat: could not publish to the other processes", exc_info=True)
        return reached

    async def push(self, chat_id: str, replies: list[dict[str, Any]]) -> int:
        """Unprompted news to every socket of the chat; kept as pending until one shows it (possibly in
        another process, possibly at the next visit). Returns this process's sockets reached."""
        nid = turn_id()
        await self.history.add_notice(chat_id, nid, notice_entries(nid, replies))
        frame = {"type": "notification", "id": nid, "replies": replies}
        reached = await self.broadcast(chat_id, [frame], turn=nid)
        if reached:
            await self.history.shown(chat_id, nid)
        return reached

    async def delivered_from_elsewhere(self, chat_id: str, frames: list[Frame], turn: str | None = None) -> None:
        """Another process's frames for a chat: to the sockets held here; a notice shown here is settled."""
        if chat_id not in self._peers:
            return
        reached = await self.local(chat_id, frames, turn=turn)
        if reached:
            for frame in frames:
                if frame.get("type") == "notification" and isinstance(frame.get("id"), str):
                    await self.history.shown(chat_id, frame["id"])

    async def restarting(self, within: float = 5.0) -> int:
        """Tell every open socket the server is restarting, and close it (1012: come back soon). The widget
        says "reconnecting…" and resumes from the history, here after the restart or on another process."""
        self.restarting_now = True
        peers = [peer for peers in list(self._peers.values()) for peer in list(peers)]

        async def close(peer: Peer) -> None:
            try:
                await peer.send({"type": "restarting"})
            except Exception:  # already going: closing is all that is left
                log.debug("web chat: restarting frame not sent", exc_info=True)
            await peer.socket.close(code=SERVICE_RESTART, message=b"restarting")

        if peers:
            try:
                await asyncio.wait_for(asyncio.gather(*(close(p) for p in peers), return_exceptions=True), within)
            except TimeoutError:  # a peer that doesn't answer the close is dropped with the process
                log.info("web chat: %d sockets told of the restart; some did not close in %.0f s", len(peers), within)
        return len(peers)

    async def close(self) -> None:
        await self.history.close()
        if self.fanout is not None:
            await self.fanout.close()
