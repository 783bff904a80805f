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


async def test_an_automation_rule_notice_reaches_the_ops_channel_once_escaped(slack: SlackShop) -> None:
    from domain.commands_automation import PutAutomationRule, RunAutomations

    bus = slack.shop.bus
    spec = {"name": "watch", "when": "OrderCancelled", "then": [{"notify_slack": "Cancelled <@U1> {order_id}"}]}
    await bus.handle(PutAutomationRule(spec, "(test)", actor=SYSTEM))
    payload = {"order_id": 7, "customer_id": 1, "reason": "x", "actor": "ada"}
    await bus.handle(RunAutomations("evt-1", "OrderCancelled", payload))
    await bus.handle(RunAutomations("evt-1", "OrderCancelled", payload))
    await slack.shop.outbox.drain()
    posted = [m for m in slack.fake.history.get(OPS, []) if "Cancelled" in str(m.get("text", ""))]
    assert len(posted) == 1
    assert "&lt;@U1&gt;" in str(posted[0]["blocks"][0]) and "<@U1>" not in str(posted[0])
