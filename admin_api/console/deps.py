"""What the console's handlers reach: the bus for writes, the views for reads, staff sign-in and its throttle."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from admin_api.console.campaign_preview import CampaignPreviewer
from admin_api.console.settings import ConsoleSettings
from admin_api.console.throttle import LoginThrottle
from domain.markdowns import MarkdownBoard
from domain.saved_views import SavedViewStore
from domain.service_layer.messagebus import MessageBus
from domain.staff_access import StaffAccessStore
from domain.staff_totp import StaffTotpStore
from domain.views.admin import AdminViews
from domain.views.console import ConsoleViews
from domain.views.dashboard import DashboardViews
from domain.views.port import ShopViews
from domain.views.purchasing import PurchasingViews
from domain.views.reorder import ReorderViews
from domain.views.scores import ScoreViews


@dataclass(frozen=True)
class ConsoleDeps:
    bus: MessageBus
    views: ShopViews
    admin: AdminViews
    access: StaffAccessStore
    throttle: LoginThrottle
    settings: ConsoleSettings
    purchasing: PurchasingViews
    more: ConsoleViews  # the order timeline, the stock board and ledger, customers' extras, the support queue
    saved: SavedViewStore  # each staff member's saved views of the order list
    totp: StaffTotpStore  # the optional second factor
    dashboard: DashboardViews | None = None  # the analytics rollups (issue 20)
    previews: CampaignPreviewer | None = None  # campaign messages as each channel formats them
    scores: ScoreViews | None = None  # churn risk and expected value per customer (issue 20)
    markdowns: MarkdownBoard | None = None  # overstock and slow movers (issue 20)
    reorder: ReorderViews | None = None  # demand forecasts and reorder suggestions (issue 20)


CONSOLE = web.AppKey("console_deps", ConsoleDeps)


def deps(request: web.Request) -> ConsoleDeps:
    return request.app[CONSOLE]
