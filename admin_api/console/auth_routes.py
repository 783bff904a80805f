"""Sign-in and sign-out. A failed sign-in counts against the name and the address; a fresh session (and a
fresh cookie) is made at each sign-in, so a cookie planted before it is worth nothing after."""

from __future__ import annotations

import math
import secrets

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.i18n import translator
from admin_api.console.pages import (
    FORM_EXPIRED,
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    TOKEN,
    locale_of,
    page,
    problem,
    same,
    see_other,
    set_cookie,
)
from domain.staff_totp import PENDING_FOR

routes = web.RouteTableDef()
LOGIN_FORM_SECONDS = 3600
PENDING_COOKIE = "chatshop_console_2fa"
PENDING_SECONDS = int(PENDING_FOR.total_seconds())


def _next(target: str | None) -> str:
    """Only a console path of ours: never a redirect to somewhere else (``//evil.example``)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/orders"


def _login_page(request: web.Request, status: int = 200, error: str | None = None, name: str = "") -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    context = {"login_csrf": token, "error": error, "name": name, "next": _next(request.query.get("next"))}
    response = page(request, "login.html", context, status=status)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, LOGIN_FORM_SECONDS)
    return response


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


def _client_address(request: web.Request) -> str:
    return request.remote or "unknown"


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    d, form = deps(request), await request.post()
    _ = translator(locale_of(request))
    if not same(str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return problem(request, 403, "Not allowed", _(FORM_EXPIRED))
    name, password = str(form.get("name", "")).strip()[:120], str(form.get("password", ""))
    address = _client_address(request)
    wait = await d.throttle.wait(name, address)
    if wait is not None:
        minutes = max(1, math.ceil(wait / 60))
        response = _login_page(
            request, 429, _("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes), name
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    staff_id = await d.access.verify_password(name, password) if name and password else None
    if staff_id is None:
        await d.throttle.failed(name, address)
        return _login_page(request, 401, _("That name and password do not match an active staff member."), name)
    target = _next(str(form.get("next", "")))
    if await d.totp.enabled(staff_id):  # the password was right; the session waits for the code
        response = code_page(request, target)
        set_cookie(request, response, PENDING_COOKIE, await d.totp.start_sign_in(staff_id), PENDING_SECONDS)
        return response
    signed = await d.access.open_session(staff_id)
    if signed is None:
        return _login_page(request, 401, _("That name and password do not match an active staff member."), name)
    return await finish_sign_in(request, signed[0], target)


def code_page(request: web.Request, target: str, status: int = 200, error: str | None = None) -> web.Response:
    """The second step of a sign-in: the code from their authenticator app."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, "login_code.html", {"login_csrf": token, "error": error, "next": target}, status=status)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, LOGIN_FORM_SECONDS)
    return response


async def finish_sign_in(request: web.Request, token: str, target: str) -> web.Response:
    """A fresh session's cookie (any session this browser held before ends: a planted cookie is worth nothing)."""
    d = deps(request)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await d.access.sign_out(old)
    response = see_other(target)
    set_cookie(request, response, SESSION_COOKIE, token, d.settings.session_hours * 3600)
    response.del_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    response.del_cookie(PENDING_COOKIE, path=PREFIX)
    return response


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    await deps(request).access.sign_out(request[TOKEN])
    response = see_other(f"{PREFIX}/login")
    response.del_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@routes.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    return see_other(f"{PREFIX}/orders")
