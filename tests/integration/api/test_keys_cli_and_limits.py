"""`chatshop apikey create|list|revoke` through the real CLI, and the rate limit shared through Redis."""

from __future__ import annotations

import asyncio
import json
import uuid

from click.testing import Result
from typer.testing import CliRunner

from admin_api.rest.ratelimit import LimitsRateLimiter
from chatshop.cli import app
from chatshop.settings import get_settings
from tests.integration.api.conftest import ApiClient
from tests.support.services import redis_url
from tests.support.shopdata import SmallShop


async def chatshop(small: SmallShop, *args: str) -> Result:
    def invoke() -> Result:
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(args), env={"CHATSHOP_DATABASE_URL": small.shop.settings.database_url})
        finally:
            get_settings.cache_clear()

    return await asyncio.to_thread(invoke)


async def test_a_key_made_on_the_command_line_is_shown_once_and_works_until_revoked(
    small: SmallShop, api: ApiClient
) -> None:
    made = await chatshop(small, "apikey", "create", "erp-sync", "--scopes", "orders:read,stock:write")
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("csk_") and len(key) > 40
    assert (await api.call("GET", "/orders", key))[0] == 200
    listed = await chatshop(small, "apikey", "list", "--json")
    assert key not in listed.output
    shown = json.loads(listed.output)
    assert shown["name"] == "erp-sync" and shown["scopes"] == ["orders:read", "stock:write"]
    assert shown["prefix"] == key[:10] and shown["last_used_at"] is not None and shown["revoked_at"] is None
    assert (await chatshop(small, "apikey", "revoke", "erp-sync")).exit_code == 0
    assert (await api.call("GET", "/orders", key))[0] == 401
    assert (await chatshop(small, "apikey", "revoke", "erp-sync")).exit_code == 1


async def test_an_unknown_scope_is_refused_naming_the_known_ones(small: SmallShop) -> None:
    made = await chatshop(small, "apikey", "create", "x", "--scopes", "orders:delete")
    assert made.exit_code == 1 and "orders:delete" in made.output and "orders:read" in made.output


async def test_two_processes_share_one_budget_through_redis() -> None:
    url = redis_url()
    first, second = LimitsRateLimiter("4/minute", url), LimitsRateLimiter("4/minute", url)
    key = f"key:{uuid.uuid4()}"
    answers = [await limiter.hit(key) for limiter in (first, second, first, second, first)]
    assert answers[:4] == [None] * 4
    assert answers[4] is not None and 0 < answers[4] <= 60
