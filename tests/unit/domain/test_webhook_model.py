"""Webhook subscriptions as plain Python: the retry schedule, secrets during rotation, what they match."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import ValidationFailed
from domain.model.webhooks import RetryPolicy, WebhookSubscription, check_event_types, check_url, new_secret

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_default_policy_makes_8_attempts_over_about_4_hours_with_jitter() -> None:
    policy = RetryPolicy(rng=random.Random(7))
    delays = [policy.delay_after(n) for n in range(1, 9)]
    assert delays[-1] is None and all(d is not None for d in delays[:-1])
    total = sum((d for d in delays if d is not None), timedelta())
    assert timedelta(hours=3.3) < total < timedelta(hours=5.1)
    exact = [120 * 2 ** (n - 1) for n in range(1, 8)]
    seconds = [d.total_seconds() for d in delays if d is not None]
    assert all(0.8 * e <= s <= 1.2 * e for s, e in zip(seconds, exact, strict=True))
    assert seconds != exact  # jittered


def test_both_secrets_sign_during_the_grace_period_and_only_the_new_one_after() -> None:
    sub = WebhookSubscription("https://example.com/h", ("*",), new_secret(), NOW)
    old = sub.secret
    new = sub.rotate(NOW, timedelta(hours=1))
    assert sub.secrets_at(NOW + timedelta(minutes=59)) == (new, old)
    assert sub.secrets_at(NOW + timedelta(hours=1)) == (new,)


def test_a_subscription_matches_its_events_never_internal_ones_and_nothing_when_disabled() -> None:
    sub = WebhookSubscription("https://example.com/h", ("*",), new_secret(), NOW)
    assert sub.wants("OrderPaid") and not sub.wants("MarketingMessage")
    named = WebhookSubscription("https://example.com/h", ("OrderPaid",), new_secret(), NOW)
    assert named.wants("OrderPaid") and not named.wants("OrderShipped")
    assert named.disable(NOW, "x") and not named.disable(NOW, "again") and not named.wants("OrderPaid")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/h", "https://user:pw@example.com/h", "example.com/h", "https:///nohost"]
)
def test_urls_that_are_not_plain_http_are_refused(url: str) -> None:
    with pytest.raises(ValidationFailed):
        check_url(url)


def test_event_types_are_known_names_or_a_lone_star() -> None:
    known = frozenset({"OrderPaid", "OrderShipped"})
    assert check_event_types((" OrderShipped", "OrderPaid", "OrderPaid"), known) == ("OrderPaid", "OrderShipped")
    assert check_event_types(("*",), known) == ("*",)
    for bad in (("*", "OrderPaid"), ("Nope",), ("",)):
        with pytest.raises(ValidationFailed):
            check_event_types(bad, known)
