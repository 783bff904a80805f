"""The shop's HTTP server with the Slack bot mounted, a fake Slack beside it, and staff with Slack ids."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from channels.slack import SLACK_OPS_KEY
from channels.slack.context import SlackOps
from chatshop.app import channel_mounts
from chatshop.bootstrap import Shop
from chatshop.web import create_app
from domain import commands as c
from domain.model.approvals import ApprovalPolicy
from domain.model.staff import Role
from tests.support.fake_slack import FakeSlack, SlackSender
from tests.support.shopdata import SmallShop

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
OPS, SUPPORT = "COPS", "CSUPPORT"
APPROVER, OPERATOR, VIEWER, STRANGER = "UAPPROVER", "UOPERATOR", "UVIEWER", "USTRANGER"


@dataclass
class SlackShop:
    shop: Shop
    small: SmallShop
    fake: FakeSlack
    send: SlackSender
    ops: SlackOps

    async def eventually(self, check: Callable[[], Awaitable[bool]], within: float = 10) -> None:
        """Work after the ack runs in the background: wait for its effect."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not await check():
            assert loop.time() < deadline, "the expected effect did not happen in time"
            await asyncio.sleep(0.02)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slack(small: SmallShop, fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackShop]:
    shop = small.shop
    shop.settings = shop.settings.model_copy(
        update={
            "slack_bot_token": SecretStr(fake_slack.token),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_api_url": fake_slack.api_url,
            "slack_ops_channel": OPS,
            "slack_support_channel": SUPPORT,
        }
    )
    # Orders over 100.00 wait for a person, as a shop would configure with CHATSHOP_APPROVAL_TOTAL_OVER.
    shop.bus.ctx = dataclasses.replace(shop.bus.ctx, approvals=ApprovalPolicy(total_over=10000))
    await shop.bus.handle(c.AddStaff("abe", Role.APPROVER, APPROVER, actor=c.SYSTEM))
    await shop.bus.handle(c.AddStaff("olga", Role.OPERATOR, OPERATOR, actor=c.SYSTEM))
    await shop.bus.handle(c.AddStaff("vic", Role.VIEWER, VIEWER, actor=c.SYSTEM))
    # Mounted the way ``chatshop run`` mounts it: from settings, through chatshop.app.
    app = create_app(shop, channel_mounts(shop.settings), media_dir=tmp_path / "media")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake_slack.hooks_url)
    yield SlackShop(shop, small, fake_slack, sender, app[SLACK_OPS_KEY])
    await asyncio.sleep(0.05)  # let listeners that already answered finish before the database goes
    await runner.cleanup()


async def paid_order(small: SmallShop, quantity: int = 2, external_id: str = "web-1") -> int:
    """A paid order; two pairs of shoes (160.00) is over the approval threshold."""
    order_id = await small.checkout(await small.customer(external_id), quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, "USD"))
    return order_id
