"""A webhook subscription the shop disables because it kept failing is announced in the ops channel, once;
one staff disabled by hand is not (they know)."""

from __future__ import annotations

from domain.commands import SYSTEM
from domain.commands_webhooks import AddWebhookSubscription, DisableWebhookSubscription
from domain.model.staff import Actor, Role
from tests.integration.slack.conftest import OPS, SlackShop


async def test_a_webhook_disabled_for_failing_is_posted_to_the_ops_channel_escaped(slack: SlackShop) -> None:
    bus = slack.shop.bus
    hostile = "https://example.com/<!channel>&x"
    failing, _ = await bus.handle(AddWebhookSubscription(hostile, ("*",), actor=SYSTEM))
    manual, _ = await bus.handle(AddWebhookSubscription("https://example.com/b", ("*",), actor=SYSTEM))
    reason = "every delivery failed for 24 hours (last: HTTP 503)"
    await bus.handle(DisableWebhookSubscription(failing, actor=SYSTEM, reason=reason))
    await bus.handle(DisableWebhookSubscription(manual, actor=Actor.staff("ada", Role.ADMIN)))
    await slack.shop.outbox.drain()

    posted = [m for m in slack.fake.history.get(OPS, []) if "Webhook" in str(m.get("text", ""))]
    assert len(posted) == 1
    message = posted[0]
    assert message["text"] == f"Webhook {failing} disabled: {reason}"
    section = str(message["blocks"][0])
    assert "&lt;!channel&gt;&amp;x" in section and "<!channel>" not in section
