"""Who is connected: sockets per chat, a short history to restore after a reload, and notifications
kept for chats that are offline (delivered at the next visit).

Memory only: a restart forgets histories and undelivered notices (the conversation state itself lives
in the state store, Redis when configured).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from typing import Any, Protocol


class Socket(Protocol):
    async def send_json(self, data: Any) -> None: ...


def chat_id_for(session_token: str) -> str:
    """The chat (and shopper identity) behind a browser's session token; the token itself is a bearer
    secret, so it is never stored or used as an id."""
    return "w" + hashlib.sha256(session_token.encode()).hexdigest()[:31]


class Hub:
    def __init__(self, history_size: int = 60, pending_size: int = 20) -> None:
        self.history_size = history_size
        self.pending_size = pending_size
        self._sockets: dict[str, set[Socket]] = defaultdict(set)
        self._history: dict[str, deque[dict[str, Any]]] = {}
        self._pending: dict[str, deque[list[dict[str, Any]]]] = {}

    def attach(self, chat_id: str, socket: Socket) -> None:
        self._sockets[chat_id].add(socket)

    def detach(self, chat_id: str, socket: Socket) -> None:
        sockets = self._sockets.get(chat_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._sockets[chat_id]

    def connected(self, chat_id: str) -> bool:
        return bool(self._sockets.get(chat_id))

    def remember(self, chat_id: str, entry: dict[str, Any]) -> None:
        if self.history_size <= 0:
            return
        self._history.setdefault(chat_id, deque(maxlen=self.history_size)).append(entry)

    def history(self, chat_id: str) -> list[dict[str, Any]]:
        return list(self._history.get(chat_id, ()))

    def take_pending(self, chat_id: str) -> list[list[dict[str, Any]]]:
        return list(self._pending.pop(chat_id, ()))

    async def broadcast(self, chat_id: str, frame: dict[str, Any], skip: Socket | None = None) -> int:
        """Send one frame to every open socket of the chat (all its tabs), except ``skip``; returns sockets reached."""
        reached = 0
        for socket in list(self._sockets.get(chat_id, ())):
            if socket is skip:
                continue
            try:
                await socket.send_json(frame)
                reached += 1
            except Exception:  # a half-closed socket: forget it (the next visit restores from history)
                self.detach(chat_id, socket)
        return reached

    async def push(self, chat_id: str, replies: list[dict[str, Any]]) -> int:
        """Send to every open socket of the chat; keep for later when none is open. Returns sockets reached."""
        for reply in replies:
            # Marked as news (not an answer), so a restored history tells a support agent's message apart.
            self.remember(chat_id, {"from": "bot", "reply": reply, "notice": True})
        reached = await self.broadcast(chat_id, {"type": "notification", "replies": replies})
        if reached == 0 and self.pending_size > 0:
            self._pending.setdefault(chat_id, deque(maxlen=self.pending_size)).append(replies)
        return reached
