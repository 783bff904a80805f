"""E-mail campaigns through a real local SMTP server (aiosmtpd), with working unsubscribe and click links."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage as MailMessage
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter
from channels.email import links
from channels.email.transport import SmtpCampaignTransport, SmtpConfig
from domain.adapters import orm
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign, store
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(60)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[MailMessage] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


FORMATTED = "Hello\nNew **mugs** <i>[here](https://shop.test)</i>"  # markup, and HTML that must stay text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()  # aiosmtpd's controller can't take port 0
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_emails_carry_list_unsubscribe_and_a_link_that_opts_the_customer_out(
    small: SmallShop, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    shop = small.shop
    ann, bounce = await add_people(
        shop, [Person(email="ann@example.com"), Person(email="bounce@example.com")], clock.now()
    )
    campaign_id = await approved(
        shop,
        campaign(
            channels=("email",),
            contents={"en": {"text": "Hello\nNew **mugs** <i>[here](https://shop.test)</i>", "coupon": "fiveoff"}},
        ),
    )
    app = web.Application()
    web_port = free_port()
    signer = LinkSigner("secret", f"http://127.0.0.1:{web_port}")
    links.mount(app, shop.bus, signer)
    async with TestServer(app, host="127.0.0.1", port=web_port):
        dispatcher = Dispatcher(
            store(shop),
            shop.bus,
            {"email": SmtpCampaignTransport(SmtpConfig(port=port, start_tls=False))},
            LocalRateLimiter(),
            signer,
            Limits(max_in_flight=5),
        )
        await dispatcher.drain()
        assert len(inbox.messages) == 1
        mail = inbox.messages[0]
        assert mail["To"] == "ann@example.com" and mail["Subject"] == "Hello"
        unsubscribe = signer.url("u", ann, campaign_id)
        assert mail["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = mail.get_body(("plain",)).get_content()
        assert f"Unsubscribe: {unsubscribe}" in body and "FIVEOFF" in body
        assert "New mugs <i>here (https://shop.test)</i>" in body  # formatting dropped, the link spelt out
        html = mail.get_body(("html",)).get_content()
        assert 'New <strong>mugs</strong> &lt;i&gt;<a href="https://shop.test">here</a>&lt;/i&gt;' in html
        assert f'<a href="{unsubscribe}">Unsubscribe</a>' in html
        assert await store(shop).counts(campaign_id) == {"sent": 1, "blocked": 1}

        async with aiohttp.ClientSession() as http:
            click = signer.url("c", ann, campaign_id)
            async with http.get(click, allow_redirects=False) as response:
                assert response.status == 302
            async with http.get(unsubscribe[:-2] + "xx") as response:
                assert response.status == 404  # a forged link does nothing
            async with http.get(unsubscribe) as response:
                assert response.status == 200 and "<form" in await response.text()  # a GET only asks
            async with http.post(unsubscribe, data="List-Unsubscribe=One-Click") as response:
                assert response.status == 200

    async with shop.sessions() as session:
        opted_in = (
            await session.execute(select(orm.customers.c.marketing_opt_in).where(orm.customers.c.id == ann))
        ).scalar_one()
        names = (await session.execute(select(orm.analytics_events.c.name))).scalars().all()
    assert opted_in is False
    assert sorted(names) == ["campaign_click", "campaign_optout"]
    # The next campaign skips her; order e-mails (transactional) are not campaigns and are unaffected.
    await approved(shop, campaign("second", channels=("email",)))
    await dispatcher.drain()
    assert len(inbox.messages) == 1
    _ = bounce
