"""Prometheus metrics: the ``Metrics`` port of ``domain/observability.py`` on ``prometheus-client``.

One registry per process, served by that process (``chatshop/metrics_http.py``). chatshop does not
pre-fork workers behind one socket: every ``chatshop run`` process (a replica, a container) listens on
its own address, so Prometheus scrapes each as its own target and tells them apart by its ``instance``
label; sums across replicas are a ``sum by (…)`` in the query. prometheus-client's multiprocess mode
(files in ``PROMETHEUS_MULTIPROC_DIR``) exists for workers sharing one port, where a scrape reaches a
random one; it would cost a file write per sample here for nothing. The gauges read from the database
(outbox backlog and lag) are the shop's, not the process's: each process reports the same value, so
take ``max`` of them, not the sum.

Labels are closed sets: channels are mapped onto the known ones, other free strings are cut short.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from domain.adapters.outbox import outbox_health

CHANNELS = frozenset({"webchat", "telegram", "slack", "email", "cli"})
TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
NLU_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9, 0.95, 1.0)
ACK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)  # Slack retries a request not acked within 3 s
SEND_RATE_WINDOW = 10.0  # seconds: the campaign send rate is over the last this many seconds


def _channel(value: str) -> str:
    return value if value in CHANNELS else "other"


def _label(value: str, limit: int = 48) -> str:
    return value[:limit] or "unknown"


class _SendRate(Collector):
    """``chatshop_campaign_send_rate``: campaign messages sent per second over the last few seconds, per
    channel, next to ``chatshop_campaign_rate_limit`` (the rate the sender keeps to)."""

    def __init__(self, window: float = SEND_RATE_WINDOW) -> None:
        self.window = window
        self.sent: dict[str, deque[float]] = {}
        self.limits: dict[str, float] = {}

    def record(self, channel: str, at: float, limit: float) -> None:
        times = self.sent.setdefault(channel, deque())
        times.append(at)
        self._trim(times, at)
        self.limits[channel] = limit

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] < now - self.window:
            times.popleft()

    def rate(self, channel: str, now: float | None = None) -> float:
        times = self.sent.get(channel, deque())
        self._trim(times, time.monotonic() if now is None else now)
        return len(times) / self.window

    def collect(self) -> Iterator[Metric]:
        rate = GaugeMetricFamily(
            "chatshop_campaign_send_rate",
            f"Campaign messages sent per second over the last {self.window:.0f} s",
            labels=["channel"],
        )
        limit = GaugeMetricFamily(
            "chatshop_campaign_rate_limit", "Messages per second the campaign sender keeps to", labels=["channel"]
        )
        for channel in sorted(self.limits):
            rate.add_metric([channel], self.rate(channel))
            limit.add_metric([channel], self.limits[channel])
        yield rate
        yield limit


class _Pool(Collector):
    """The database connection pool of this process, read at scrape time."""

    def __init__(self) -> None:
        self.pool: Any = None

    def collect(self) -> Iterator[Metric]:
        pool = self.pool
        size = GaugeMetricFamily("chatshop_db_pool_size", "Connections the pool keeps open at most (not overflow)")
        used = GaugeMetricFamily("chatshop_db_pool_checked_out", "Connections in use right now")
        overflow = GaugeMetricFamily("chatshop_db_pool_overflow", "Connections open beyond the pool size")
        if pool is not None and hasattr(pool, "checkedout"):  # QueuePool (PostgreSQL, SQLite files)
            size.add_metric([], float(pool.size()))
            used.add_metric([], float(pool.checkedout()))
            overflow.add_metric([], float(max(0, pool.overflow())))
        yield from (size, used, overflow)


class PrometheusMetrics:
    """The shop's metrics in a registry of their own (so tests and two shops in one process never mix)."""

    def __init__(self, process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Histogram(
            "chatshop_turn_seconds", "Conversation turn latency", ["channel"], buckets=TURN_BUCKETS, registry=r
        )
        self.nlu_seconds = Histogram("chatshop_nlu_parse_seconds", "NLU parse time", buckets=NLU_BUCKETS, registry=r)
        self.nlu_confidence = Histogram(
            "chatshop_nlu_confidence", "Top intent's confidence", ["intent"], buckets=CONFIDENCE_BUCKETS, registry=r
        )
        self.commands = Counter(
            "chatshop_commands", "Domain commands by outcome (ok or the error)", ["command", "outcome"], registry=r
        )
        self.checkouts = Counter("chatshop_checkouts", "Checkouts by outcome", ["outcome"], registry=r)
        self.payments = Counter(
            "chatshop_payments", "Payment results by provider and outcome", ["provider", "outcome"], registry=r
        )
        self.campaign_sends = Counter(
            "chatshop_campaign_sends", "Campaign messages by channel and outcome", ["channel", "outcome"], registry=r
        )
        self.telegram_429s = Counter(
            "chatshop_telegram_429", "Telegram flood-control answers (429) by sender", ["source"], registry=r
        )
        self.webhook_deliveries = Counter(
            "chatshop_webhook_deliveries", "Outbound webhook delivery attempts by outcome", ["outcome"], registry=r
        )
        self.slack_acks = Histogram(
            "chatshop_slack_ack_seconds", "Time to answer (ack) a Slack request", buckets=ACK_BUCKETS, registry=r
        )
        self.outbox_deliveries = Counter(
            "chatshop_outbox_deliveries", "Outbox deliveries by event and outcome", ["event", "outcome"], registry=r
        )
        self.outbox_pending = Gauge("chatshop_outbox_pending", "Events waiting for delivery", registry=r)
        self.outbox_failing = Gauge("chatshop_outbox_failing", "Pending events whose last attempt failed", registry=r)
        self.outbox_dead = Gauge("chatshop_outbox_dead", "Dead-lettered events (chatshop outbox retry)", registry=r)
        self.outbox_lag = Gauge(
            "chatshop_outbox_lag_seconds", "Age of the oldest event waiting for delivery (0: none)", registry=r
        )
        self.send_rate = _SendRate()
        r.register(self.send_rate)
        self.pool = _Pool()
        r.register(self.pool)
        if process_metrics:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)

    # --- the port ------------------------------------------------------------------------------------
    def turn(self, channel: str, seconds: float) -> None:
        self.turns.labels(_channel(channel)).observe(seconds)

    def nlu_parse(self, seconds: float, intent: str, confidence: float) -> None:
        self.nlu_seconds.observe(seconds)
        self.nlu_confidence.labels(_label(intent)).observe(confidence)

    def command(self, command: str, outcome: str) -> None:
        self.commands.labels(_label(command), _label(outcome)).inc()

    def checkout(self, outcome: str) -> None:
        self.checkouts.labels(_label(outcome)).inc()

    def payment(self, provider: str, outcome: str) -> None:
        self.payments.labels(_label(provider), _label(outcome)).inc()

    def campaign_send(self, channel: str, outcome: str, rate_limit: float) -> None:
        self.campaign_sends.labels(_channel(channel), _label(outcome)).inc()
        if outcome == "sent":
            self.send_rate.record(_channel(channel), time.monotonic(), rate_limit)

    def telegram_429(self, source: str) -> None:
        self.telegram_429s.labels(_label(source)).inc()

    def webhook_delivery(self, outcome: str) -> None:
        self.webhook_deliveries.labels(_label(outcome)).inc()

    def slack_ack(self, seconds: float) -> None:
        self.slack_acks.observe(seconds)

    def outbox_delivery(self, event: str, outcome: str) -> None:
        self.outbox_deliveries.labels(_label(event, 80), _label(outcome)).inc()

    # --- scrape time ---------------------------------------------------------------------------------
    def watch_pool(self, pool: object) -> None:
        self.pool.pool = pool

    async def refresh(self, sessions: Any, now: datetime) -> None:
        """Read the outbox backlog and lag from the database (called by the ``/metrics`` handler)."""
        health = await outbox_health(sessions)
        self.outbox_pending.set(health.pending)
        self.outbox_failing.set(health.failing)
        self.outbox_dead.set(health.dead)
        oldest = health.oldest_pending_at
        self.outbox_lag.set(max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def sample(text: str, name: str, labels: dict[str, str] | None = None) -> float | None:
    """One sample's value from an exposition (for tests and ``chatshop`` tools); None when absent."""
    from prometheus_client.parser import text_string_to_metric_families

    wanted = labels or {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in wanted.items()):
                return float(s.value)
    return None


def names(text: str) -> Iterable[str]:
    from prometheus_client.parser import text_string_to_metric_families

    return [family.name for family in text_string_to_metric_families(text)]
