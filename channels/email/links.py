"""The signed links in campaign messages: ``/c/u/…`` unsubscribes (one-click POST, or a confirm page for a
GET, since mail scanners follow links), ``/c/c/…`` records a click (``campaign_click`` with the campaign
id, which attribution reads) and redirects to the shop."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bots.campaigns.links import LinkSigner, LinkTarget
from domain import commands as c
from domain.model.staff import Actor

BUS_KEY = web.AppKey("campaign_links_bus", object)
SIGNER_KEY = web.AppKey("campaign_links_signer", LinkSigner)

_PAGE = """<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><body style="font-family:sans-serif;max-width:32em;margin:3em auto">{body}</body>"""


def _target(request: web.Request, kind: str) -> LinkTarget:
    m = request.match_info
    target = request.app[SIGNER_KEY].verify(kind, m["customer"], m["campaign"], m["mac"])
    if target is None:
        raise web.HTTPNotFound(text="This link is not valid.")
    return target


async def _unsubscribe(bus: Any, target: LinkTarget) -> None:
    source = f"campaign:{target.campaign_id}"
    await bus.handle(c.SetMarketingConsent(target.customer_id, False, source, actor=Actor.shopper(target.customer_id)))
    await bus.handle(
        c.RecordAnalytics(
            "campaign_optout", customer_id=target.customer_id, properties={"campaign_id": target.campaign_id}
        )
    )


async def unsubscribe_page(request: web.Request) -> web.Response:
    _target(request, "u")
    body = '<p>Stop receiving offers from us?</p><form method="post"><button>Unsubscribe</button></form>'
    return web.Response(text=_PAGE.format(title="Unsubscribe", body=body), content_type="text/html")


async def unsubscribe(request: web.Request) -> web.Response:
    await _unsubscribe(request.app[BUS_KEY], _target(request, "u"))
    body = "<p>Done: you won't get offers from us any more. Order updates still reach you.</p>"
    return web.Response(text=_PAGE.format(title="Unsubscribed", body=body), content_type="text/html")


async def click(request: web.Request) -> web.Response:
    target = _target(request, "c")
    await request.app[BUS_KEY].handle(  # type: ignore[attr-defined]
        c.RecordAnalytics(
            "campaign_click", customer_id=target.customer_id, properties={"campaign_id": target.campaign_id}
        )
    )
    raise web.HTTPFound(request.app[SIGNER_KEY].base_url + "/chat")


def mount(app: web.Application, bus: Any, signer: LinkSigner) -> None:
    app[BUS_KEY] = bus
    app[SIGNER_KEY] = signer
    path = "/c/{kind}/{customer}/{campaign}/{mac}"
    app.router.add_get(path.replace("{kind}", "u"), unsubscribe_page)
    app.router.add_post(path.replace("{kind}", "u"), unsubscribe)
    app.router.add_get(path.replace("{kind}", "c"), click)
