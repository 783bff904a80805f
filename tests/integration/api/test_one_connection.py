"""A GET request reads on one pooled connection: its key lookup and its page share it (bench/api.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, event, select, text
from sqlalchemy.pool import Pool

from domain.adapters import orm
from domain.adapters.api_access import SqlApiKeyStore
from domain.adapters.db import create_reader_engine
from domain.adapters.read_scope import PlainStatement, request_read_scope
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.shopdata import SmallShop


async def test_a_get_request_takes_one_connection_from_the_pool_for_its_key_and_its_page(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    await small.checkout(await small.customer())
    key = await make_key("orders:read")
    assert (await api.call("GET", "/orders?limit=5", key))[0] == 200  # writes the key's last-used time
    checkouts: list[Any] = []

    def count(*_: Any) -> None:
        checkouts.append(1)

    # Every pool: on PostgreSQL the API reads on a pool of its own (chatshop/api_wiring.py).
    event.listen(Pool, "checkout", count)
    try:
        status, page, _ = await api.call("GET", "/orders?limit=5", key)
    finally:
        event.remove(Pool, "checkout", count)
    assert status == 200 and len(page["items"]) == 1  # type: ignore[arg-type]
    assert len(checkouts) == 1


async def test_a_key_revoked_between_two_get_requests_is_refused_at_once(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("orders:read")
    assert (await api.call("GET", "/orders", key))[0] == 200
    await SqlApiKeyStore(small.shop.sessions, small.shop.clock).revoke("key-1")
    status, problem, _ = await api.call("GET", "/orders", key)
    assert status == 401 and problem["type"] == "urn:chatshop:problem:invalid_key"


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a server drops connections
async def test_a_get_request_is_answered_after_the_database_dropped_the_pooled_connections(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("orders:read")
    assert (await api.call("GET", "/orders", key))[0] == 200
    async with small.shop.engine.connect() as conn:  # as a restart or an idle timeout would
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    for _ in range(3):
        assert (await api.call("GET", "/orders", key))[0] == 200


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a server drops connections
async def test_a_kept_statement_run_by_the_driver_reads_again_after_its_connection_was_dropped(
    small: SmallShop,
) -> None:
    """``fetch_plain`` (the order list's path on PostgreSQL) reopens a dropped connection like ``execute``."""
    await small.checkout(await small.customer())
    reads_engine = create_reader_engine(small.shop.settings.database_url, pool_size=1)
    page = PlainStatement(select(orm.orders.c.id, orm.orders.c.status).where(orm.orders.c.id >= bindparam("first")))
    try:
        async with request_read_scope(reads_engine) as reads:
            before = await reads.fetch_plain(page, {"first": 1})
            async with small.shop.engine.connect() as conn:
                await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            after = await reads.fetch_plain(page, {"first": 1})
    finally:
        await reads_engine.dispose()
    assert [tuple(r) for r in after] == [tuple(r) for r in before] and len(before) == 1
    assert before[0][1] == "pending_payment"  # an enum read as its text
