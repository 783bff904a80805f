"""docs/grafana/chatshop.json only asks for series the shop exports (a renamed metric breaks this test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from chatshop.metrics import PrometheusMetrics

DASHBOARD = Path(__file__).resolve().parents[3] / "docs" / "grafana" / "chatshop.json"


def exported_sample_names() -> set[str]:
    recorder = PrometheusMetrics(process_metrics=False)
    recorder.turn("webchat", 0.1)
    recorder.nlu_parse(0.01, "greet", 0.9)
    recorder.command("PlaceOrder", "ok")
    recorder.checkout("placed")
    recorder.payment("sandbox", "captured")
    recorder.campaign_send("telegram", "sent", 30)
    recorder.telegram_429("sender")
    recorder.webhook_delivery("delivered")
    recorder.slack_ack(0.2)
    recorder.outbox_delivery("OrderPaid", "delivered")
    recorder.watch_pool(type("Pool", (), {"size": lambda s: 5, "checkedout": lambda s: 1, "overflow": lambda s: 0})())
    text = recorder.exposition().decode()
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples}


def test_every_series_the_dashboard_queries_is_exported() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    wanted = {name for expr in exprs for name in re.findall(r"\bchatshop_[a-z0-9_]+", expr)}
    assert len(wanted) >= 15
    assert wanted <= exported_sample_names(), wanted - exported_sample_names()


def test_panels_do_not_overlap_and_ids_are_unique() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells = [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in panels]
    assert len(set(cells)) == len(cells)
