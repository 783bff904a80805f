"""Wiring of the staff console: its sign-in store (the database), its throttle (Redis when configured)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from admin_api import console
from admin_api.console.deps import ConsoleDeps
from admin_api.console.settings import ConsoleSettings
from admin_api.console.throttle import LoginThrottle
from bots.campaigns.links import LinkSigner
from bots.conversation.payloads import PayloadCodec
from chatshop.bootstrap import Shop
from chatshop.cli_campaign import CampaignSettings
from chatshop.console_campaign_preview import ChannelPreviews
from domain.adapters.admin_views import SqlAdminViews
from domain.adapters.console_views import SqlConsoleViews
from domain.adapters.markdown_views import ForecastDemand, SqlStockPositions
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.adapters.reorder_views import SqlReorderViews
from domain.adapters.saved_views import SqlSavedViewStore
from domain.adapters.scores_store import SqlScoreStore
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.adapters.staff_totp import SqlStaffTotpStore, totp_box
from domain.markdowns import MarkdownBoard, MarkdownPolicy


def console_deps(shop: Shop, settings: ConsoleSettings) -> ConsoleDeps:
    if settings.secure_cookies is None and (shop.settings.public_url or "").startswith("https://"):
        settings = settings.model_copy(update={"secure_cookies": True})
    access = SqlStaffAccessStore(shop.sessions, shop.clock, timedelta(hours=settings.session_hours))
    throttle = LoginThrottle(settings.attempts_per_name, settings.attempts_per_address, shop.settings.redis_url)
    more, saved = SqlConsoleViews(shop.sessions), SqlSavedViewStore(shop.sessions, shop.clock)
    totp = SqlStaffTotpStore(shop.sessions, shop.clock, totp_box(shop.settings.secret_key.get_secret_value()))
    admin = SqlAdminViews(shop.sessions)
    purchasing = SqlPurchasingViews(shop.sessions)
    dashboard = shop.views.reports  # the rollups Slack, the CLI and the API read too
    secret = shop.settings.secret_key.get_secret_value()
    previews = ChannelPreviews(
        shop.views,
        LinkSigner(secret, shop.settings.base_url),
        PayloadCodec(secret),
        CampaignSettings().smtp_from,
        shop.settings.currency,
    )
    scores = SqlScoreStore(shop.sessions)
    reorder = SqlReorderViews(shop.sessions, shop.settings.reorder_service_level, shop.settings.reorder_review_days)
    s = shop.settings
    policy = MarkdownPolicy(s.markdown_target_days, s.markdown_max_sell_through, s.markdown_elasticity)
    demand = ForecastDemand(shop.sessions, shop.clock)  # the nightly forecast; trailing velocity where it has none
    markdowns = MarkdownBoard(SqlStockPositions(shop.sessions, shop.clock), demand, policy)
    return ConsoleDeps(
        shop.bus,
        shop.views,
        admin,
        access,
        throttle,
        settings,
        purchasing,
        more,
        saved,
        totp,
        dashboard,
        previews=previews,
        scores=scores,
        markdowns=markdowns,
        reorder=reorder,
    )


def mount_console(app: web.Application, shop: Shop, settings: ConsoleSettings | None = None) -> ConsoleDeps:
    deps = console_deps(shop, settings or ConsoleSettings())
    console.mount(app, deps)
    return deps
