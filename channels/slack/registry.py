"""Where the bot's own messages live: each order's approval message, each ticket's thread, and the notices
posted for outbox events (campaign submitted, paused, finished).

Kept in memory for speed, and recoverable after a restart from Slack itself: every such message carries
Slack message ``metadata`` (``chatshop_order_approval`` / ``chatshop_ticket`` / ``chatshop_notice``), found
again with ``conversations.history(include_all_metadata=True)``. The domain stores only the ticket thread
(``LinkTicketThread``); approval messages and notices need no table at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

APPROVAL_EVENT = "chatshop_order_approval"
TICKET_EVENT = "chatshop_ticket"
NOTICE_EVENT = "chatshop_notice"  # payload: {"event_id": the outbox event's id, "kind": ..., ...}
HISTORY_PAGES = 5  # how far back (5 × 200 messages) to look for an approval message after a restart


@dataclass(frozen=True)
class MessageRef:
    channel: str
    ts: str

    def encode(self) -> str:
        return f"{self.channel}:{self.ts}"

    @classmethod
    def decode(cls, text: str | None) -> MessageRef | None:
        if not text or ":" not in text:
            return None
        channel, ts = text.split(":", 1)
        return cls(channel, ts)


def metadata(event_type: str, **payload: Any) -> dict[str, Any]:
    return {"event_type": event_type, "event_payload": payload}


class MessageRegistry:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._approvals: dict[int, MessageRef] = {}
        self._decided: set[int] = set()
        self._scanned = False
        self._threads: dict[MessageRef, int] = {}
        self._notices: dict[str, MessageRef] = {}

    # --- approvals --------------------------------------------------------------------------------
    def remember_approval(self, order_id: int, ref: MessageRef) -> None:
        self._approvals[order_id] = ref

    async def asked_orders(self, channel: str | None) -> list[int]:
        """Orders this bot asked about; after a restart, found again in the ops channel's history once."""
        if channel and not self._scanned:
            self._scanned = True
            await self.approval(channel, order_id=-1)  # no such order: reads (and remembers) every page
        return list(self._approvals)

    def mark_decided(self, order_id: int) -> None:
        self._decided.add(order_id)

    def is_decided(self, order_id: int) -> bool:
        return order_id in self._decided

    async def approval(self, channel: str, order_id: int) -> MessageRef | None:
        if order_id in self._approvals:
            return self._approvals[order_id]
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self._history(channel, limit=200, cursor=cursor)
            for message in page.get("messages", []):
                found = _payload(message, APPROVAL_EVENT, "order_id")
                if found is not None:
                    ref = MessageRef(channel, str(message["ts"]))
                    self._approvals[int(found)] = ref
                    if int(found) == order_id:
                        return ref
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        return None

    # --- support threads --------------------------------------------------------------------------
    def remember_thread(self, ticket_id: int, ref: MessageRef) -> None:
        self._threads[ref] = ticket_id

    async def ticket_for_thread(self, ref: MessageRef) -> int | None:
        if ref in self._threads:
            return self._threads[ref]
        # The thread's parent is the message at thread_ts: fetch just that one, with its metadata.
        page = await self._history(ref.channel, limit=1, latest=ref.ts, inclusive=True)
        for message in page.get("messages", []):
            found = _payload(message, TICKET_EVENT, "ticket_id")
            if str(message.get("ts")) == ref.ts and found is not None:
                self._threads[ref] = int(found)
                return int(found)
        return None

    # --- notices for outbox events ------------------------------------------------------------------
    def remember_notice(self, event_id: str, ref: MessageRef) -> None:
        self._notices[event_id] = ref

    async def notice(self, channel: str, event_id: str) -> MessageRef | None:
        """The message already posted for outbox event ``event_id``: the outbox delivers at least once,
        so a redelivery (even to another process, or after a restart) finds it here instead of posting again."""
        if event_id in self._notices:
            return self._notices[event_id]
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self._history(channel, limit=200, cursor=cursor)
            for message in page.get("messages", []):
                found = _payload(message, NOTICE_EVENT, "event_id")
                if found is not None:
                    self._notices[str(found)] = MessageRef(channel, str(message["ts"]))
            if event_id in self._notices:
                return self._notices[event_id]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        return None

    async def notice_of(self, channel: str, kind: str, **match: Any) -> dict[str, Any] | None:
        """The newest notice of ``kind`` whose payload has ``match`` (e.g. the task of one refund), from
        Slack's history: rare look-ups (a refund booked outside Slack) that need no table of their own."""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self._history(channel, limit=200, cursor=cursor)
            for message in page.get("messages", []):
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if _payload(message, NOTICE_EVENT, "kind") == kind and all(
                    payload.get(k) == v for k, v in match.items()
                ):
                    return dict(message)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        return None

    # --- any message of ours ----------------------------------------------------------------------
    async def message(self, ref: MessageRef) -> dict[str, Any] | None:
        """One message as Slack holds it now (blocks and metadata), to update it in place."""
        page = await self._history(ref.channel, limit=1, latest=ref.ts, inclusive=True)
        return next((m for m in page.get("messages", []) if str(m.get("ts")) == ref.ts), None)

    async def _history(self, channel: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.client.conversations_history(channel=channel, include_all_metadata=True, **kwargs)
        except SlackApiError:
            return {}  # not in the channel or no history scope: nothing to recover from
        return dict(response.data) if isinstance(response.data, dict) else {}


def _payload(message: dict[str, Any], event_type: str, key: str) -> Any:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != event_type:
        return None
    return (meta.get("event_payload") or {}).get(key)
