"""What the console's handlers reach: the bus for writes, the views for reads, staff sign-in and its throttle."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from admin_api.console.settings import ConsoleSettings
from admin_api.console.throttle import LoginThrottle
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
    reorder: ReorderViews | None = None  # demand forecasts and reorder suggestions (issue 20)


CONSOLE = web.AppKey("console_deps", ConsoleDeps)


def deps(request: web.Request) -> ConsoleDeps:
    return request.app[CONSOLE]
