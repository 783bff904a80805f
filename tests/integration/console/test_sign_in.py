"""Staff sign in to the console with their password: cookies, CSRF on the sign-in form, throttling, sign-out,
expiry, and a fresh session at every sign-in."""

from __future__ import annotations

import aiohttp
import pytest

from admin_api.console.pages import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from admin_api.console.settings import ConsoleSettings
from tests.integration.console.conftest import PASSWORD, Console, StaffShop
from tests.support.clock import FakeClock


async def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(console: Console) -> None:
    status, _ = await console.get("/orders?state=paid")
    assert status == 303
    async with console.http.get(console.url("/orders?state=paid"), allow_redirects=False) as resp:
        assert resp.headers["Location"] == "/admin/login?next=%2Fadmin%2Forders%3Fstate%3Dpaid"


async def test_staff_sign_in_with_their_password_and_get_an_http_only_lax_expiring_cookie(console: Console) -> None:
    token = await console.csrf("/login?next=/admin/orders?state=paid")
    form = {"csrf": token, "name": "abe", "password": PASSWORD, "next": "/admin/orders?state=paid"}
    async with console.http.post(console.url("/login"), data=form, allow_redirects=False) as resp:
        assert resp.status == 303
        assert resp.headers["Location"] == "/admin/orders?state=paid"
        cookie = resp.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/admin"
    assert cookie["max-age"] == str(8 * 3600)
    assert not cookie["secure"]  # plain http on loopback; Secure is set when the request came over https
    status, html = await console.get("/orders")
    assert status == 200
    assert "Signed in as abe (approver)" in html


async def test_sign_in_only_returns_to_console_pages(console: Console) -> None:
    token = await console.csrf("/login")
    form = {"csrf": token, "name": "abe", "password": PASSWORD, "next": "//evil.example/admin/"}
    status, _, location = await console.post("/login", form)
    assert (status, location) == (303, "/admin/orders")


async def test_a_wrong_password_is_refused_with_401_and_no_session(console: Console) -> None:
    status, html = await console.sign_in("abe", "not the password")
    assert status == 401
    assert "That name and password do not match an active staff member." in html
    assert console.cookie(SESSION_COOKIE) is None
    assert (await console.get("/orders"))[0] == 303


async def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(console: Console) -> None:
    status, html = await console.sign_in("nobody", PASSWORD)
    assert status == 401
    assert "That name and password do not match an active staff member." in html


async def test_sign_in_without_the_forms_csrf_token_is_refused(console: Console) -> None:
    await console.csrf("/login")
    status, html, _ = await console.post("/login", {"csrf": "forged", "name": "abe", "password": PASSWORD})
    assert status == 403
    assert "did not come from this console" in html
    assert console.cookie(SESSION_COOKIE) is None


async def test_five_failed_sign_ins_lock_the_name_out_even_with_the_right_password(console: Console) -> None:
    for _ in range(5):
        assert (await console.sign_in("abe", "guess"))[0] == 401
    status, html = await console.sign_in("abe", PASSWORD)
    assert status == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in html
    assert console.cookie(SESSION_COOKIE) is None
    # Another name from another person is not locked by abe's failures (the address allows 20).
    assert (await console.sign_in("viv", PASSWORD))[0] == 303


@pytest.mark.parametrize(
    "console_settings",
    [ConsoleSettings(attempts_per_address="3/15 minutes", _env_file=None)],  # type: ignore[call-arg]
    ids=["3-per-address"],
)
async def test_failed_sign_ins_from_one_address_are_throttled_whatever_the_name(console: Console) -> None:
    for name in ("abe", "viv", "otto"):
        assert (await console.sign_in(name, "guess"))[0] == 401
    status, _ = await console.sign_in("someone-else", PASSWORD)
    assert status == 429
    async with console.http.get(console.url("/login")) as resp:
        assert resp.status == 200


async def test_signing_out_ends_the_session_on_the_server(console: Console) -> None:
    await console.sign_in("abe")
    token = console.cookie(SESSION_COOKIE)
    assert token is not None
    assert await console.status_with_cookie(token) == 200
    csrf = await console.csrf("/orders")
    status, _, location = await console.post("/logout", {"csrf": csrf})
    assert (status, location) == (303, "/admin/login")
    assert await console.status_with_cookie(token) == 303  # the old cookie, kept by someone, opens nothing


async def test_signing_out_needs_the_csrf_token(console: Console) -> None:
    await console.sign_in("abe")
    status, _, _ = await console.post("/logout", {"csrf": "nope"})
    assert status == 403
    assert (await console.get("/orders"))[0] == 200


async def test_a_session_ends_after_its_lifetime(console: Console, clock: FakeClock) -> None:
    await console.sign_in("abe")
    clock.advance(hours=7, minutes=59)
    assert (await console.get("/orders"))[0] == 200
    clock.advance(minutes=2)
    assert (await console.get("/orders"))[0] == 303


async def test_each_sign_in_makes_a_new_session_and_ends_the_one_the_browser_had(console: Console) -> None:
    await console.sign_in("viv")
    planted = console.cookie(SESSION_COOKIE)
    await console.sign_in("abe")
    fresh = console.cookie(SESSION_COOKIE)
    assert fresh is not None and fresh != planted
    assert await console.status_with_cookie(planted) == 303
    assert await console.status_with_cookie(fresh) == 200


async def test_a_deactivated_staff_member_is_signed_out_at_their_next_page(
    console: Console, staffed: StaffShop
) -> None:
    from domain import commands as c

    await console.sign_in("abe")
    await staffed.small.shop.bus.handle(c.DeactivateStaff(staffed.ids["abe"], actor=c.SYSTEM))
    assert (await console.get("/orders"))[0] == 303
    assert (await console.sign_in("abe"))[0] == 401


@pytest.mark.parametrize(
    "console_settings",
    [ConsoleSettings(secure_cookies=True, _env_file=None)],
    ids=["secure"],  # type: ignore[call-arg]
)
async def test_behind_an_https_proxy_the_session_cookie_is_secure(console: Console) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as browser:  # sends what it is told
        async with browser.get(console.url("/login")) as resp:
            login = resp.cookies[LOGIN_CSRF_COOKIE]
            assert login["secure"] is True
        form = {"csrf": login.value, "name": "abe", "password": PASSWORD}
        cookie = {"Cookie": f"{LOGIN_CSRF_COOKIE}={login.value}"}
        async with browser.post(console.url("/login"), data=form, headers=cookie, allow_redirects=False) as resp:
            assert resp.status == 303
            assert resp.cookies[SESSION_COOKIE]["secure"] is True
            assert resp.cookies[SESSION_COOKIE]["httponly"] is True


async def test_an_https_public_url_makes_console_cookies_secure(staffed: StaffShop) -> None:
    from chatshop.console_wiring import console_deps

    shop = staffed.small.shop
    plain = ConsoleSettings(_env_file=None)  # type: ignore[call-arg]
    assert console_deps(shop, plain).settings.secure_cookies is None
    shop.settings = shop.settings.model_copy(update={"public_url": "https://shop.example"})
    assert console_deps(shop, plain).settings.secure_cookies is True


async def test_console_pages_forbid_framing_and_outside_sources(console: Console) -> None:
    async with console.http.get(console.url("/login")) as resp:
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
