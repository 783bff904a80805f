"""Slack's ack time is measured on the real endpoint: a signed command is one observation; a refused one none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatshop.metrics import PrometheusMetrics, sample
from domain.observability import use_metrics
from tests.integration.slack.conftest import OPERATOR, SlackShop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def recorder() -> Iterator[PrometheusMetrics]:
    recorder = PrometheusMetrics(process_metrics=False)
    previous = use_metrics(recorder)
    yield recorder
    use_metrics(previous)


async def test_each_processed_slack_request_is_one_ack_time_observation(
    slack: SlackShop, recorder: PrometheusMetrics
) -> None:
    assert (await slack.send.command("/stock", "MUG-WHT", OPERATOR, signature="v0=" + "0" * 64)).status == 401
    assert (await slack.send.command("/stock", "SHOE-RED-42", OPERATOR)).status == 200
    await slack.fake.wait_for("chat.postEphemeral")
    text = recorder.exposition().decode()
    assert sample(text, "chatshop_slack_ack_seconds_count") == 1
    total = sample(text, "chatshop_slack_ack_seconds_sum")
    assert total is not None and 0 < total < 3  # Slack retries what is not acked within 3 s
