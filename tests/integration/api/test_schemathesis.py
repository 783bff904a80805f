"""Schemathesis against the served OpenAPI document: every operation, bounded examples, no 5xx, and every
response matches the document. The server runs on its own event loop in a thread (schemathesis is sync)."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from admin_api.rest.settings import ApiSettings
from chatshop.api_wiring import mount_admin_api
from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from chatshop.web import create_app
from domain.adapters.api_access import SqlApiKeyStore
from domain.model.staff import SCOPES
from tests.integration.api.conftest import serve
from tests.support.shopdata import SmallShop

EXAMPLES = 8
# The same examples every run, so CI does not fail at random; CHATSHOP_FUZZ_RANDOM=1 explores new ones (that is
# how the NUL character, the "³" id and the undocumented 404 were found).
DERANDOMIZE = os.environ.get("CHATSHOP_FUZZ_RANDOM") != "1"
# No 5xx; status codes, content types and bodies as documented. Not "every schema-valid request succeeds":
# a well-formed cursor we never gave out, or a price in another currency, is rightly refused by the domain.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Server(threading.Thread):
    def __init__(self, database_url: str, media: Path) -> None:
        super().__init__(daemon=True)
        self.database_url, self.media = database_url, media
        self.ready = threading.Event()
        self.base = self.key = ""
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self.main())
        except BaseException as exc:
            self.error = exc
            self.ready.set()

    async def main(self) -> None:
        self.loop, self.stop_event = asyncio.get_running_loop(), asyncio.Event()
        shop = build_shop(Settings(database_url=self.database_url, _env_file=None))  # type: ignore[call-arg]
        small = await SmallShop(shop).build()
        await small.checkout(await small.customer())
        _, self.key = await SqlApiKeyStore(shop.sessions, shop.clock).create("fuzz", frozenset(SCOPES))
        app = create_app(shop, [], media_dir=self.media)
        mount_admin_api(app, shop, ApiSettings(rate_limit="100000/minute", _env_file=None))  # type: ignore[call-arg]
        runner, self.base = await serve(app)
        self.ready.set()
        await self.stop_event.wait()
        await runner.cleanup()
        await shop.close()

    def stop(self) -> None:
        if self.loop is not None and self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.join(timeout=30)


@pytest.mark.slow
def test_every_operation_answers_without_5xx_and_as_documented(database_url: str, tmp_path: Path) -> None:
    server = Server(database_url, tmp_path / "media")
    server.start()
    server.ready.wait(60)
    assert server.error is None, server.error
    try:
        schema = schemathesis.openapi.from_url(f"{server.base}/api/v1/openapi.json")
        schema.config.update(base_url=f"{server.base}/api/v1")
        headers = {"Authorization": f"Bearer {server.key}"}
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 18
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=DERANDOMIZE,
            )
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            check()
    finally:
        server.stop()
