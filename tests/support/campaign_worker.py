"""A campaign sending process for the crash test: sends through the real Telegram transport to a fake Bot
API until killed (or until SECONDS pass), sharing the rate limit with other workers through Redis.

Usage: python -m tests.support.campaign_worker DATABASE_URL BOT_API_URL REDIS_URL RATE LEASE_SECONDS MAX_IN_FLIGHT
       SECONDS
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.featured import FeaturedProducts
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import RedisRateLimiter
from bots.conversation.payloads import PayloadCodec
from channels.telegram.campaign_transport import TelegramCampaignTransport
from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain.adapters.campaigns_delivery import SqlDeliveryStore
from tests.support.fake_telegram import TOKEN


async def main(db: str, api: str, redis_url: str, rate: float, lease: float, in_flight: int, seconds: float) -> None:
    shop = build_shop(Settings(database_url=db, _env_file=None))  # type: ignore[call-arg]
    worker = f"proc-{os.getpid()}"
    dispatcher = Dispatcher(
        SqlDeliveryStore(shop.sessions, shop.clock, worker, lease=timedelta(seconds=lease)),
        shop.bus,
        {"telegram": TelegramCampaignTransport(api, TOKEN, PayloadCodec("secret"))},
        RedisRateLimiter.from_url(redis_url),
        LinkSigner("secret", "http://shop.test"),
        Limits(rate_per_second=rate, chat_per_second=1.0, max_in_flight=in_flight),
        featured=FeaturedProducts(shop.views),
    )
    dispatcher.housekeeping_every = 0.5
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    print("ready", flush=True)
    await dispatcher.run(stop, idle_seconds=0.2)
    await dispatcher.aclose()
    await shop.close()


if __name__ == "__main__":
    db, api, redis_url, rate, lease, in_flight, seconds = sys.argv[1:8]
    asyncio.run(main(db, api, redis_url, float(rate), float(lease), int(in_flight), float(seconds)))
