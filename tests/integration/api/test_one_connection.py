"""A GET request reads on one pooled connection: its key lookup and its page share it (bench/api.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

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

    engine = small.shop.engine.sync_engine
    event.listen(engine, "checkout", count)
    try:
        status, page, _ = await api.call("GET", "/orders?limit=5", key)
    finally:
        event.remove(engine, "checkout", count)
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
