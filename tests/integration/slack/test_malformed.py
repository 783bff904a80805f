"""Garbage into the Slack endpoint: the signature and timestamp are checked on the raw body first (401),
then the body is parsed (400 when it is not a Slack request), and nothing ever answers 500."""

from __future__ import annotations

import time

import aiohttp
import pytest

from tests.integration.slack.conftest import SlackShop
from tests.support.fake_slack import sign

FORM = "application/x-www-form-urlencoded"
GARBAGE = [
    ("payload={not json", FORM),
    ("payload=%7Bnot+json", FORM),
    ("{not json at all", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('"just a string"', "application/json"),
    ("null", "application/json"),
    ('{"type": "block_actions"}', "application/json"),
    ("payload=%5B1%2C2%5D", FORM),
    ("payload=%7B%22type%22%3A%22view_submission%22%7D", FORM),
]


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
async def test_an_unsigned_malformed_body_is_refused_with_401_before_it_is_parsed(
    slack: SlackShop, body: str, content_type: str
) -> None:
    sent = await slack.send.post(body, content_type, signature="v0=" + "0" * 64)
    assert sent.status == 401
    sent = await slack.send.post(body, content_type, signature="")
    assert sent.status == 401


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
async def test_a_signed_malformed_body_is_a_400_not_a_500(slack: SlackShop, body: str, content_type: str) -> None:
    sent = await slack.send.post(body, content_type)
    assert sent.status in (400, 404), sent.text  # 404: well-formed but no listener wants it (Bolt's answer)


@pytest.mark.parametrize("timestamp", ["not-a-number", "", "1e9", "-1", "99999999999999999999999", " 1700000000"])
async def test_a_non_numeric_or_absurd_timestamp_header_is_a_401(slack: SlackShop, timestamp: str) -> None:
    body = "command=%2Fstock&text=MUG-WHT&user_id=UOPERATOR&channel_id=COPS"
    headers = {"X-Slack-Request-Timestamp": timestamp}
    # Signed as if the timestamp were honest, so only the header's shape is wrong.
    signature = "v0=" + sign(slack.send.secret, body, 0)[3:]
    sent = await slack.send.post(body, FORM, signature=signature, headers=headers)
    assert sent.status == 401
    assert slack.fake.called("chat.postEphemeral") == []


async def test_a_missing_timestamp_header_is_a_401(slack: SlackShop) -> None:
    body = "command=%2Fstock&text=MUG-WHT&user_id=UOPERATOR&channel_id=COPS"
    now = int(time.time())
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            slack.send.url,
            data=body,
            headers={"Content-Type": FORM, "X-Slack-Signature": sign(slack.send.secret, body, now)},
        ) as r,
    ):
        assert r.status == 401
