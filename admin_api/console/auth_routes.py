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

routes = web.RouteTableDef()
LOGIN_FORM_SECONDS = 3600


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
    signed = await d.access.sign_in(name, password) if name and password else None
    if signed is None:
        await d.throttle.failed(name, address)
        return _login_page(request, 401, _("That name and password do not match an active staff member."), name)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await d.access.sign_out(old)
    token, _session = signed
    response = see_other(_next(str(form.get("next", ""))))
    set_cookie(request, response, SESSION_COOKIE, token, d.settings.session_hours * 3600)
    response.del_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
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
