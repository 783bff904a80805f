"""The optional second factor: enrol from a page with a QR code and the secret, confirm with a code; sign-in then
asks for a code after the password; a code works once; wrong codes are throttled like passwords; the command
line turns it off. Secrets are sealed at rest (AES-GCM under the shop's secret_key, bound to the staff id)."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select, update

from admin_api.console.i18n import ZH
from admin_api.console.pages import SESSION_COOKIE
from admin_api.console.totp_routes import UNREADABLE
from domain import commands as c
from domain.adapters.orm_console_more import staff_totp
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.adapters.staff_totp import SqlStaffTotpStore, totp_box
from domain.errors import PermissionDenied
from domain.model.staff import Actor, Role
from domain.staff_totp import reset_for
from tests.integration.console.conftest import PASSWORD, Console, StaffShop
from tests.integration.console.test_staff_passwd_cli import chatshop
from tests.support.clock import FakeClock

LOGIN_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def totp_store(staffed: StaffShop) -> SqlStaffTotpStore:
    shop = staffed.small.shop
    return SqlStaffTotpStore(shop.sessions, shop.clock, totp_box(shop.settings.secret_key.get_secret_value()))


async def stored_secret(staffed: StaffShop, name: str) -> str:
    async with staffed.small.shop.sessions() as session:
        stmt = select(staff_totp.c.secret).where(staff_totp.c.staff_id == staffed.ids[name])
        return str((await session.execute(stmt)).scalar_one())


async def store_secret(staffed: StaffShop, name: str, value: str) -> None:
    async with staffed.small.shop.sessions.begin() as session:
        stmt = update(staff_totp).where(staff_totp.c.staff_id == staffed.ids[name]).values(secret=value)
        await session.execute(stmt)


def code_now(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


async def enrol(console: Console, clock: FakeClock, name: str = "abe") -> str:
    await console.sign_in(name)
    status, html = await console.get("/account/totp")
    assert status == 200 and "<svg" in html
    found = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html)
    assert found, html
    secret = found.group(1)
    csrf = await console.csrf("/account/totp")
    assert (await console.post("/account/totp/confirm", {"csrf": csrf, "code": code_now(secret, clock)}))[0] == 303
    await console.post("/logout", {"csrf": csrf})
    return secret


async def password_step(console: Console, name: str = "abe") -> str:
    """Sign in with the password; returns the code page (its CSRF token is the sign-in form's)."""
    status, html = await console.sign_in(name)
    assert status == 200 and 'action="/admin/login/code"' in html, html
    assert console.cookie(SESSION_COOKIE) is None  # no session before the code
    found = LOGIN_CSRF.findall(html)
    return str(found[-1])


async def code_step(console: Console, csrf: str, code: str) -> tuple[int, str, str | None]:
    return await console.post("/login/code", {"csrf": csrf, "code": code, "next": "/admin/orders"})


async def test_enrol_then_sign_in_asks_for_a_code_and_a_code_works_once(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock)
    clock.advance(seconds=30)  # the enrolment's code was used: the next step's code signs in
    csrf = await password_step(console)
    code = code_now(secret, clock)
    status, _, location = await code_step(console, csrf, code)
    assert (status, location) == (303, "/admin/orders")
    assert console.cookie(SESSION_COOKIE) is not None
    _, html = await console.get("/account/totp")
    assert "On: signing in asks for a code" in html and "totp-secret" not in html
    # The same code again, in a second sign-in within its 30 seconds: refused (a replay).
    csrf = await console.csrf("/orders")
    await console.post("/logout", {"csrf": csrf})
    csrf = await password_step(console)
    status, html, _ = await code_step(console, csrf, code)
    assert status == 401 and "used already" in html
    assert console.cookie(SESSION_COOKIE) is None


async def test_a_wrong_enrolment_code_leaves_it_off(console: Console, staffed: StaffShop) -> None:
    await console.sign_in("abe")
    csrf = await console.csrf("/account/totp")
    status, html, _ = await console.post("/account/totp/confirm", {"csrf": csrf, "code": "000000"})
    assert status == 409 and "does not come from this secret" in html
    store = totp_store(staffed)
    assert not await store.enabled(staffed.ids["abe"])
    await console.post("/logout", {"csrf": csrf})
    assert (await console.sign_in("abe"))[0] == 303  # the password alone still signs in


async def test_wrong_codes_are_throttled_like_passwords(console: Console, staffed: StaffShop, clock: FakeClock) -> None:
    secret = await enrol(console, clock)
    clock.advance(seconds=30)
    csrf = await password_step(console)
    for _ in range(5):
        assert (await code_step(console, csrf, "123456"))[0] == 401
    status, html, _ = await code_step(console, csrf, code_now(secret, clock))
    assert status == 429 and "Too many failed sign-ins" in html
    assert console.cookie(SESSION_COOKIE) is None


async def test_a_code_without_a_right_password_first_gets_nowhere(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock)
    clock.advance(seconds=30)
    assert (await console.sign_in("abe", "wrong password!"))[0] == 401
    token = await console.csrf("/login")
    status, _, location = await code_step(console, token, code_now(secret, clock))
    assert status == 303 and location is not None and location.startswith("/admin/login")
    assert console.cookie(SESSION_COOKIE) is None


async def test_the_code_page_expires_after_five_minutes(console: Console, staffed: StaffShop, clock: FakeClock) -> None:
    secret = await enrol(console, clock)
    csrf = await password_step(console)
    clock.advance(minutes=6)
    status, _, location = await code_step(console, csrf, code_now(secret, clock))
    assert status == 303 and location is not None and location.startswith("/admin/login")
    assert console.cookie(SESSION_COOKIE) is None


async def test_totp_reset_on_the_command_line_lets_them_in_with_the_password_alone(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    await enrol(console, clock)
    result = await chatshop(staffed.small, "staff", "totp-reset", "abe", stdin="")
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in for staff #3 abe: turned off." in result.output
    assert (await console.sign_in("abe", PASSWORD))[0] == 303
    again = await chatshop(staffed.small, "staff", "totp-reset", "abe", stdin="")
    assert "was not on" in again.output


async def signed_in_with_code(console: Console, secret: str, clock: FakeClock, name: str = "abe") -> None:
    clock.advance(seconds=30)
    csrf = await password_step(console, name)
    assert (await code_step(console, csrf, code_now(secret, clock)))[0] == 303


async def test_a_staff_member_turns_their_own_second_factor_off_with_a_current_code(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock)
    await signed_in_with_code(console, secret, clock)
    store = totp_store(staffed)
    _, html = await console.get("/account/totp")
    assert 'action="/admin/account/totp/off"' in html
    assert 'action="/admin/account/totp/reset"' not in html  # an approver resets no one else's
    csrf = await console.csrf("/account/totp")
    # The code that just signed in is used; a session alone (no current code) does not switch it off.
    status, html, _ = await console.post("/account/totp/off", {"csrf": csrf, "code": code_now(secret, clock)})
    assert status == 409 and "stays on" in html
    assert await store.enabled(staffed.ids["abe"])
    clock.advance(seconds=30)
    status, _, location = await console.post("/account/totp/off", {"csrf": csrf, "code": code_now(secret, clock)})
    assert (status, location) == (303, "/admin/account/totp?done=turned off")
    assert not await store.enabled(staffed.ids["abe"])
    await console.post("/logout", {"csrf": csrf})
    assert (await console.sign_in("abe"))[0] == 303  # the password alone signs in again


async def test_an_administrator_resets_another_staff_members_second_factor_and_an_operator_may_not(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    shop = staffed.small.shop
    await shop.bus.handle(c.AddStaff("ada", Role.ADMIN, actor=c.SYSTEM))
    ada = next(m.id for m in await shop.views.staff_members() if m.name == "ada")
    await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(ada, PASSWORD, "en")
    store = totp_store(staffed)
    await enrol(console, clock, "abe")

    await console.sign_in("otto")
    _, html = await console.get("/account/totp")
    assert 'action="/admin/account/totp/reset"' not in html
    csrf = await console.csrf("/account/totp")
    status, html, _ = await console.post("/account/totp/reset", {"csrf": csrf, "name": "abe"})
    assert status == 403 and "manage staff" in html  # the domain refuses, whatever the page showed
    assert await store.enabled(staffed.ids["abe"])
    await console.post("/logout", {"csrf": csrf})

    await console.sign_in("ada")
    _, html = await console.get("/account/totp")
    assert 'action="/admin/account/totp/reset"' in html
    csrf = await console.csrf("/account/totp")
    status, _, location = await console.post("/account/totp/reset", {"csrf": csrf, "name": "abe"})
    assert (status, location) == (303, "/admin/account/totp?done=reset")
    assert not await store.enabled(staffed.ids["abe"])
    with pytest.raises(PermissionDenied):
        await reset_for(store, Actor.staff("otto", Role.OPERATOR), staffed.ids["abe"])


async def test_the_stored_secret_is_sealed_not_the_secret_itself(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock)
    stored = await stored_secret(staffed, "abe")
    assert stored.startswith("v1:") and secret not in stored
    await signed_in_with_code(console, secret, clock)  # and sign-in with a code still works
    assert console.cookie(SESSION_COOKIE) is not None


async def test_a_legacy_plaintext_secret_still_signs_in_and_is_sealed_on_first_use(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock)
    await store_secret(staffed, "abe", secret)  # as rows were written before sealing
    await signed_in_with_code(console, secret, clock)
    assert console.cookie(SESSION_COOKIE) is not None
    stored = await stored_secret(staffed, "abe")
    assert stored.startswith("v1:") and secret not in stored
    key = staffed.small.shop.settings.secret_key.get_secret_value()
    assert totp_box(key).open(stored, f"staff_totp:{staffed.ids['abe']}") == secret


async def test_a_sealed_secret_copied_to_another_staff_member_does_not_sign_them_in(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock, "abe")
    await enrol(console, clock, "otto")
    await store_secret(staffed, "otto", await stored_secret(staffed, "abe"))  # abe's sealed secret on otto's row
    clock.advance(seconds=30)
    csrf = await password_step(console, "otto")
    status, _, _ = await code_step(console, csrf, code_now(secret, clock))
    assert status == 409
    assert console.cookie(SESSION_COOKIE) is None


async def test_after_the_secret_key_changed_a_code_is_refused_with_what_to_do_not_a_crash(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    secret = await enrol(console, clock)
    # As if abe enrolled while the shop ran with another secret_key (since rotated).
    await store_secret(
        staffed, "abe", totp_box("the key before rotation").seal(secret, f"staff_totp:{staffed.ids['abe']}")
    )
    clock.advance(seconds=30)
    csrf = await password_step(console)
    status, html, _ = await code_step(console, csrf, code_now(secret, clock))
    assert status == 409 and "secret key" in html and "totp-reset" in html
    assert console.cookie(SESSION_COOKIE) is None
    assert UNREADABLE in ZH
    # The administrator's reset is the way back: the password alone, then they enrol again.
    result = await chatshop(staffed.small, "staff", "totp-reset", "abe", stdin="")
    assert "turned off" in result.output
    assert (await console.sign_in("abe"))[0] == 303
