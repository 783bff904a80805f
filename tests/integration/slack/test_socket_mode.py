"""Socket Mode: with an app-level token the bot connects out to Slack and takes requests over the WebSocket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from chatshop.app import channel_mounts
from chatshop.web import create_app
from domain import commands as c
from domain.model.staff import Role
from tests.integration.slack.conftest import OPERATOR, SECRET
from tests.support.fake_slack import TEAM, FakeSlack
from tests.support.shopdata import SmallShop


@pytest.fixture
async def socket_app(small: SmallShop, fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[FakeSlack]:
    shop = small.shop
    shop.settings = shop.settings.model_copy(
        update={
            "slack_bot_token": SecretStr(fake_slack.token),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_app_token": SecretStr(fake_slack.app_token),
            "slack_api_url": fake_slack.api_url,
        }
    )
    await shop.bus.handle(c.AddStaff("olga", Role.OPERATOR, OPERATOR, actor=c.SYSTEM))
    runner = web.AppRunner(create_app(shop, channel_mounts(shop.settings), media_dir=tmp_path / "media"))
    await runner.setup()  # on_startup: the bot asks apps.connections.open and opens the WebSocket
    yield fake_slack
    await runner.cleanup()


async def test_a_slash_command_over_socket_mode_is_acked_and_answered(socket_app: FakeSlack) -> None:
    payload = {
        "team_id": TEAM,
        "channel_id": "COPS",
        "user_id": OPERATOR,
        "command": "/stock",
        "text": "MUG-WHT",
        "trigger_id": "t-1",
        "response_url": "https://hooks.slack.com/commands/T0SHOP/1/abc",
    }
    ack = await socket_app.push("slash_commands", payload, "env-1")
    assert ack["envelope_id"] == "env-1"
    answer = await socket_app.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert answer.args["text"] == "Stock for MUG-WHT"
    assert socket_app.called("apps.connections.open")
