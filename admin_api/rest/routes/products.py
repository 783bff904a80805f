"""Products and variants: list (category, status, updated since), get, create or update, archive, bulk upsert."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Reply, path_int
from admin_api.rest.routes import API
from domain import commands as c
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.model.staff import Actor
from domain.views.admin import ProductFilter

PRODUCT = {"product_id": "the product's id"}


def upsert_command(body: s.ProductIn, actor: Actor, currency: str) -> c.UpsertProduct:
    for v in body.variants:
        if v.price.currency != currency:
            raise ValidationFailed(f"{v.sku}: prices are in the shop's currency, {currency}.")
    return c.UpsertProduct(
        name=body.name,
        variants=tuple(
            c.VariantSpec(v.sku, v.price.amount, dict(v.options), v.low_stock_threshold) for v in body.variants
        ),
        category_path=tuple(body.category_path),
        slug=body.slug,
        description=body.description,
        brand=body.brand,
        attributes=dict(body.attributes),
        images=tuple(body.images),
        active=body.active,
        actor=actor,
    )


async def load_product(call: Call, product_id: int) -> s.ProductOut:
    row = await deps(call.request).admin.product_row(product_id)
    if row is None:
        raise NotFound(f"No product {product_id}.")
    return s.product_out(row)


@API.operation(
    "GET",
    "/products",
    scope="products:read",
    summary="List products with their variants",
    tag="products",
    query=s.ProductListQuery,
    responses={200: s.ProductPage},
    description="By id; with `updated_since`, oldest change first so a sync can resume from the cursor.",
)
async def list_products(call: Call) -> Reply:
    q: s.ProductListQuery = call.query
    kind = "products:updated" if q.updated_since else "products:id"
    rows = await deps(call.request).admin.products(
        ProductFilter(q.category, q.status, q.updated_since), q.limit + 1, decode_cursor(q.cursor, kind)
    )
    page = rows[: q.limit]
    cursor = None
    if len(rows) > q.limit:
        cursor = encode_cursor(kind, page[-1].updated_at.isoformat() if q.updated_since else "", page[-1].id)
    return Reply(200, s.ProductPage(items=[s.product_out(p) for p in page], next_cursor=cursor))


@API.operation(
    "GET",
    "/products/{product_id}",
    scope="products:read",
    summary="Get a product",
    tag="products",
    path_params=PRODUCT,
    responses={200: s.ProductOut},
)
async def get_product(call: Call) -> Reply:
    return Reply(200, await load_product(call, path_int(call, "product_id")))


@API.operation(
    "POST",
    "/products",
    scope="products:write",
    summary="Create or update a product (by slug) and its variants (by SKU)",
    tag="products",
    body=s.ProductIn,
    responses={200: s.ProductOut},
)
async def upsert_product(call: Call) -> Reply:
    d = deps(call.request)
    product_id = await d.bus.handle(upsert_command(call.body, call.actor, d.bus.ctx.config.currency))
    return Reply(200, await load_product(call, int(product_id)))


@API.operation(
    "POST",
    "/products/{product_id}/archive",
    scope="products:write",
    summary="Archive a product",
    tag="products",
    path_params=PRODUCT,
    responses={200: s.ProductOut},
    description="Shoppers no longer see it; orders keep it. Upserting it with `active: true` brings it back.",
)
async def archive_product(call: Call) -> Reply:
    current = await load_product(call, path_int(call, "product_id"))
    await deps(call.request).bus.handle(c.ArchiveProduct(current.slug, actor=call.actor))
    return Reply(200, await load_product(call, current.id))


@API.operation(
    "POST",
    "/products/bulk",
    scope="products:write",
    summary="Upsert many products by SKU, each row reported",
    tag="products",
    body=s.BulkUpsertIn,
    responses={200: s.BulkUpsertOut},
    description="Each product is one transaction: a bad row is reported and writes nothing; the others are kept.",
)
async def bulk_upsert(call: Call) -> Reply:
    d = deps(call.request)
    currency = d.bus.ctx.config.currency
    outcomes: list[s.BulkRowOutcome] = []
    for index, row in enumerate(call.body.products):
        skus = [v.sku.upper() for v in row.variants]
        try:
            product_id = await d.bus.handle(upsert_command(row, call.actor, currency))
        except DomainError as exc:
            outcomes.append(s.BulkRowOutcome(index=index, ok=False, skus=skus, error=exc.message))
        else:
            outcomes.append(s.BulkRowOutcome(index=index, ok=True, product_id=int(product_id), skus=skus))
    ok = sum(1 for o in outcomes if o.ok)
    return Reply(200, s.BulkUpsertOut(succeeded=ok, failed=len(outcomes) - ok, rows=outcomes))
