"""Customers: list and search, get, export everything held, forget (erasure keeps orders, not the person)."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Reply, path_int
from admin_api.rest.routes import API
from domain import commands as c
from domain.errors import NotFound
from domain.views.admin import CustomerRow

CUSTOMER = {"customer_id": "the customer's id"}


def summary(r: CustomerRow) -> s.CustomerSummaryOut:
    return s.CustomerSummaryOut(
        id=r.id,
        name=r.name,
        email=r.email,
        country=r.country,
        locale=r.locale,
        tags=list(r.tags),
        marketing_opt_in=r.marketing_opt_in,
        created_at=r.created_at,
        updated_at=r.updated_at,
        anonymised=r.anonymised,
    )


@API.operation(
    "GET",
    "/customers",
    scope="customers:read",
    summary="List or search customers",
    tag="customers",
    query=s.CustomerListQuery,
    responses={200: s.CustomerPage},
)
async def list_customers(call: Call) -> Reply:
    q: s.CustomerListQuery = call.query
    kind = "customers:updated" if q.updated_since else "customers"
    after = decode_cursor(q.cursor, kind)
    rows = await deps(call.request).admin.customers(q.q, q.limit + 1, after, q.updated_since)
    page = rows[: q.limit]
    cursor = None
    if len(rows) > q.limit:
        cursor = encode_cursor(kind, page[-1].updated_at.isoformat() if q.updated_since else "", page[-1].id)
    return Reply(200, s.CustomerPage(items=[summary(r) for r in page], next_cursor=cursor))


@API.operation(
    "GET",
    "/customers/{customer_id}",
    scope="customers:read",
    summary="Get a customer",
    tag="customers",
    path_params=CUSTOMER,
    responses={200: s.CustomerOut},
)
async def get_customer(call: Call) -> Reply:
    return Reply(200, await profile(call, path_int(call, "customer_id")))


async def profile(call: Call, customer_id: int) -> s.CustomerOut:
    d = deps(call.request)
    p = await d.views.customer(customer_id)
    row = await d.admin.customer_row(customer_id)
    if p is None or row is None:
        raise NotFound(f"No customer {customer_id}.")
    return s.CustomerOut(
        id=p.id,
        name=p.name,
        email=p.email,
        country=p.country,
        locale=p.locale,
        tags=list(p.tags),
        marketing_opt_in=p.marketing_opt_in,
        created_at=p.created_at,
        updated_at=row.updated_at,
        anonymised=p.anonymised,
        identities=[{"channel": ch, "external_id": ext} for ch, ext in p.identities],
        orders=p.orders,
        lifetime_value=s.money(p.lifetime_value, d.bus.ctx.config.currency),
        last_order_at=p.last_order_at,
    )


@API.operation(
    "GET",
    "/customers/{customer_id}/export",
    scope="customers:read",
    summary="Everything held about a customer",
    tag="customers",
    path_params=CUSTOMER,
    responses={200: s.CustomerExport},
)
async def export_customer(call: Call) -> Reply:
    customer_id = path_int(call, "customer_id")
    d = deps(call.request)
    if await d.views.customer(customer_id) is None:
        raise NotFound(f"No customer {customer_id}.")
    return Reply(200, s.CustomerExport.model_validate(await d.views.customer_export(customer_id)))


@API.operation(
    "POST",
    "/customers/{customer_id}/tags",
    scope="customers:write",
    summary="Tag a customer",
    tag="customers",
    path_params=CUSTOMER,
    body=s.TagsIn,
    responses={200: s.CustomerOut},
)
async def tag_customer(call: Call) -> Reply:
    customer_id = path_int(call, "customer_id")
    tags = tuple(call.body.add)
    await deps(call.request).bus.handle(c.UpdateCustomer(customer_id, add_tags=tags, actor=call.actor))
    return Reply(200, await profile(call, customer_id))


@API.operation(
    "POST",
    "/customers/{customer_id}/consent",
    scope="customers:write",
    summary="Record marketing consent given or withdrawn",
    tag="customers",
    path_params=CUSTOMER,
    body=s.ConsentIn,
    responses={200: s.CustomerOut},
    description="Kept as a consent entry with its source and time; campaigns follow it.",
)
async def set_consent(call: Call) -> Reply:
    customer_id = path_int(call, "customer_id")
    b: s.ConsentIn = call.body
    await deps(call.request).bus.handle(c.SetMarketingConsent(customer_id, b.granted, b.source, actor=call.actor))
    return Reply(200, await profile(call, customer_id))


@API.operation(
    "POST",
    "/customers/{customer_id}/forget",
    scope="customers:write",
    summary="Forget a customer (erasure)",
    tag="customers",
    path_params=CUSTOMER,
    responses={200: s.Accepted},
    description="Personal data is erased; orders stay, without the person.",
)
async def forget_customer(call: Call) -> Reply:
    customer_id = path_int(call, "customer_id")
    await deps(call.request).bus.handle(c.AnonymiseCustomer(customer_id, actor=call.actor))
    return Reply(200, s.Accepted())
