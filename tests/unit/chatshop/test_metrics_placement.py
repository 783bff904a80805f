"""Where /metrics is served: its own port, behind a token, or open only while the shop is not public."""

from __future__ import annotations

from pydantic import SecretStr

from chatshop.metrics import PrometheusMetrics, sample
from chatshop.metrics_http import placement
from chatshop.settings import Settings
from domain.errors import OutOfStock
from domain.observability import NullMetrics, command_finished, metrics, use_metrics, webhook_delivered


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_a_loopback_shop_serves_metrics_openly_on_its_own_port() -> None:
    where = placement(settings())
    assert where.on_shop_port and where.own_port is None and where.token is None


def test_a_public_shop_without_a_token_or_port_does_not_serve_metrics() -> None:
    for public in (settings(http_host="0.0.0.0"), settings(public_url="https://shop.example")):
        where = placement(public)
        assert not where.on_shop_port and where.own_port is None


def test_a_public_shop_with_a_token_serves_metrics_behind_it() -> None:
    where = placement(settings(http_host="0.0.0.0", metrics_token=SecretStr("s3cret-token")))
    assert where.on_shop_port and where.token == "s3cret-token"


def test_a_metrics_port_moves_metrics_off_the_shop_port() -> None:
    where = placement(settings(http_host="0.0.0.0", metrics_port=9464))
    assert not where.on_shop_port and where.own_port == 9464


def test_command_outcomes_become_checkout_and_payment_series() -> None:
    recorder = PrometheusMetrics(process_metrics=False)
    previous = use_metrics(recorder)
    try:
        from domain import commands as c

        command_finished(c.PlaceOrder(1, {}, "standard", "webchat", actor=c.SYSTEM), OutOfStock("SHOE-RED-42", 2, 0))
        command_finished(c.ConfirmPayment("stripe", "cs_1", 100, "USD"), None)
        command_finished(c.FailPayment("stripe", "cs_2", "expired", expired=True), None)
        webhook_delivered("delivered")
        recorder.campaign_send("telegram", "sent", 30.0)
        recorder.turn("<script>", 0.1)  # an unknown channel is not a new series
    finally:
        assert use_metrics(previous) is recorder
    text = recorder.exposition().decode()
    assert sample(text, "chatshop_checkouts_total", {"outcome": "out_of_stock"}) == 1
    assert sample(text, "chatshop_commands_total", {"command": "PlaceOrder", "outcome": "out_of_stock"}) == 1
    assert sample(text, "chatshop_payments_total", {"provider": "stripe", "outcome": "captured"}) == 1
    assert sample(text, "chatshop_payments_total", {"provider": "stripe", "outcome": "expired"}) == 1
    assert sample(text, "chatshop_webhook_deliveries_total", {"outcome": "delivered"}) == 1
    assert sample(text, "chatshop_campaign_send_rate", {"channel": "telegram"}) == 0.1  # 1 in the last 10 s
    assert sample(text, "chatshop_campaign_rate_limit", {"channel": "telegram"}) == 30.0
    assert sample(text, "chatshop_turn_seconds_count", {"channel": "other"}) == 1
    assert "<script>" not in text


def test_without_a_recorder_reports_go_nowhere() -> None:
    assert isinstance(metrics(), NullMetrics)
    metrics().turn("webchat", 0.1)
