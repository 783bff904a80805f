"""SQL and arithmetic behind ``domain.staff_totp``, with ``pyotp`` for the codes. Secrets are sealed at rest
(``domain.adapters.secret_box``, AES-GCM under a key from the shop's ``secret_key``, bound to the staff id).

Rows written before sealing hold the base32 secret as it was. They are sealed lazily, the first time the secret is
read (enrolment page, confirm, sign-in code, switching off), in that same transaction: a migration cannot do it
(Alembic's env.py has no settings, so no ``secret_key``) and a startup sweep would be a second write path to keep
right; every read goes through ``_open`` here, so a plaintext secret is never used without being sealed."""

from __future__ import annotations

import contextlib
import hmac
import secrets
from typing import Any

import pyotp
from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_console_more import staff_totp
from domain.adapters.secret_box import SealBroken, SecretBox
from domain.ports import Clock
from domain.staff_access import hash_session_token
from domain.staff_totp import ISSUER, PENDING_FOR, Enrolment, PendingSignIn, TotpSecretUnreadable

T, St = staff_totp.c, orm.staff_members.c
STEP = 30
DRIFT = 1  # steps either side accepted: a phone's clock a little off, a code typed as it turned
TOTP_INFO = b"chatshop totp v1"


def totp_box(secret_key: str) -> SecretBox:
    """The box TOTP secrets are sealed in, from the shop's ``secret_key`` setting."""
    return SecretBox(secret_key, TOTP_INFO)


def _owner(staff_id: int) -> str:
    return f"staff_totp:{staff_id}"


class SqlStaffTotpStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, box: SecretBox) -> None:
        self.sessions = sessions
        self.clock = clock
        self.box = box

    async def _open(self, session: AsyncSession, staff_id: int, stored: str) -> str:
        """The base32 secret of a stored value; a legacy plaintext one is sealed in place (see the module's doc)."""
        if not self.box.is_sealed(stored):
            sealed = self.box.seal(stored, _owner(staff_id))
            stmt = update(staff_totp).where(T.staff_id == staff_id, T.secret == stored).values(secret=sealed)
            await session.execute(stmt)
            return stored
        try:
            return self.box.open(stored, _owner(staff_id))
        except SealBroken:
            raise TotpSecretUnreadable(staff_id) from None

    async def enabled(self, staff_id: int) -> bool:
        async with self.sessions() as session:
            stmt = select(T.id).where(T.staff_id == staff_id, T.confirmed_at.is_not(None))
            return (await session.execute(stmt)).first() is not None

    async def enrolment(self, staff_id: int, name: str, fresh: bool = False) -> Enrolment | None:
        async with self.sessions.begin() as session:
            row = (await session.execute(select(T.secret, T.confirmed_at).where(T.staff_id == staff_id))).first()
            if row is not None and row.confirmed_at is not None:
                return None
            secret: str | None = None
            if row is not None and not fresh:
                # Unreadable but never confirmed, so nothing is lost: a new one replaces it.
                with contextlib.suppress(TotpSecretUnreadable):
                    secret = await self._open(session, staff_id, row.secret)
            if secret is None:
                secret = pyotp.random_base32()
                sealed = self.box.seal(secret, _owner(staff_id))
                if row is None:
                    values = {"staff_id": staff_id, "secret": sealed, "created_at": self.clock.now()}
                    await session.execute(insert(staff_totp).values(**values))
                else:
                    await session.execute(update(staff_totp).where(T.staff_id == staff_id).values(secret=sealed))
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

    async def _check(self, session: AsyncSession, staff_id: int, row: Row[Any] | None, code: str) -> int | None:
        """The step of ``code`` against the row's secret and last used step; None without a row."""
        if row is None:
            return None
        return self._step(await self._open(session, staff_id, row.secret), code, row.last_step)

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
            step = await self._check(session, staff_id, row, code)
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
            step = await self._check(session, staff_id, row, code)
            return step is not None and await self._use(session, staff_id, step, pending_hash=None, pending_until=None)

    async def reset(self, staff_id: int) -> bool:
        async with self.sessions.begin() as session:
            done = await session.execute(delete(staff_totp).where(T.staff_id == staff_id))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    async def disable(self, staff_id: int, code: str) -> bool:
        async with self.sessions.begin() as session:
            stmt = select(T.secret, T.last_step).where(T.staff_id == staff_id, T.confirmed_at.is_not(None))
            row = (await session.execute(stmt)).first()
            step = await self._check(session, staff_id, row, code)
            if step is None:
                return False
            # Only if no racing request used this step (or a later one) first: a code works once.
            done = await session.execute(
                delete(staff_totp).where(T.staff_id == staff_id, or_(T.last_step.is_(None), T.last_step < step))
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]
