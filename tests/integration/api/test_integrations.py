"""Webhook subscriptions and automation rules through the admin API, on SQLite and PostgreSQL: thin over the
same commands and views as `chatshop webhook|automation`, so the domain still decides who may do what."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import ApiClient, MakeKey
from tests.integration.webhooks.helpers import publish, worker
from tests.integration.webhooks.receiver import running_receiver
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(90)

RULE_YAML = """\
name: chatters
when: OrderPlaced
if:
  - channel_is: webchat
then:
  - tag_customer: chatter
"""


async def test_a_subscription_created_through_the_api_shows_its_secret_once_and_is_listed_without_it(
    api: ApiClient, make_key: MakeKey
) -> None:
    key = await make_key("webhooks:read", "webhooks:write")
    body = {"url": "https://erp.example.com/hooks", "event_types": ["OrderPaid", "OrderShipped"]}
    status, created, _ = await api.call("POST", "/webhooks", key, body)
    assert status == 201, created
    secret = created["secret"]
    assert isinstance(secret, str) and secret.startswith("whsec_")
    sub = created["subscription"]
    assert isinstance(sub, dict) and sub["event_types"] == ["OrderPaid", "OrderShipped"] and sub["active"] is True
    status, listed, resp = await api.call("GET", "/webhooks", key)
    assert status == 200 and listed["items"] == [sub]
    assert secret not in await resp.text()
    status, got, _ = await api.call("GET", f"/webhooks/{sub['id']}", key)
    assert status == 200 and got == sub


async def test_disable_enable_and_rotate_answer_the_subscription_and_rotation_shows_the_new_secret_once(
    api: ApiClient, make_key: MakeKey
) -> None:
    key = await make_key("webhooks:write")
    _, created, _ = await api.call("POST", "/webhooks", key, {"url": "https://a.example.com/h", "event_types": ["*"]})
    sub_id = created["subscription"]["id"]  # type: ignore[index]
    status, off, _ = await api.call("POST", f"/webhooks/{sub_id}/disable", key)
    assert status == 200 and off["active"] is False and off["disabled_reason"] == "disabled by api:key-1"
    status, on, _ = await api.call("POST", f"/webhooks/{sub_id}/enable", key)
    assert status == 200 and on["active"] is True and on["disabled_reason"] is None
    status, rotated, _ = await api.call("POST", f"/webhooks/{sub_id}/rotate-secret", key, {"grace_seconds": 3600})
    assert status == 200 and rotated["secret"] != created["secret"]
    assert rotated["subscription"]["rotating_until"] is not None  # type: ignore[index]
    status, problem, _ = await api.call("POST", f"/webhooks/{sub_id}/rotate-secret", key, {"grace_seconds": -1})
    assert status == 422 and problem["errors"][0]["field"] == "body.grace_seconds"  # type: ignore[index]


async def test_unknown_subscriptions_deliveries_and_event_types_are_problems_not_errors(
    api: ApiClient, make_key: MakeKey
) -> None:
    key = await make_key("webhooks:read", "webhooks:write")
    for method, path in [
        ("GET", "/webhooks/999"),
        ("POST", "/webhooks/999/disable"),
        ("GET", "/webhooks/999/deliveries"),
        ("POST", "/webhook-deliveries/999/redeliver"),
    ]:
        status, problem, resp = await api.call(method, path, key)
        assert status == 404 and resp.content_type == "application/problem+json", (path, problem)
    status, problem, _ = await api.call("POST", "/webhooks", key, {"url": "https://x.example", "event_types": ["Nope"]})
    assert status == 422 and "Unknown event type(s): Nope" in str(problem["detail"])


async def test_deliveries_page_newest_first_with_attempts_and_a_redelivery_starts_again(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    shop = small.shop
    key = await make_key("webhooks:read", "webhooks:write")
    async with running_receiver(fail_first=10) as receiver:
        body = {"url": receiver.url, "event_types": ["OrderPlaced"]}
        _, created, _ = await api.call("POST", "/webhooks", key, body)
        sub_id = created["subscription"]["id"]  # type: ignore[index]
        customer = await small.customer()
        for _ in range(3):
            await small.checkout(customer)
        await publish(shop)
        sender = worker(shop)
        await sender.drain()
        await sender.sender.aclose()
    seen: list[int] = []
    cursor: str | None = None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        status, page, _ = await api.call("GET", f"/webhooks/{sub_id}/deliveries{query}", key)
        assert status == 200, page
        seen += [d["id"] for d in page["items"]]  # type: ignore[union-attr, index]
        cursor = page["next_cursor"]  # type: ignore[assignment]
        if cursor is None:
            break
    assert len(seen) == 3 and seen == sorted(seen, reverse=True)
    _, page, _ = await api.call("GET", f"/webhooks/{sub_id}/deliveries?status=pending&limit=1", key)
    (newest,) = page["items"]  # type: ignore[misc]
    assert newest["attempts"] == 1 and newest["attempt_log"][0]["status_code"] == 500
    status, again, _ = await api.call("POST", f"/webhook-deliveries/{newest['id']}/redeliver", key)
    assert status == 202 and again["id"] == newest["id"] and again["attempts"] == 0
    assert again["message_id"] == newest["message_id"] and again["status"] == "pending"


async def test_a_rule_from_yaml_or_json_is_saved_switched_and_its_dry_run_explains_itself(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("automation:read", "automation:write")
    await small.checkout(await small.customer())
    await small.shop.outbox.drain()
    status, rule, _ = await api.call("POST", "/automation/rules", key, {"yaml": RULE_YAML})
    assert status == 200, rule
    assert rule["name"] == "chatters" and rule["when"] == "OrderPlaced" and rule["enabled"] is True
    assert rule["conditions"] == [{"channel_is": "webchat"}] and rule["source"] == RULE_YAML
    status, off, _ = await api.call("POST", "/automation/rules/chatters/disable", key)
    assert status == 200 and off["enabled"] is False
    status, dry, _ = await api.call("GET", "/automation/rules/chatters/dry-run?last=5", key)
    assert status == 200 and dry["would_act"] == 1, dry
    (line,) = dry["events"]  # type: ignore[misc]
    assert line["would_act"] is True and line["reasons"][0].startswith("yes: ")
    assert "chatter" in line["actions"][0]
    as_json = {"name": "chatters", "when": "OrderPaid", "then": [{"tag_customer": "payer"}]}
    status, replaced, _ = await api.call("POST", "/automation/rules", key, {"rule": as_json})
    assert status == 200 and replaced["when"] == "OrderPaid" and replaced["enabled"] is False  # kept off
    status, listed, _ = await api.call("GET", "/automation/rules", key)
    assert status == 200 and [r["name"] for r in listed["items"]] == ["chatters"]  # type: ignore[union-attr, index]


async def test_bad_rules_are_422_naming_what_is_wrong_and_unknown_rules_404(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key("automation:read", "automation:write")
    status, problem, _ = await api.call("POST", "/automation/rules", key, {"yaml": "name: [unclosed"})
    assert status == 422 and "not YAML" in str(problem["detail"])
    status, problem, _ = await api.call("POST", "/automation/rules", key, {"yaml": RULE_YAML, "rule": {}})
    assert status == 422 and "exactly one of" in str(problem["detail"])
    bad = {"name": "x", "when": "Sunrise", "then": [{"tag_customer": "a"}]}
    status, problem, _ = await api.call("POST", "/automation/rules", key, {"rule": bad})
    assert status == 422 and str(problem["detail"]).startswith("when: one of OrderPlaced")
    for method, path in [
        ("GET", "/automation/rules/ghost"),
        ("POST", "/automation/rules/ghost/enable"),
        ("GET", "/automation/rules/ghost/dry-run"),
    ]:
        status, problem, _ = await api.call(method, path, key)
        assert status == 404, (path, problem)


async def test_a_read_only_key_may_look_at_integrations_but_not_change_them(api: ApiClient, make_key: MakeKey) -> None:
    reader = await make_key("webhooks:read", "automation:read")
    status, problem, _ = await api.call("POST", "/webhooks", reader, {"url": "https://x.example", "event_types": ["*"]})
    assert status == 403 and problem["scope"] == "webhooks:write"
    status, problem, _ = await api.call("POST", "/automation/rules", reader, {"yaml": RULE_YAML})
    assert status == 403 and problem["scope"] == "automation:write"
    assert (await api.call("GET", "/webhooks", reader))[0] == 200
    assert (await api.call("GET", "/automation/rules", reader))[0] == 200
