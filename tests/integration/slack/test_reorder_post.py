"""The weekly reorder suggestions post in the ops channel: a scheduled job publishes the suggestions as an outbox
event on the configured weekday, the Slack notifier renders it once, with product and supplier names escaped."""

from __future__ import annotations

from datetime import timedelta

from chatshop.cli_forecast import forecast_all, weekly_suggestions_job
from chatshop.runtime import Runtime
from chatshop.server import add_forecasts
from domain import commands as c
from domain import commands_purchasing as p
from domain import commands_reorder as r
from tests.integration.forecasting.history import record_sales, weekly
from tests.integration.slack.conftest import OPS, SlackShop
from tests.support.clock import FakeClock


async def test_monday_posts_the_weeks_reorder_suggestions_escaped_once(slack: SlackShop, clock: FakeClock) -> None:
    shop = slack.shop
    assert shop.clock.now().weekday() == 0  # the fake clock starts on a Monday
    await shop.bus.handle(
        c.UpsertProduct("Tea <!channel> & Co", (c.VariantSpec("TEA-1", 500, {}),), ("Home",), actor=c.SYSTEM)
    )
    await shop.bus.handle(c.ReceiveStock("TEA-1", "EAST", 1, actor=c.SYSTEM))
    await record_sales(shop, "TEA-1", weekly(90, seed=8), end=shop.clock.now().date() - timedelta(days=1))
    leaf = await shop.bus.handle(p.CreateSupplier("Leaf <b>&</b>", "USD", lead_time_days=4, actor=c.SYSTEM))
    await shop.bus.handle(r.SetVariantSourcing("TEA-1", leaf, pack_size=10, actor=c.SYSTEM))
    await forecast_all(shop)

    runtime = Runtime(shop)
    add_forecasts(runtime, shop, shop.settings)
    job = runtime.scheduler.get_job("reorder-suggestions")
    assert job is not None
    await job.func()
    await job.func()  # the same day's slot again: nothing more
    await shop.outbox.drain()
    posts = [call for call in slack.fake.called("chat.postMessage") if call.args["channel"] == OPS]
    assert len(posts) == 1
    blocks = posts[0].args["blocks"]
    body = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "`TEA-1` Tea &lt;!channel&gt; &amp; Co (EAST): order *" in body
    assert "Leaf &lt;b&gt;&amp;&lt;/b&gt;" in body and "<!channel>" not in body
    ordered = int(body.split("order *")[1].split("*")[0])
    assert ordered > 0 and ordered % 10 == 0

    clock.advance(days=1)  # Tuesday: the daily job fires but posts nothing
    await weekly_suggestions_job(shop)()
    await shop.outbox.drain()
    assert len([call for call in slack.fake.called("chat.postMessage") if call.args["channel"] == OPS]) == 1
