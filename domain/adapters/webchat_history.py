"""The web chat's history in the database (``webchat_messages``), for shops without Redis: a single process on
SQLite keeps its open chats through a restart.

One INSERT per turn (the shopper's line and the answer together). Bounded per chat: every ``history_size``
appends to a chat (counted here, so usually no extra statement) the rows beyond the newest ``history_size`` are
deleted in the same transaction, and so is a returning chat's surplus; ``prune`` (run periodically by the web
chat) deletes rows past the retention. Entries are the widget's JSON, stored whole and never queried into.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.orm_webchat import webchat_messages
from domain.ports import Clock

w = webchat_messages.c


class SqlChatHistory:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        history_size: int = 60,
        retention: timedelta = timedelta(days=7),
        remember_chats: int = 10_000,
    ) -> None:
        self.sessions, self.clock = sessions, clock
        self.history_size, self.retention = history_size, retention
        self.remember_chats = remember_chats
        self._appended: OrderedDict[str, int] = OrderedDict()  # rows added per chat since its last trim

    def _rows(self, chat_id: str, entries: list[dict[str, Any]], nid: str | None = None) -> list[dict[str, Any]]:
        now = self.clock.now()
        return [
            {"chat_id": chat_id, "entry": json.dumps(e, ensure_ascii=False), "notice_id": nid,
             "pending": nid is not None, "created_at": now}
            for e in entries
        ]  # fmt: skip

    def _due_for_trim(self, chat_id: str, added: int) -> bool:
        count = self._appended.pop(chat_id, 0) + added
        if count >= self.history_size:
            return True  # the counter starts again at zero
        self._appended[chat_id] = count
        while len(self._appended) > self.remember_chats:
            self._appended.popitem(last=False)
        return False

    async def _trim(self, session: AsyncSession, chat_id: str) -> None:
        newest_kept = (
            select(w.id)
            .where(w.chat_id == chat_id)
            .order_by(w.id.desc())
            .limit(1)
            .offset(self.history_size - 1)
            .scalar_subquery()
        )
        await session.execute(delete(webchat_messages).where(and_(w.chat_id == chat_id, w.id < newest_kept)))

    async def _add(self, chat_id: str, rows: list[dict[str, Any]]) -> None:
        async with self.sessions.begin() as session:
            await session.execute(insert(webchat_messages), rows)
            if self._due_for_trim(chat_id, len(rows)):
                await self._trim(session, chat_id)

    async def append(self, chat_id: str, entries: list[dict[str, Any]]) -> None:
        if self.history_size > 0 and entries:
            await self._add(chat_id, self._rows(chat_id, entries))

    async def replace(self, chat_id: str, entry: dict[str, Any]) -> bool:
        """Redraw an answer in place (an option picked on a product card): the newest row holding that message
        id and kind of reply gets ``entry`` instead. The id narrows the rows in SQL; the JSON decides."""
        mid, kind = entry.get("mid"), (entry.get("reply") or {}).get("kind")
        if not isinstance(mid, str) or not isinstance(kind, str):
            return False
        marker = json.dumps({"mid": mid}, ensure_ascii=False)[1:-1]  # '"mid": "…"', as the rows spell it
        async with self.sessions.begin() as session:
            rows = (
                await session.execute(
                    select(w.id, w.entry)
                    .where(w.chat_id == chat_id, w.notice_id.is_(None), w.entry.contains(marker, autoescape=True))
                    .order_by(w.id.desc())
                    .limit(5)
                )
            ).all()
            for row in rows:
                old = json.loads(row.entry)
                if old.get("from") == "bot" and old.get("mid") == mid and (old.get("reply") or {}).get("kind") == kind:
                    text = json.dumps(entry, ensure_ascii=False)
                    await session.execute(update(webchat_messages).where(w.id == row.id).values(entry=text))
                    return True
        return False

    async def add_notice(self, chat_id: str, notice_id: str, entries: list[dict[str, Any]]) -> None:
        await self._add(chat_id, self._rows(chat_id, entries, notice_id))

    async def shown(self, chat_id: str, notice_id: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(webchat_messages)
                .where(w.chat_id == chat_id, w.notice_id == notice_id, w.pending.is_(True))
                .values(pending=False)
            )

    async def resume(self, chat_id: str) -> tuple[list[dict[str, Any]], set[str]]:
        """The chat's last entries (oldest first) and the ids of its pending notices, which are settled."""
        limit = max(self.history_size, 1)
        async with self.sessions.begin() as session:
            rows = (
                await session.execute(
                    select(w.id, w.entry, w.notice_id, w.pending)
                    .where(w.chat_id == chat_id)
                    .order_by(w.id.desc())
                    .limit(limit + 1)
                )
            ).all()
            if len(rows) > limit:
                await self._trim(session, chat_id)
                rows = rows[:limit]
            pending = {r.notice_id for r in rows if r.pending}
            if pending:
                await session.execute(
                    update(webchat_messages).where(w.chat_id == chat_id, w.pending.is_(True)).values(pending=False)
                )
        self._appended.pop(chat_id, None)
        return [json.loads(r.entry) for r in reversed(rows)], {p for p in pending if p is not None}

    async def prune(self) -> int:
        cutoff = self.clock.now() - self.retention
        async with self.sessions.begin() as session:
            result = await session.execute(delete(webchat_messages).where(w.created_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    async def close(self) -> None:
        return None  # the shop's engine is disposed with the shop
