"""The sandbox payment provider: offline, with a local page that pays, declines or expires a session.

Sessions live in the shop's own database (``sandbox_sessions``), so several processes and restarts see
the same state, and calls are idempotent by key just like a real provider's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.dialect_insert import session_insert
from domain.errors import NotFound, ValidationFailed
from domain.ports import Clock, PaymentSession, PaymentSessionRequest, RefundRequest, RefundResult

NAME = "sandbox"


@dataclass(frozen=True)
class SandboxSession:
    id: str
    order_id: int
    amount: int
    currency: str
    lines: list[dict[str, Any]]
    status: str
    expires_at: datetime
    success_url: str
    cancel_url: str
    refunded: int


class SandboxPaymentProvider:
    name = NAME

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, base_url: str) -> None:
        self.sessions = sessions
        self.clock = clock
        self.base_url = base_url.rstrip("/")

    def url_for(self, session_id: str) -> str:
        return f"{self.base_url}/sandbox/pay/{session_id}"

    async def create_session(self, request: PaymentSessionRequest) -> PaymentSession:
        t = orm.sandbox_sessions.c
        if request.amount <= 0:
            raise ValidationFailed("A payment session needs a positive amount.")
        row = {
            "id": "sbcs_" + secrets.token_urlsafe(18),
            "order_id": request.order_id,
            "amount": request.amount,
            "currency": request.currency,
            "status": "open",
            "idempotency_key": request.idempotency_key,
            "expires_at": request.expires_at,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "lines": [
                {"name": li.name, "quantity": li.quantity, "unit_amount": li.unit_amount} for li in request.lines
            ],
            "refunded": 0,
            "created_at": self.clock.now(),
        }
        async with self.sessions() as session, session.begin():
            # The same idempotency key again inserts nothing: the session made the first time is handed back.
            await session.execute(session_insert(session, orm.sandbox_sessions).values(**row).on_conflict_do_nothing())
        async with self.sessions() as session:
            found = (
                await session.execute(select(t.id, t.expires_at).where(t.idempotency_key == request.idempotency_key))
            ).one()
        return PaymentSession(found.id, self.url_for(found.id), found.expires_at)

    async def get(self, session_id: str) -> SandboxSession:
        async with self.sessions() as session:
            row = (
                await session.execute(select(orm.sandbox_sessions).where(orm.sandbox_sessions.c.id == session_id[:64]))
            ).first()
        if row is None:
            raise NotFound("No such sandbox payment.")
        status = row.status
        if status == "open" and row.expires_at <= self.clock.now():
            status = "expired"
        return SandboxSession(
            row.id,
            row.order_id,
            row.amount,
            row.currency,
            list(row.lines),
            status,
            row.expires_at,
            row.success_url,
            row.cancel_url,
            row.refunded,
        )

    async def settle(self, session_id: str, outcome: str) -> SandboxSession:
        """What the buttons on the page do: pay or expire an open session; a decline leaves it open.

        A declined card ends nothing, as on a real provider's page: the shopper may try another card until
        the session expires. Only an open session moves, so a paid, expired or closed one (the order was
        paid another way) takes no money; returns the session as it ends up.
        """
        if outcome not in ("paid", "declined", "expired"):
            raise ValidationFailed("Pay, decline or expire.")
        current = await self.get(session_id)
        if current.status != "open" or outcome == "declined":
            return current
        t = orm.sandbox_sessions.c
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(orm.sandbox_sessions).where(t.id == session_id, t.status == "open").values(status=outcome)
            )
        return await self.get(session_id)

    async def close_session(self, session_id: str) -> None:
        """An open session of an order paid another way stops taking money; its page says so."""
        t = orm.sandbox_sessions.c
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(orm.sandbox_sessions).where(t.id == session_id, t.status == "open").values(status="closed")
            )

    async def refund(self, request: RefundRequest) -> RefundResult:
        t = orm.sandbox_refunds.c
        async with self.sessions() as session, session.begin():
            done = (await session.execute(select(t.id).where(t.idempotency_key == request.idempotency_key))).first()
            if done is not None:
                return RefundResult(done.id, True)
            s = orm.sandbox_sessions.c
            row = (
                await session.execute(
                    select(s.amount, s.refunded, s.status).where(s.id == request.session_id).with_for_update()
                )
            ).first()
            if row is None or row.status != "paid":
                return RefundResult("", False, "that payment was never captured")
            if row.refunded + request.amount > row.amount:
                return RefundResult("", False, "refund exceeds the captured amount")
            refund_id = "sbre_" + secrets.token_urlsafe(12)
            await session.execute(
                update(orm.sandbox_sessions)
                .where(s.id == request.session_id)
                .values(refunded=s.refunded + request.amount)
            )
            await session.execute(
                insert(orm.sandbox_refunds).values(
                    idempotency_key=request.idempotency_key,
                    id=refund_id,
                    session_id=request.session_id,
                    amount=request.amount,
                    created_at=self.clock.now(),
                )
            )
        return RefundResult(refund_id, True)
