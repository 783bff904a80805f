"""What the API's handlers reach: the message bus for writes, the views for reads (set on the sub-app)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from domain.service_layer.messagebus import MessageBus
from domain.views.admin import AdminViews
from domain.views.integrations import AutomationViews, WebhookViews
from domain.views.port import ShopViews
from domain.views.purchasing import PurchasingViews


@dataclass(frozen=True)
class RestDeps:
    bus: MessageBus
    views: ShopViews
    admin: AdminViews
    webhooks: WebhookViews
    automation: AutomationViews
    purchasing: PurchasingViews


DEPS = web.AppKey("rest_deps", RestDeps)


def deps(request: web.Request) -> RestDeps:
    return request.app[DEPS]
