"""SQL and arithmetic behind ``domain.staff_totp``, with ``pyotp`` for the codes."""

from __future__ import annotations

import hmac
import secrets

import pyotp
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_console_more import staff_totp
from domain.ports import Clock
from domain.staff_access import hash_session_token
from domain.staff_totp import ISSUER, PENDING_FOR, Enrolment, PendingSignIn

T, St = staff_totp.c, orm.staff_members.c
STEP = 30
DRIFT = 1  # steps either side accepted: a phone's clock a little off, a code typed as it turned


class SqlStaffTotpStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def enabled(self, staff_id: int) -> bool:
        async with self.sessions() as session:
            stmt = select(T.id).where(T.staff_id == staff_id, T.confirmed_at.is_not(None))
            return (await session.execute(stmt)).first() is not None

    async def enrolment(self, staff_id: int, name: str, fresh: bool = False) -> Enrolment | None:
        async with self.sessions.begin() as session:
            row = (await session.execute(select(T.secret, T.confirmed_at).where(T.staff_id == staff_id))).first()
            if row is not None and row.confirmed_at is not None:
                return None
            secret = row.secret if row is not None and not fresh else pyotp.random_base32()
            if row is None:
                values = {"staff_id": staff_id, "secret": secret, "created_at": self.clock.now()}
                await session.execute(insert(staff_totp).values(**values))
            elif fresh:
                await session.execute(update(staff_totp).where(T.staff_id == staff_id).values(secret=secret))
        uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)
        return Enrolment(secret, uri)

    def _step(self, secret: str, code: str, after: int | None) -> int | None:
        """The time step ``code`` was made for, near now and later than ``after``; None if none is."""
        code = "".join(code.split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return None
        totp, now = pyotp.TOTP(secret), int(self.clock.now().timestamp()) // STEP
        for step in range(now - DRIFT, now + DRIFT + 1):
            if (after is None or step > after) and hmac.compare_digest(totp.at(step * STEP), code):
                return step
        return None

    async def _use(self, session: AsyncSession, staff_id: int, step: int, **values: object) -> bool:
        """Mark ``step`` used, unless a racing request used it (or a later one) first."""
        done = await session.execute(
            update(staff_totp)
            .where(T.staff_id == staff_id, or_(T.last_step.is_(None), T.last_step < step))
            .values(last_step=step, **values)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def confirm(self, staff_id: int, code: str) -> bool:
        async with self.sessions.begin() as session:
            stmt = select(T.secret, T.last_step).where(T.staff_id == staff_id, T.confirmed_at.is_(None))
            row = (await session.execute(stmt)).first()
            step = self._step(row.secret, code, row.last_step) if row is not None else None
            return step is not None and await self._use(session, staff_id, step, confirmed_at=self.clock.now())

    async def start_sign_in(self, staff_id: int) -> str:
        token = secrets.token_urlsafe(32)
        async with self.sessions.begin() as session:
            values = {"pending_hash": hash_session_token(token), "pending_until": self.clock.now() + PENDING_FOR}
            await session.execute(update(staff_totp).where(T.staff_id == staff_id).values(**values))
        return token

    async def pending(self, token: str) -> PendingSignIn | None:
        stmt = (
            select(T.staff_id, St.name, T.pending_until)
            .join(orm.staff_members, St.id == T.staff_id)
            .where(T.pending_hash == hash_session_token(token), St.active.is_(True))
        )
        async with self.sessions() as session:
            row = (await session.execute(stmt)).first()
        if row is None or row.pending_until is None or row.pending_until <= self.clock.now():
            return None
        return PendingSignIn(row.staff_id, row.name)

    async def verify(self, staff_id: int, code: str, token: str) -> bool:
        async with self.sessions.begin() as session:
            stmt = select(T.secret, T.last_step).where(
                T.staff_id == staff_id,
                T.confirmed_at.is_not(None),
                T.pending_hash == hash_session_token(token),
                T.pending_until > self.clock.now(),
            )
            row = (await session.execute(stmt)).first()
            step = self._step(row.secret, code, row.last_step) if row is not None else None
            return step is not None and await self._use(session, staff_id, step, pending_hash=None, pending_until=None)

    async def reset(self, staff_id: int) -> bool:
        async with self.sessions.begin() as session:
            done = await session.execute(delete(staff_totp).where(T.staff_id == staff_id))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    async def disable(self, staff_id: int, code: str) -> bool:
        async with self.sessions.begin() as session:
            stmt = select(T.secret, T.last_step).where(T.staff_id == staff_id, T.confirmed_at.is_not(None))
            row = (await session.execute(stmt)).first()
            step = self._step(row.secret, code, row.last_step) if row is not None else None
            if step is None:
                return False
            # Only if no racing request used this step (or a later one) first: a code works once.
            done = await session.execute(
                delete(staff_totp).where(T.staff_id == staff_id, or_(T.last_step.is_(None), T.last_step < step))
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]
