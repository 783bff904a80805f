"""A GET request reads on one pooled connection: its key lookup and its page share it (bench/api.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.pool import Pool

from domain.adapters.api_access import SqlApiKeyStore
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


async def test_a_get_request_is_answered_after_the_database_dropped_the_pooled_connections(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    if small.shop.engine.dialect.name != "postgresql":
        pytest.skip("only a database server can drop a pooled connection")
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
