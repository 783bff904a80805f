"""Staff and support views: staff members and support tickets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.adapters import orm
from domain.adapters.sql_views.base import SqlViewsBase
from domain.model.staff import Role
from domain.views.models import StaffView


class SqlStaffViews(SqlViewsBase):
    """Who the staff are and the tickets they answer."""

    async def staff_by_slack_user(self, slack_user_id: str) -> StaffView | None:
        t = orm.staff_members.c
        rows = await self._rows(select(orm.staff_members).where(t.slack_user_id == slack_user_id, t.active.is_(True)))
        if not rows:
            return None
        r = rows[0]
        return StaffView(r.id, r.name, Role(r.role), r.slack_user_id, bool(r.active))

    async def staff_members(self) -> list[StaffView]:
        """Everyone, deactivated too, in the order they were added."""
        t = orm.staff_members.c
        rows = await self._rows(select(orm.staff_members).order_by(t.id))
        return [StaffView(r.id, r.name, Role(r.role), r.slack_user_id, bool(r.active)) for r in rows]

    async def open_tickets(self, limit: int = 50) -> list[dict[str, Any]]:
        return await self.tickets("open", limit)

    async def tickets(self, status: str | None = "open", limit: int = 100) -> list[dict[str, Any]]:
        """Tickets (all when ``status`` is None), most recently active first."""
        t = orm.support_tickets.c
        stmt = select(
            t.id, t.status, t.customer_id, t.channel, t.chat_id, t.subject, t.assignee, t.created_at, t.updated_at
        )
        if status is not None:
            stmt = stmt.where(t.status == status)
        rows = await self._rows(stmt.order_by(t.updated_at.desc(), t.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    async def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """A ticket with its context (cart, transcript at hand-off) and every message since."""
        rows = await self._rows(select(orm.support_tickets).where(orm.support_tickets.c.id == ticket_id))
        if not rows:
            return None
        m = orm.support_messages.c
        messages = await self._rows(
            select(m.author_kind, m.author, m.text, m.created_at).where(m.ticket_id == ticket_id).order_by(m.id)
        )
        return dict(rows[0]._mapping) | {"messages": [dict(r._mapping) for r in messages]}
