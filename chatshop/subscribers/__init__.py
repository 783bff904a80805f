"""Every outbox subscriber of the shop, by feature: what runs after commit when an event is published.

Each feature lists its subscribers in its own module (``payments``, ``webhooks``, ``campaigns``,
``channels``); ``registry`` assembles them, so ``registry.REGISTRY`` is the one place to read who follows an
event (``registry.followers("OrderPlaced")``). ``registry.unregistered`` compares what a process actually
subscribed with it: ``chatshop run`` refuses to start on a difference, and
tests/integration/test_subscriber_registry.py checks every event has a follower or is listed in
``registry.PUBLISHED_ONLY``. This package's own import loads no feature (bootstrap needs only ``payments``).
"""
