"""Failed sign-ins are counted in Redis when it is configured, so every process of the shop counts together."""

from __future__ import annotations

import uuid

import pytest

from admin_api.console.throttle import LoginThrottle
from tests.support.services import redis_url

pytestmark = pytest.mark.redis


async def test_two_processes_count_one_names_failed_sign_ins_together() -> None:
    url = redis_url()
    first, second = (
        LoginThrottle("3/15 minutes", "100/15 minutes", url),
        LoginThrottle("3/15 minutes", "100/15 minutes", url),
    )
    name = f"staff-{uuid.uuid4()}"
    for throttle, address in ((first, "10.0.0.1"), (second, "10.0.0.2"), (first, "10.0.0.3")):
        assert await throttle.wait(name, address) is None
        await throttle.failed(name, address)
    wait = await second.wait(name.upper(), "10.0.0.4")  # the same name, whatever its case
    assert wait is not None and 0 < wait <= 15 * 60
    assert await second.wait(f"other-{name}", "10.0.0.4") is None


async def test_one_address_is_counted_across_names() -> None:
    throttle = LoginThrottle("100/15 minutes", "2/15 minutes", redis_url())
    address = f"10.1.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    await throttle.failed(f"a-{uuid.uuid4()}", address)
    await throttle.failed(f"b-{uuid.uuid4()}", address)
    assert await throttle.wait(f"c-{uuid.uuid4()}", address) is not None
