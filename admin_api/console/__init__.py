"""The staff console at ``/admin`` (issue 19): server-rendered pages on the domain's commands and views,
signed in with a staff password, in the staff member's language. Jinja2 escapes everything it prints."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin_api.console import (
    auth_routes,
    bulk_routes,
    campaign_routes,
    customer_routes,
    dashboard_routes,
    order_routes,
    paperwork_routes,
    purchasing_routes,
    refund_routes,
    reorder_routes,
    stock_routes,
    support_routes,
    totp_routes,
    words,
)
from admin_api.console.deps import CONSOLE, ConsoleDeps
from admin_api.console.pages import PREFIX, domain_errors, signed_in
from domain.model.money import Money

HERE = Path(__file__).parent


def money(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def build_console(deps: ConsoleDeps) -> web.Application:
    console = web.Application(middlewares=[domain_errors, signed_in])
    console[CONSOLE] = deps
    env = aiohttp_jinja2.setup(
        console,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = money
    env.filters["when"] = when
    env.globals.update(
        describe=words.describe,
        state_words=words.state_words,
        channel_words=words.channel_words,
        who=words.who,
        financial_words=words.financial_words,
    )
    console.router.add_static("/static", HERE / "static", append_version=True)
    console.add_routes(auth_routes.routes)
    console.add_routes(bulk_routes.routes)  # before /orders/{order_id}
    console.add_routes(order_routes.routes)
    console.add_routes(paperwork_routes.routes)
    console.add_routes(purchasing_routes.routes)
    console.add_routes(reorder_routes.routes)
    console.add_routes(refund_routes.routes)
    console.add_routes(stock_routes.routes)
    console.add_routes(customer_routes.routes)
    console.add_routes(support_routes.routes)
    console.add_routes(totp_routes.routes)
    console.add_routes(dashboard_routes.routes)
    console.add_routes(campaign_routes.routes)
    return console


def mount(app: web.Application, deps: ConsoleDeps) -> None:
    app.add_subapp(PREFIX, build_console(deps))
