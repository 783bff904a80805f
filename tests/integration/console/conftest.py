"""The staff console on loopback over a small shop with one staff member per role, each with a password."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from admin_api.console.pages import SESSION_COOKIE
from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.approvals import ApprovalPolicy
from domain.model.staff import Role
from tests.integration.api.conftest import serve
from tests.support.shopdata import SmallShop

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Console:
    base: str
    http: aiohttp.ClientSession

    def url(self, path: str) -> str:
        return f"{self.base}/admin{path}"

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.url(path), allow_redirects=False) as resp:
            return resp.status, await resp.text()

    async def csrf(self, path: str) -> str:
        status, html = await self.get(path)
        assert status == 200, html
        found = CSRF.findall(html)  # the page's own form comes after the header's sign-out form
        assert found, html
        return str(found[-1])

    async def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str | None]:
        async with self.http.post(self.url(path), data=form, allow_redirects=False) as resp:
            return resp.status, await resp.text(), resp.headers.get("Location")

    async def sign_in(self, name: str, password: str = PASSWORD) -> tuple[int, str]:
        token = await self.csrf("/login")
        status, html, location = await self.post("/login", {"csrf": token, "name": name, "password": password})
        return status, location or html

    async def status_with_cookie(self, token: str | None, path: str = "/orders") -> int:
        """What another browser holding only this session cookie gets."""
        async with (
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as other,
            other.get(self.url(path), headers={"Cookie": f"{SESSION_COOKIE}={token}"}, allow_redirects=False) as resp,
        ):
            return resp.status

    def cookie(self, name: str) -> str | None:
        found = self.http.cookie_jar.filter_cookies(URL(self.url("/")))
        return found[name].value if name in found else None


@dataclass
class StaffShop:
    small: SmallShop
    ids: dict[str, int]


@pytest.fixture
async def staffed(small: SmallShop) -> StaffShop:
    return await staff_up(small)


async def staff_up(small: SmallShop) -> StaffShop:
    """viv (viewer), otto (operator), abe (approver) — all with PASSWORD; paid orders over 100.00 wait for approval."""
    small.shop.bus.ctx = dataclasses.replace(small.shop.bus.ctx, approvals=ApprovalPolicy(total_over=10000))
    store = SqlStaffAccessStore(small.shop.sessions, small.shop.clock)
    ids = {}
    for name, role in (("viv", Role.VIEWER), ("otto", Role.OPERATOR), ("abe", Role.APPROVER)):
        ids[name] = int(await small.shop.bus.handle(c.AddStaff(name, role, actor=c.SYSTEM)))
        await store.set_password(ids[name], PASSWORD, "zh" if name == "otto" else "en")
    return StaffShop(small, ids)


async def paid_order(small: SmallShop, quantity: int = 2, external_id: str = "web-1", name: str = "Ann") -> int:
    order_id = await small.checkout(await small.customer(external_id, name), quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, "USD"))
    return order_id


@pytest.fixture
def console_settings() -> ConsoleSettings:
    return ConsoleSettings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def console(staffed: StaffShop, tmp_path: Path, console_settings: ConsoleSettings) -> AsyncIterator[Console]:
    app = create_app(staffed.small.shop, [], media_dir=tmp_path / "media")
    mount_console(app, staffed.small.shop, console_settings)
    runner, base = await serve(app)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Console(base, http)
    await runner.cleanup()
