"""A campaign sender wired to the fake Bot API, for the Telegram test and the broadcast bench."""

from __future__ import annotations

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.featured import FeaturedProducts
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter, RateLimiter
from bots.campaigns.webchat import OutboxChatTransport
from bots.conversation.payloads import PayloadCodec
from channels.telegram.campaign_transport import TelegramCampaignTransport
from chatshop.bootstrap import Shop
from domain.adapters.campaigns_delivery import SqlDeliveryStore
from domain.service_layer.handlers.campaigns import pause_if_out_of_stock
from tests.support.fake_telegram import TOKEN, FakeTelegram


def telegram_dispatcher(
    shop: Shop,
    fake: FakeTelegram | str,
    rate: float,
    worker: str = "tg-worker",
    limiter: RateLimiter | None = None,
    max_in_flight: int = 50,
) -> Dispatcher:
    api = fake if isinstance(fake, str) else fake.url
    store = SqlDeliveryStore(shop.sessions, shop.clock, worker)
    transport = TelegramCampaignTransport(api, TOKEN, PayloadCodec("secret"))
    return Dispatcher(
        store,
        shop.bus,
        {"telegram": transport, "webchat": OutboxChatTransport(shop.bus, worker)},
        limiter or LocalRateLimiter(),
        LinkSigner("secret", "http://shop.test"),
        Limits(rate_per_second=rate, chat_per_second=1.0, max_in_flight=max_in_flight),
        stock_check=lambda cid: pause_if_out_of_stock(cid, shop.bus.ctx),
        featured=FeaturedProducts(shop.views),
    )
