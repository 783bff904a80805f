"""The console's optional second factor: a staff member enrols from a page showing a QR code and the secret and
confirms with a code; from then on sign-in asks for a code after the password. Wrong codes count against the
name and the address like wrong passwords; a code works once. ``chatshop staff totp-reset NAME`` turns it off."""

from __future__ import annotations

import math

import segno
from aiohttp import web

from admin_api.console.auth_routes import PENDING_COOKIE, _client_address, _next, code_page, finish_sign_in
from admin_api.console.deps import deps
from admin_api.console.i18n import translator
from admin_api.console.pages import (
    FORM_EXPIRED,
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SESSION,
    locale_of,
    page,
    problem,
    same,
    see_other,
)
from domain.errors import NotFound, ValidationFailed
from domain.model.staff import Permission
from domain.staff_totp import TotpSecretUnreadable, reset_for, turn_off_own

routes = web.RouteTableDef()
UNREADABLE = (
    "Your two-step sign-in secret cannot be read with this shop's secret key (it was changed since you enrolled)."
    " Ask an administrator to reset your two-step sign-in (chatshop staff totp-reset NAME), then enrol again."
)


@routes.post("/login/code")
async def login_code(request: web.Request) -> web.StreamResponse:
    d, form = deps(request), await request.post()
    _ = translator(locale_of(request))
    if not same(str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return problem(request, 403, "Not allowed", _(FORM_EXPIRED))
    target = _next(str(form.get("next", "")))
    token = request.cookies.get(PENDING_COOKIE, "")
    pending = await d.totp.pending(token) if token else None
    if pending is None:
        return see_other(f"{PREFIX}/login?next={target}")  # too late, or never asked: the password again
    address = _client_address(request)
    wait = await d.throttle.wait(pending.name, address)
    if wait is not None:
        minutes = max(1, math.ceil(wait / 60))
        error = _("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes)
        response = code_page(request, target, 429, error)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    try:
        right = await d.totp.verify(pending.staff_id, str(form.get("code", ""))[:20], token)
    except TotpSecretUnreadable:  # secret_key changed since they enrolled: no code can work, say who can fix it
        return code_page(request, target, 409, _(UNREADABLE))
    if not right:
        await d.throttle.failed(pending.name, address)
        return code_page(request, target, 401, _("That code is not right, or it was used already. Type the newest."))
    signed = await d.access.open_session(pending.staff_id)
    if signed is None:
        return see_other(f"{PREFIX}/login")
    return await finish_sign_in(request, signed[0], target)


@routes.get("/account/totp")
async def account(request: web.Request) -> web.Response:
    d, me = deps(request), request[SESSION]
    enabled = await d.totp.enabled(me.staff_id)
    enrolment = None if enabled else await d.totp.enrolment(me.staff_id, me.name)
    qr = segno.make(enrolment.uri, error="m").svg_inline(scale=5, title=None) if enrolment else ""
    context = {
        "enabled": enabled,
        "enrolment": enrolment,
        "qr": qr,
        "done": request.query.get("done"),
        "can_reset_others": me.as_actor().may(Permission.MANAGE_STAFF),
    }
    return page(request, "totp.html", context)


@routes.post("/account/totp/new")
async def new_secret(request: web.Request) -> web.Response:
    me = request[SESSION]
    await deps(request).totp.enrolment(me.staff_id, me.name, fresh=True)
    return see_other(f"{PREFIX}/account/totp")


@routes.post("/account/totp/confirm")
async def confirm(request: web.Request) -> web.Response:
    form, me = await request.post(), request[SESSION]
    if not await deps(request).totp.confirm(me.staff_id, str(form.get("code", ""))[:20]):
        raise ValidationFailed("That code does not come from this secret; scan the code again and type the newest.")
    return see_other(f"{PREFIX}/account/totp?done=turned on")


@routes.post("/account/totp/off")
async def turn_off(request: web.Request) -> web.Response:
    form, me = await request.post(), request[SESSION]
    await turn_off_own(deps(request).totp, me.staff_id, str(form.get("code", ""))[:20])
    return see_other(f"{PREFIX}/account/totp?done=turned off")


@routes.post("/account/totp/reset")
async def reset_other(request: web.Request) -> web.Response:
    """An administrator turns another staff member's second factor off (the domain checks the role)."""
    d, form, me = deps(request), await request.post(), request[SESSION]
    wanted = str(form.get("name", "")).strip()[:120]
    found = [m for m in await d.views.staff_members() if m.active and m.name == wanted]
    if len(found) != 1:
        raise NotFound(f"No single active staff member called {wanted!r}.")
    was_on = await reset_for(d.totp, me.as_actor(), found[0].id)
    return see_other(f"{PREFIX}/account/totp?done={'reset' if was_on else 'nothing to reset'}")
