"""SQL behind ``domain.api_access``: API keys and idempotency records."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.dialect_insert import session_insert
from domain.adapters.orm_api import api_idempotency, api_keys
from domain.adapters.read_scope import request_reads
from domain.api_access import ApiKeyRecord, StoredResponse, hash_api_key, new_api_key
from domain.errors import ValidationFailed
from domain.ports import Clock

K, Idem = api_keys.c, api_idempotency.c
# A key used again within this long keeps its last-used time: no write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Expired idempotency records are swept by a claim at most this often (per process): no job to schedule.
PRUNE_EVERY = timedelta(hours=1)

# Built once: a statement built per request costs its cache key on every request.
BY_HASH = select(api_keys).where(K.key_hash == bindparam("key_hash"))


def _record(row: Any) -> ApiKeyRecord:
    return ApiKeyRecord(
        row.id, row.name, row.prefix, frozenset(row.scopes), row.created_at, row.last_used_at, row.revoked_at
    )


class SqlApiKeyStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def create(self, name: str, scopes: frozenset[str]) -> tuple[ApiKeyRecord, str]:
        name = name.strip()
        if not name:
            raise ValidationFailed("An API key needs a name (who or what uses it).")
        key = new_api_key()
        async with self.sessions() as session, session.begin():
            taken = await session.execute(select(K.id).where(K.name == name, K.revoked_at.is_(None)))
            if taken.first() is not None:
                raise ValidationFailed(f"There is already an active API key named {name}; revoke it first.")
            row = (
                await session.execute(
                    insert(api_keys)
                    .values(
                        name=name,
                        prefix=key[:10],
                        key_hash=hash_api_key(key),
                        scopes=sorted(scopes),
                        created_at=self.clock.now(),
                    )
                    .returning(*api_keys.c)
                )
            ).one()
        return _record(row), key

    async def authenticate(self, key: str) -> ApiKeyRecord | None:
        """The key's record, looked up on every request (a revocation holds at once, in every process); on
        the request's read connection when it has one. The last-used time is written at most once a minute."""
        params = {"key_hash": hash_api_key(key)}
        reads = request_reads()
        if reads is not None:
            found = await reads.execute(BY_HASH, params)
            row = found[0] if found else None
        else:
            async with self.sessions() as session:
                row = (await session.execute(BY_HASH, params)).first()
        if row is None or row.revoked_at is not None:
            return None
        now = self.clock.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            async with self.sessions() as session, session.begin():
                await session.execute(update(api_keys).where(K.id == row.id).values(last_used_at=now))
        return _record(row)

    async def list(self) -> list[ApiKeyRecord]:
        async with self.sessions() as session:
            return [_record(r) for r in (await session.execute(select(api_keys).order_by(K.id))).all()]

    async def revoke(self, name_or_id: str) -> ApiKeyRecord | None:
        match = K.name == name_or_id
        if name_or_id.isascii() and name_or_id.isdigit() and len(name_or_id) < 19:
            match = or_(match, K.id == int(name_or_id))
        async with self.sessions() as session, session.begin():
            row = (
                await session.execute(
                    update(api_keys)
                    .where(match, K.revoked_at.is_(None))
                    .values(revoked_at=self.clock.now())
                    .returning(*api_keys.c)
                )
            ).first()
        return None if row is None else _record(row)


class SqlIdempotencyStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, keep: timedelta) -> None:
        self.sessions = sessions
        self.clock = clock
        self.keep = keep
        self._pruned_at: datetime | None = None

    async def claim(self, api_key_id: int, key: str, request_hash: str) -> StoredResponse | None:
        now = self.clock.now()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            await self.prune(now)
        async with self.sessions() as session, session.begin():
            # An expired record no longer holds the key.
            await session.execute(
                delete(api_idempotency).where(
                    Idem.api_key_id == api_key_id, Idem.idempotency_key == key, Idem.expires_at <= now
                )
            )
            claimed = await session.execute(
                session_insert(session, api_idempotency)
                .values(
                    api_key_id=api_key_id,
                    idempotency_key=key,
                    request_hash=request_hash,
                    status=0,
                    content_type="",
                    body=b"",
                    created_at=now,
                    expires_at=now + self.keep,
                )
                .on_conflict_do_nothing()
            )
            if getattr(claimed, "rowcount", 0):
                return None
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(Idem.request_hash, Idem.status, Idem.content_type, Idem.body).where(
                        Idem.api_key_id == api_key_id, Idem.idempotency_key == key
                    )
                )
            ).first()
        if row is None:  # released meanwhile: whoever asks again may claim it
            return StoredResponse(request_hash, 0, "", b"")
        return StoredResponse(row.request_hash, row.status, row.content_type, bytes(row.body))

    async def finish(self, api_key_id: int, key: str, status: int, content_type: str, body: bytes) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(api_idempotency)
                .where(Idem.api_key_id == api_key_id, Idem.idempotency_key == key)
                .values(status=status, content_type=content_type, body=body)
            )

    async def release(self, api_key_id: int, key: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(api_idempotency).where(Idem.api_key_id == api_key_id, Idem.idempotency_key == key)
            )

    async def prune(self, now: datetime | None = None) -> int:
        async with self.sessions() as session, session.begin():
            result = await session.execute(delete(api_idempotency).where(Idem.expires_at <= (now or self.clock.now())))
        return int(result.rowcount)  # type: ignore[attr-defined]
