"""Auth, scopes, problem+json, idempotency, pagination and the WMS count, through real HTTP on loopback."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.shopdata import SmallShop

PROBLEM_KEYS = {"type", "title", "status", "detail"}


async def test_a_request_without_a_key_is_401_problem_json(api: ApiClient) -> None:
    status, body, resp = await api.call("GET", "/orders", None)
    assert status == 401 and resp.content_type == "application/problem+json"
    assert set(body) >= PROBLEM_KEYS and body["type"] == "urn:chatshop:problem:unauthenticated"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


async def test_an_unknown_or_revoked_key_is_401(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    assert (await api.call("GET", "/orders", "csk_made_up"))[0] == 401
    key = await make_key("orders:read")
    assert (await api.call("GET", "/orders", key))[0] == 200
    from domain.adapters.api_access import SqlApiKeyStore

    await SqlApiKeyStore(small.shop.sessions, small.shop.clock).revoke("key-1")
    status, body, _ = await api.call("GET", "/orders", key)
    assert status == 401 and body["type"] == "urn:chatshop:problem:invalid_key"


async def test_api_key_without_orders_read_scope_gets_403_naming_the_scope(api: ApiClient, make_key: MakeKey) -> None:
    status, body, resp = await api.call("GET", "/orders", await make_key("products:read"))
    assert status == 403 and resp.content_type == "application/problem+json"
    assert body["scope"] == "orders:read" and "orders:read" in str(body["detail"])


async def test_only_a_hash_of_the_key_is_stored(make_key: MakeKey, small: SmallShop) -> None:
    key = await make_key("orders:read")
    async with small.shop.sessions() as session:
        rows = (await session.execute(select(orm.orm_api.api_keys))).all()
    assert len(rows) == 1 and key not in repr(tuple(rows[0])) and rows[0].key_hash != key


async def test_bad_input_is_422_with_field_errors(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key()
    status, body, resp = await api.call("POST", "/stock/adjust", key, {"sku": "MUG-WHT", "warehouse": "EAST"})
    assert status == 422 and resp.content_type == "application/problem+json"
    fields = {e["field"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"body.delta", "body.reason"} <= fields
    status, body, _ = await api.call("GET", "/orders?limit=0", key)
    assert status == 422 and body["errors"][0]["field"] == "query.limit"  # type: ignore[index]


async def test_a_domain_refusal_is_problem_json_with_the_domains_words(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    order_id = await small.checkout(await small.customer())
    status, body, _ = await api.call(
        "POST", f"/orders/{order_id}/ship", await make_key(), {"carrier": "UPS", "tracking_number": "1Z"}
    )
    assert status == 409 and body["type"] == "urn:chatshop:problem:illegal_transition"
    assert body["detail"] == "Order #1 is unpaid and can't become shipped."
    status, body, _ = await api.call("GET", "/orders/999999", await make_key())
    assert status == 404 and body["type"] == "urn:chatshop:problem:not_found"
    for odd in ("%C2%B3", "-1", "1e3", "99999999999999999999"):  # "³" is a digit to str.isdigit
        assert (await api.call("GET", f"/orders/{odd}", await make_key()))[0] == 404


async def test_the_domain_refuses_what_a_keys_scopes_do_not_give(small: SmallShop) -> None:
    from domain.errors import PermissionDenied
    from domain.model.staff import Actor

    actor = Actor.api_key("erp", frozenset({"stock:read"}))
    try:
        await small.shop.bus.handle(c.AdjustStock("MUG-WHT", "EAST", -1, "count", actor=actor))
    except PermissionDenied as exc:
        assert "stock:write" in exc.message
    else:
        raise AssertionError("a read-only key adjusted stock")


async def test_the_same_idempotency_key_and_body_replays_the_first_response(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key()
    body = {"sku": "MUG-WHT", "warehouse": "EAST", "quantity": 5}
    first = await api.call("POST", "/stock/receive", key, body, **{"Idempotency-Key": "r-1"})
    second = await api.call("POST", "/stock/receive", key, body, **{"Idempotency-Key": "r-1"})
    assert first[0] == second[0] == 200 and first[1] == second[1] and first[1]["on_hand"] == 55
    assert second[2].headers.get("Idempotent-Replayed") == "true"
    stock = await small.shop.views.stock("MUG-WHT")
    assert stock is not None and sum(r.on_hand for r in stock.rows) == 55  # received once


async def test_the_same_idempotency_key_with_another_body_is_422(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key()
    await api.call(
        "POST",
        "/stock/receive",
        key,
        {"sku": "MUG-WHT", "warehouse": "EAST", "quantity": 5},
        **{"Idempotency-Key": "r-2"},
    )
    status, body, _ = await api.call(
        "POST",
        "/stock/receive",
        key,
        {"sku": "MUG-WHT", "warehouse": "EAST", "quantity": 6},
        **{"Idempotency-Key": "r-2"},
    )
    assert status == 422 and body["type"] == "urn:chatshop:problem:idempotency_key_reused"


async def test_a_wms_count_sets_stock_and_writes_the_ledger_delta_once(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("stock:write", "stock:read")
    count = {"sku": "MUG-WHT", "warehouse": "EAST", "on_hand": 42, "reason": "cycle count"}
    status, body, _ = await api.call("POST", "/stock/count", key, count)
    assert status == 200 and body["on_hand"] == 42 and body["available"] == 42
    assert (await api.call("POST", "/stock/count", key, count))[1]["on_hand"] == 42
    M = orm.stock_movements.c
    async with small.shop.sessions() as session:
        moves = (
            await session.execute(
                select(M.kind, M.d_on_hand, M.reason)
                .join(orm.variants, orm.variants.c.id == M.variant_id)
                .where(orm.variants.c.sku == "MUG-WHT")
                .order_by(M.id)
            )
        ).all()
    assert [tuple(m) for m in moves] == [("receive", 50, "received"), ("adjust", -8, "cycle count")]
    assert (await small.shop.views.ledger_mismatches()) == []


async def test_paging_orders_neither_skips_nor_repeats_while_new_orders_arrive(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    await small.shop.bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 100, actor=c.SYSTEM))
    customer = await small.customer()
    before = [await small.checkout(customer, "MUG-WHT") for _ in range(7)]
    key = await make_key("orders:read")
    seen: list[int] = []
    cursor = None
    while True:
        path = "/orders?limit=3" + (f"&cursor={cursor}" if cursor else "")
        status, body, _ = await api.call("GET", path, key)
        assert status == 200
        seen += [o["id"] for o in body["items"]]  # type: ignore[union-attr]
        await small.checkout(customer, "MUG-WHT")  # a new order arrives between pages
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(before, reverse=True)


async def test_a_cursor_from_another_list_is_refused(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key()
    assert (await api.call("GET", "/orders?cursor=garbage!", key))[0] == 422
    _, page, _ = await api.call("GET", "/products?limit=1", key)
    status, body, _ = await api.call("GET", f"/orders?cursor={page['next_cursor']}", key)
    assert status == 422 and "another list" in str(body["detail"])


async def test_the_rate_limit_answers_429_with_retry_after(small: SmallShop, make_key: MakeKey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    from admin_api.rest.settings import ApiSettings
    from chatshop.api_wiring import mount_admin_api
    from chatshop.web import create_app
    from tests.integration.api.conftest import serve

    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_admin_api(app, small.shop, ApiSettings(rate_limit="3/minute", _env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    try:
        key = await make_key("orders:read")
        async with aiohttp.ClientSession() as http:
            client = ApiClient(base, http)
            statuses = [(await client.call("GET", "/orders", key))[0] for _ in range(4)]
            status, body, resp = await client.call("GET", "/orders", key)
        assert statuses == [200, 200, 200, 429] and status == 429
        assert int(resp.headers["Retry-After"]) >= 1 and body["type"] == "urn:chatshop:problem:rate_limited"
    finally:
        await runner.cleanup()


async def test_the_openapi_document_and_the_docs_page_are_served(api: ApiClient) -> None:
    async with api.http.get(f"{api.base}/api/v1/openapi.json") as resp:
        doc = await resp.json()
    assert doc["openapi"] == "3.1.0" and "/orders" in doc["paths"] and "OrderPage" in doc["components"]["schemas"]
    async with api.http.get(f"{api.base}/api/docs") as resp:
        page = await resp.text()
    assert (
        resp.status == 200 and "/api/docs/assets/swagger-ui-bundle.js" in page and "http" not in page.split("<body>")[1]
    )
    async with api.http.get(f"{api.base}/api/docs/assets/swagger-ui-bundle.js") as resp:
        assert resp.status == 200 and len(await resp.read()) > 100_000


async def test_concurrent_requests_share_one_event_loop(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key("orders:read")
    results = await asyncio.gather(*(api.call("GET", "/orders", key) for _ in range(5)))
    assert [r[0] for r in results] == [200] * 5


async def test_keys_are_never_logged(api: ApiClient, make_key: MakeKey, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    key = await make_key("orders:read")
    for path in ("/orders", "/orders/1", "/customers"):
        await api.call("GET", path, key)
        await api.call("GET", path, key + "x")
    assert key not in caplog.text and key[4:] not in caplog.text


async def test_expired_idempotency_records_are_swept_and_the_key_can_be_used_again(
    api: ApiClient, make_key: MakeKey, small: SmallShop, clock
) -> None:  # type: ignore[no-untyped-def]
    key = await make_key("stock:write")
    body = {"sku": "MUG-WHT", "warehouse": "EAST", "quantity": 1}
    assert (await api.call("POST", "/stock/receive", key, body, **{"Idempotency-Key": "k"}))[1]["on_hand"] == 51
    clock.advance(hours=25)
    other = {"sku": "MUG-WHT", "warehouse": "EAST", "quantity": 2}
    assert (await api.call("POST", "/stock/receive", key, other, **{"Idempotency-Key": "k"}))[1]["on_hand"] == 53
    async with small.shop.sessions() as session:
        kept = (await session.execute(select(orm.orm_api.api_idempotency.c.request_hash))).all()
    assert len(kept) == 1


async def test_a_nul_character_in_a_query_or_body_is_422_not_a_database_error(
    api: ApiClient, make_key: MakeKey
) -> None:
    key = await make_key()
    status, body, _ = await api.call("GET", "/stock?sku=A%00B", key)
    assert status == 422 and "NUL" in str(body["detail"])
    status, body, _ = await api.call(
        "POST", "/stock/adjust", key, {"sku": "MUG", "warehouse": "EAST", "delta": 1, "reason": "a\x00"}
    )
    assert status == 422 and "NUL" in str(body["detail"])
