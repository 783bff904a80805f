"""Customers: search, the "at risk, high value" list (the nightly scores), a customer's profile (identities,
orders, lifetime value, scores, consent history, tags, notes, support tickets), tag and note edits, an export of
everything held and forgetting them; each change is a domain command run as the signed-in staff member
(``UpdateCustomer``, ``AnonymiseCustomer``)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, page, see_other
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.money import Money
from domain.model.staff import Permission
from domain.views.scores import AT_RISK_SORTS

routes = web.RouteTableDef()


def _customer_id(request: web.Request) -> int:
    text = request.match_info["customer_id"]
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise NotFound(f"No customer {text}.")
    return int(text)


def _tags(text: str) -> tuple[str, ...]:
    return tuple(t.strip()[:40] for t in text.replace("，", ",").split(",") if t.strip())[:20]


@routes.get("/customers")
async def customers(request: web.Request) -> web.StreamResponse:
    d, q = deps(request), request.query
    text = (q.get("q") or "").strip()[:200]
    digits = text.lstrip("#")
    if digits.isascii() and digits.isdigit() and len(digits) < 19 and await d.views.customer(int(digits)):
        return see_other(f"{PREFIX}/customers/{int(digits)}")
    after = q.get("after", "")
    cursor = int(after) if after.isascii() and after.isdigit() and len(after) < 19 else None
    size = d.settings.page_size
    rows = await d.admin.customers(text or None, size + 1, ("", cursor) if cursor is not None else None)
    more = f"{PREFIX}/customers?" + urlencode({"q": text, "after": rows[size - 1].id}) if len(rows) > size else None
    reports = request[SESSION].as_actor().may(Permission.VIEW_REPORTS) and d.scores is not None
    return page(request, "customers.html", {"rows": rows[:size], "q": q, "more": more, "reports": reports})


@routes.get("/customers/at-risk")
async def at_risk(request: web.Request) -> web.Response:
    """Customers likely to leave who are worth winning back (the nightly scores); for who may see reports."""
    d, q = deps(request), request.query
    request[SESSION].as_actor().require(Permission.VIEW_REPORTS)
    if d.scores is None:
        raise NotFound("Customer scores are not set up on this server.")
    currency = d.bus.ctx.config.currency
    risk_text = (q.get("risk") or "70").strip()
    risk = int(risk_text) if risk_text.isascii() and risk_text.isdigit() and int(risk_text) <= 100 else 70
    value_text = (q.get("value") or "50").strip()[:20]
    try:
        value = Money.parse(value_text, currency).amount
    except ValueError:
        raise ValidationFailed(f"Type an amount in {currency}, like 50 or 49.99.") from None
    sort = q.get("sort") if q.get("sort") in AT_RISK_SORTS else "value"
    rows = await d.scores.at_risk(risk / 100, max(value, 0), str(sort), d.settings.page_size)
    rule = {
        "all": [
            {"field": "churn_risk", "op": "gt", "value": risk / 100},
            {"field": "expected_value", "op": "gte", "value": value_text},
        ]
    }
    context = {"rows": rows, "risk": risk, "value": value_text, "sort": sort, "currency": currency}
    context["rule"] = json.dumps(rule)
    context["link"] = lambda by: (
        f"{PREFIX}/customers/at-risk?" + urlencode({"risk": risk, "value": value_text, "sort": by})
    )
    return page(request, "customers_at_risk.html", context)


@routes.get("/customers/{customer_id}")
async def customer(request: web.Request) -> web.Response:
    d, customer_id = deps(request), _customer_id(request)
    profile = await d.views.customer(customer_id)
    extras = await d.more.customer_extras(customer_id)
    if profile is None or extras is None:
        raise NotFound(f"No customer {customer_id}.")
    orders = await d.views.orders_of(customer_id, limit=50)
    manage = request[SESSION].as_actor().may(Permission.MANAGE_CUSTOMERS)
    context = {"p": profile, "x": extras, "orders": orders, "manage": manage, "done": request.query.get("done")}
    context["currency"] = d.bus.ctx.config.currency  # lifetime value is summed in the shop's currency
    reports = request[SESSION].as_actor().may(Permission.VIEW_REPORTS)
    context["score"] = await d.scores.score_of(customer_id) if reports and d.scores is not None else None
    context["reports"] = reports
    return page(request, "customer.html", context)


@routes.post("/customers/{customer_id}/tags")
async def tags(request: web.Request) -> web.Response:
    d, customer_id = deps(request), _customer_id(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    add, remove = _tags(str(form.get("add", ""))), tuple(str(t)[:40] for t in form.getall("remove", []))
    if not add and not remove:
        raise ValidationFailed("Type a tag to add or tick one to remove.")
    await d.bus.handle(c.UpdateCustomer(customer_id, add_tags=add, remove_tags=remove, actor=actor))
    return see_other(f"{PREFIX}/customers/{customer_id}?done=saved")


@routes.post("/customers/{customer_id}/notes")
async def notes(request: web.Request) -> web.Response:
    d, customer_id = deps(request), _customer_id(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    text = str(form.get("notes", "")).strip()[:4000]
    await d.bus.handle(c.UpdateCustomer(customer_id, notes=text, actor=actor))
    return see_other(f"{PREFIX}/customers/{customer_id}?done=saved")


@routes.get("/customers/{customer_id}/export")
async def export(request: web.Request) -> web.Response:
    """Everything held about them, as a JSON file: personal data in bulk, so only for who manages customers."""
    d, customer_id = deps(request), _customer_id(request)
    request[SESSION].as_actor().require(Permission.MANAGE_CUSTOMERS)
    if await d.views.customer(customer_id) is None:
        raise NotFound(f"No customer {customer_id}.")
    data = await d.views.customer_export(customer_id)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    headers = {"Content-Disposition": f'attachment; filename="customer-{customer_id}.json"'}
    return web.Response(text=body, content_type="application/json", headers=headers)


@routes.post("/customers/{customer_id}/forget")
async def forget(request: web.Request) -> web.Response:
    d, customer_id = deps(request), _customer_id(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    if str(form.get("confirm", "")).strip().lstrip("#") != str(customer_id):
        raise ValidationFailed("Type the customer's number to confirm; nothing was changed.")
    await d.bus.handle(c.AnonymiseCustomer(customer_id, actor=actor))
    return see_other(f"{PREFIX}/customers/{customer_id}?done=forgotten")
