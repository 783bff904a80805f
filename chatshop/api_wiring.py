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
from domain.adapters.db import Engine, create_reader_engine, is_sqlite
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.adapters.read_scope import request_read_scope
from domain.adapters.webhooks_views import SqlWebhookViews


def reader_engine(shop: Shop) -> Engine:
    """Where GET requests read: on PostgreSQL a pool of its own in autocommit without pre-ping (a request's
    key look-up and page then cost two round trips, not five); on SQLite the shop's engine."""
    if is_sqlite(shop.settings.database_url):
        return shop.engine
    return create_reader_engine(shop.settings.database_url, pool_size=shop.settings.db_pool_size)


def api_services(shop: Shop, settings: ApiSettings, reads: Engine | None = None) -> ApiServices:
    engine = reads or shop.engine
    return ApiServices(
        keys=SqlApiKeyStore(shop.sessions, shop.clock),
        idempotency=SqlIdempotencyStore(shop.sessions, shop.clock, timedelta(hours=settings.idempotency_hours)),
        limiter=LimitsRateLimiter(settings.rate_limit, shop.settings.redis_url),
        read_scope=lambda: request_read_scope(engine),
    )


def mount_admin_api(app: web.Application, shop: Shop, settings: ApiSettings | None = None) -> ApiServices:
    settings = settings or ApiSettings()
    reads = reader_engine(shop)
    if reads is not shop.engine:

        async def dispose(_: web.Application) -> None:
            await reads.dispose()

        app.on_cleanup.append(dispose)
    services = api_services(shop, settings, reads)
    deps = RestDeps(
        shop.bus,
        shop.views,
        SqlAdminViews(shop.sessions),
        SqlWebhookViews(shop.sessions),
        SqlAutomationViews(shop.sessions),
        SqlPurchasingViews(shop.sessions),
    )
    rest.mount(app, deps, services, settings)
    return services
