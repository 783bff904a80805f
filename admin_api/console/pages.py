"""The console's plumbing: who is signed in (session cookie), CSRF on every form, pages and error pages."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.i18n import locale_from_header, translator
from admin_api.console.words import refusal_text
from domain.errors import DomainError, NotFound, PermissionDenied
from domain.staff_access import StaffSession

PREFIX = "/admin"
SESSION_COOKIE = "chatshop_console"
LOGIN_CSRF_COOKIE = "chatshop_console_login"
SESSION = web.RequestKey("console_session", StaffSession)
TOKEN = web.RequestKey("console_token", str)
PUBLIC = ("/login", "/static/")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def session_of(request: web.Request) -> StaffSession | None:
    return request.get(SESSION)


def locale_of(request: web.Request) -> str:
    session = session_of(request)
    return session.locale if session else locale_from_header(request.headers.get("Accept-Language"))


def page(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    session = session_of(request)
    base = {"_": translator(locale_of(request)), "lang": locale_of(request), "me": session, "prefix": PREFIX}
    base["csrf"] = session.csrf_token if session else ""
    return aiohttp_jinja2.render_template(template, request, base | context, status=status)


def problem(request: web.Request, status: int, title: str, message: str) -> web.Response:
    _ = translator(locale_of(request))
    return page(request, "error.html", {"title": _(title), "message": message}, status=status)


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    secure = request.secure or bool(deps(request).settings.secure_cookies)
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="Lax", secure=secure or None)


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


FORM_EXPIRED = (
    "This form has expired or did not come from this console; nothing was changed. Reload the page and try again."
)


# PostgreSQL text cannot hold NUL; no field needs one, so it is refused before any view or command sees it.
NUL_IN_INPUT = "Text can't contain a NUL character."


@web.middleware
async def signed_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but sign-in needs a live session; every POST but sign-in needs the session's CSRF token."""
    path = request.path.removeprefix(PREFIX)
    token = request.cookies.get(SESSION_COOKIE)
    session = await deps(request).access.session(token) if token else None
    if session is not None and token is not None:
        request[SESSION], request[TOKEN] = session, token
    if not path.startswith(PUBLIC):
        if session is None:
            wanted = request.rel_url.path_qs if request.method == "GET" else ""
            return see_other(f"{PREFIX}/login?" + urlencode({"next": wanted}))
        if request.method == "POST":
            form = await request.post()
            if not same(str(form.get("csrf", "")), session.csrf_token):
                _ = translator(session.locale)
                return problem(request, 403, "Not allowed", _(FORM_EXPIRED))
            if any(isinstance(v, str) and "\x00" in v for v in form.values()):
                return problem(request, 400, "Bad input", translator(locale_of(request))(NUL_IN_INPUT))
        if any("\x00" in v for v in request.query.values()):
            return problem(request, 400, "Bad input", translator(locale_of(request))(NUL_IN_INPUT))
    return await handler(request)


@web.middleware
async def domain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refusal from the domain is the page's answer: 403 for permission, 404 for a missing thing, else 409."""
    try:
        response = await handler(request)
    except DomainError as exc:
        status, title = (403, "Not allowed") if isinstance(exc, PermissionDenied) else (409, "Could not do that")
        if isinstance(exc, NotFound):
            status, title = 404, "Not found"
        response = problem(request, status, title, refusal_text(exc, locale_of(request)))
    response.headers.update(SECURITY_HEADERS)
    return response
