"""Wiring of the admin API: its stores, its rate limiter (Redis when configured) and its views."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from admin_api import rest
from admin_api.rest.deps import RestDeps
from admin_api.rest.ratelimit import LimitsRateLimiter
from admin_api.rest.registry import ApiServices
from admin_api.rest.settings import ApiSettings
from chatshop.bootstrap import Shop
from domain.adapters.admin_views import SqlAdminViews
from domain.adapters.api_access import SqlApiKeyStore, SqlIdempotencyStore
from domain.adapters.automation_views import SqlAutomationViews
from domain.adapters.read_scope import request_read_scope
from domain.adapters.webhooks_views import SqlWebhookViews


def api_services(shop: Shop, settings: ApiSettings) -> ApiServices:
    return ApiServices(
        keys=SqlApiKeyStore(shop.sessions, shop.clock),
        idempotency=SqlIdempotencyStore(shop.sessions, shop.clock, timedelta(hours=settings.idempotency_hours)),
        limiter=LimitsRateLimiter(settings.rate_limit, shop.settings.redis_url),
        read_scope=lambda: request_read_scope(shop.engine),
    )


def mount_admin_api(app: web.Application, shop: Shop, settings: ApiSettings | None = None) -> ApiServices:
    settings = settings or ApiSettings()
    services = api_services(shop, settings)
    deps = RestDeps(
        shop.bus,
        shop.views,
        SqlAdminViews(shop.sessions),
        SqlWebhookViews(shop.sessions),
        SqlAutomationViews(shop.sessions),
    )
    rest.mount(app, deps, services, settings)
    return services
