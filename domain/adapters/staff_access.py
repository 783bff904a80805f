"""SQL behind ``domain.staff_access``: argon2 password hashes and sign-in sessions of staff."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_console import staff_passwords, staff_sessions
from domain.errors import NotFound
from domain.ports import Clock
from domain.staff_access import (
    StaffSession,
    check_locale,
    check_password,
    hash_session_token,
    new_session_token,
)

Pw, Se, St = staff_passwords.c, staff_sessions.c, orm.staff_members.c


class SqlStaffAccessStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        lifetime: timedelta = timedelta(hours=8),
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.lifetime = lifetime
        self.hasher = hasher or PasswordHasher()
        # argon2's defaults take 64 MiB and about 0.3 s of a core per hash (measured): at most two at once, so a
        # burst of sign-ins from many addresses queues instead of exhausting the machine's memory.
        self._hashing = asyncio.Semaphore(2)
        # Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
        self._decoy: str | None = None

    async def set_password(self, staff_id: int, password: str, locale: str) -> None:
        check_password(password)
        check_locale(locale)
        async with self._hashing:
            hashed = await asyncio.to_thread(self.hasher.hash, password)
        async with self.sessions() as session, session.begin():
            if (await session.execute(select(St.id).where(St.id == staff_id))).first() is None:
                raise NotFound(f"No staff member #{staff_id}.")
            values = {"password_hash": hashed, "locale": locale, "updated_at": self.clock.now()}
            done = await session.execute(update(staff_passwords).where(Pw.staff_id == staff_id).values(**values))
            if done.rowcount == 0:  # type: ignore[attr-defined]
                await session.execute(insert(staff_passwords).values(staff_id=staff_id, **values))
            await session.execute(delete(staff_sessions).where(Se.staff_id == staff_id))

    async def _verify(self, hashed: str, password: str) -> bool:
        async with self._hashing:
            try:
                return await asyncio.to_thread(self.hasher.verify, hashed, password)
            except (VerificationError, InvalidHashError):
                return False

    async def sign_in(self, name: str, password: str) -> tuple[str, StaffSession] | None:
        staff_id = await self.verify_password(name, password)
        return await self.open_session(staff_id) if staff_id is not None else None

    async def verify_password(self, name: str, password: str) -> int | None:
        stmt = (
            select(St.id, Pw.password_hash)
            .join(staff_passwords, Pw.staff_id == St.id)
            .where(St.name == name.strip(), St.active.is_(True))
            .order_by(St.id)
        )
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).all()
        if not rows:
            if self._decoy is None:
                self._decoy = await asyncio.to_thread(self.hasher.hash, secrets.token_urlsafe(16))
            await self._verify(self._decoy, password)
            return None
        for row in rows:
            if await self._verify(row.password_hash, password):
                return int(row.id)
        return None

    async def open_session(self, staff_id: int) -> tuple[str, StaffSession] | None:
        stmt = (
            select(St.id, St.name, St.role, Pw.locale)
            .join(staff_passwords, Pw.staff_id == St.id)
            .where(St.id == staff_id, St.active.is_(True))
        )
        async with self.sessions() as session:
            found = (await session.execute(stmt)).first()
        if found is None:
            return None
        token, now = new_session_token(), self.clock.now()
        record = StaffSession(
            found.id, found.name, found.role, found.locale, secrets.token_urlsafe(32), now + self.lifetime
        )
        async with self.sessions() as session, session.begin():
            await session.execute(delete(staff_sessions).where(Se.expires_at <= now))
            await session.execute(
                insert(staff_sessions).values(
                    token_hash=hash_session_token(token),
                    staff_id=found.id,
                    csrf_token=record.csrf_token,
                    created_at=now,
                    expires_at=record.expires_at,
                )
            )
        return token, record

    async def session(self, token: str) -> StaffSession | None:
        stmt = (
            select(St.id, St.name, St.role, Pw.locale, Se.csrf_token, Se.expires_at)
            .select_from(staff_sessions)
            .join(orm.staff_members, St.id == Se.staff_id)
            .join(staff_passwords, Pw.staff_id == St.id)
            .where(Se.token_hash == hash_session_token(token), St.active.is_(True))
        )
        async with self.sessions() as session:
            row = (await session.execute(stmt)).first()
        if row is None or row.expires_at <= self.clock.now():
            return None
        return StaffSession(row.id, row.name, row.role, row.locale, row.csrf_token, row.expires_at)

    async def sign_out(self, token: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(delete(staff_sessions).where(Se.token_hash == hash_session_token(token)))
