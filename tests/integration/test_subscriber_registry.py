"""chatshop/subscribers is the one list of outbox subscribers: every event published has a follower there
(or is listed as published for webhooks and automation only), and ``chatshop run``'s assembly subscribes
exactly what it lists, with the events it lists."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from pydantic import SecretStr

import domain
from chatshop.app import channel_mounts
from chatshop.bootstrap import Shop
from chatshop.runtime import Runtime
from chatshop.server import add_campaigns, check_subscribers
from chatshop.subscribers.registry import PUBLISHED_ONLY, REGISTRY, followers, unregistered
from chatshop.web import create_app
from chatshop.webhooks import add_webhooks
from domain.events import Event


def published_events() -> set[str]:
    # Events may be declared beside the feature that publishes them: load the whole domain first.
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    return set(Event.registry)


def test_every_published_event_has_a_subscriber_or_is_listed_as_published_only() -> None:
    events = published_events()
    assert sorted(e for e in events if not followers(e) and e not in PUBLISHED_ONLY) == []
    assert sorted(e for e in PUBLISHED_ONLY if followers(e)) == []  # the list stays true
    assert events >= PUBLISHED_ONLY
    for sub in REGISTRY.values():
        assert sub.events is None or sub.events <= events, sub.name  # no subscriber waits for a renamed event


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_served_shop_subscribes_exactly_the_registered_subscribers(shop: Shop, tmp_path: Path) -> None:
    shop.settings = shop.settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-test"),
            "slack_signing_secret": SecretStr("secret"),
            "telegram_token": SecretStr("123456:TEST"),
        }
    )
    runtime = Runtime(shop, shop.settings.outbox_poll_seconds)
    app = create_app(shop, channel_mounts(shop.settings), media_dir=tmp_path / "media")
    add_campaigns(app, runtime, shop, shop.settings)
    add_webhooks(runtime, shop)

    subscribed = shop.outbox.subscriptions
    assert unregistered(subscribed) == []
    assert sorted(s.name for s in subscribed) == sorted(REGISTRY)
    check_subscribers(shop)  # what ``chatshop run`` does before it takes a socket


def test_an_unlisted_subscriber_is_named_and_a_changed_event_list_is_shown() -> None:
    class Sub:
        def __init__(self, name: str, events: frozenset[str] | None) -> None:
            self.name, self.events = name, events

    problems = unregistered([Sub("mystery", None), Sub("slack-stock", frozenset({"LowStock", "StockChanged"}))])
    assert problems[0] == "mystery: not in chatshop/subscribers"
    assert problems[1].startswith("slack-stock: subscribed to ['LowStock', 'StockChanged'], listed for ['LowStock']")
