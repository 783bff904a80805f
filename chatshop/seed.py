"""``chatshop seed --demo``: a realistic shop with catalog, stock, customers and 18 months of history.

The catalog goes through the real commands (so it is validated like any import); stock and history are
written in bulk inside one transaction each, with a ledger row for every stock level, so the demo's
stock is explainable like a real shop's. Past orders carry the money rows a live order would have: a
sandbox payment (and its sandbox session, so the sandbox provider can refund it) and, for refunded
orders, the refund (those bulk rows are written by domain/adapters/demo_history.py, which also shapes the
history: trend, seasons, promo weeks, launches and retirements, customers who reorder and lapse, and a
broadcast campaign about once a month with its deliveries and the orders credited to it). Running it again
changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import Progress

from chatshop.bootstrap import Shop
from chatshop.demo_catalog import BRANDS, demo_products
from chatshop.images import product_image
from domain import commands as c
from domain import commands_purchasing as purchasing
from domain.adapters.demo_history import DemoHistory
from domain.adapters.rollups import backfill
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.staff import Role

MEDIA = Path("var") / "media"
WAREHOUSES = [("EAST", "East Coast DC", 1, "US"), ("WEST", "West Coast DC", 2, "US")]
COUPONS = [
    c.CreateCoupon("WELCOME10", "percent", 1000, description="10% off your first order", actor=c.SYSTEM),
    c.CreateCoupon(
        "SUMMER20",
        "percent",
        2000,
        min_subtotal=5000,
        per_customer_limit=None,
        description="20% off orders over 50.00",
        actor=c.SYSTEM,
    ),
    c.CreateCoupon(
        "FREESHIP",
        "free_shipping",
        0,
        min_subtotal=2500,
        per_customer_limit=None,
        description="free shipping over 25.00",
        actor=c.SYSTEM,
    ),
    c.CreateCoupon(
        "TENOFF",
        "fixed",
        1000,
        min_subtotal=6000,
        usage_limit=500,
        per_customer_limit=None,
        description="10.00 off orders over 60.00",
        actor=c.SYSTEM,
    ),
    c.CreateCoupon(
        "SHOES15",
        "percent",
        1500,
        category_slugs=("shoes",),
        per_customer_limit=None,
        description="15% off shoes",
        actor=c.SYSTEM,
    ),
]
SHIPPING = [
    c.CreateShippingMethod("standard", "Standard", 599, free_over=7500, min_days=3, max_days=5, actor=c.SYSTEM),
    c.CreateShippingMethod(
        "express",
        "Express",
        1499,
        countries=("US", "CA", "GB", "DE", "FR", "CN"),
        min_days=1,
        max_days=2,
        actor=c.SYSTEM,
    ),
    c.CreateShippingMethod("pickup", "Pick up in store", 0, countries=("US",), min_days=0, max_days=1, actor=c.SYSTEM),
]
OWNER = "Shop Owner"


@dataclass
class SeedSummary:
    products: int
    variants: int
    customers: int
    orders: int
    # The demo owner's console password when this run made the owner; a run that finds them changes nothing.
    owner_password: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        text = (
            f"demo shop: {self.products} products, {self.variants} variants, "
            f"{self.customers} customers, {self.orders} past orders"
        )
        if self.owner_password:
            text += (
                f"\nstaff console at /admin: name {OWNER}, password {self.owner_password} "
                f'(shown once; `chatshop staff passwd "{OWNER}"` changes it)'
            )
        return text


def demo_history(shop: Shop) -> DemoHistory:
    s = shop.settings
    return DemoHistory(shop.sessions, shop.clock, shop.sandbox, s.currency, s.reservation_minutes, s.base_url)


async def shop_is_empty(shop: Shop) -> bool:
    return await demo_history(shop).count("products") == 0


def ensure_demo_images() -> int:
    """Draw any missing demo product pictures (e.g. after ``var/media`` was cleaned); returns how many exist."""
    products = demo_products()
    for p in products:
        product_image(MEDIA / "products" / f"{p.slug}.png", p.name, p.category_path[-1], p.colors[0])
    return len(products)


# The default history: sized so `make run` seeds in well under 30 s on SQLite (see README, "demo data").
MONTHS = 18
CUSTOMERS = 3000
ORDERS = 12000
SEED = 11


async def _suppliers_forecast_and_scores(shop: Shop, history: DemoHistory) -> None:
    """One supplier per brand with every active SKU sourced from it, then tonight's jobs run once now — the
    demand forecast and the customer scores (BG/NBD, without the backtest that picks a model, to stay quick) —
    so the console's reorder suggestions, dashboard forecast and at-risk list have something to show."""
    from chatshop.cli_forecast import forecast_all
    from chatshop.cli_scores import score_now

    suppliers = {}
    for i, brand in enumerate(BRANDS):
        lead = (5, 7, 10, 14, 21)[i % 5]
        contact = f"orders@{brand.lower()}.example"
        command = purchasing.CreateSupplier(f"{brand} Wholesale", shop.settings.currency, contact, lead, actor=c.SYSTEM)
        suppliers[brand] = int(await shop.bus.handle(command))
    await history.add_sourcing(suppliers)
    await forecast_all(shop)
    await score_now(shop, "bgnbd")


async def seed_demo(
    shop: Shop,
    progress: bool = False,
    customers: int = CUSTOMERS,
    orders: int = ORDERS,
    months: int = MONTHS,
    seed: int = SEED,
) -> SeedSummary:
    bus = shop.bus
    for code, name, priority, country in WAREHOUSES:
        await bus.handle(c.CreateWarehouse(code, name, priority, country, actor=c.SYSTEM))
    products = demo_products()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("catalog", total=len(products))
        for p in products:
            image = product_image(MEDIA / "products" / f"{p.slug}.png", p.name, p.category_path[-1], p.colors[0])
            await bus.handle(
                c.UpsertProduct(
                    p.name,
                    tuple(c.VariantSpec(v.sku, v.price, v.options) for v in p.variants),
                    p.category_path,
                    slug=p.slug,
                    description=p.description,
                    brand=p.brand,
                    attributes=p.attributes,
                    images=(f"/media/products/{image.name}",),
                    translations=p.translations,
                    category_translations=p.category_translations,
                    actor=c.SYSTEM,
                )
            )
            bar.advance(task)
    for method in SHIPPING:
        await bus.handle(method)
    for coupon in COUPONS:
        await bus.handle(coupon)
    owner_password = None
    if not any(m.name == OWNER for m in await shop.views.staff_members()):
        owner_id = int(await bus.handle(c.AddStaff(OWNER, Role.ADMIN, None, actor=c.SYSTEM)))
        owner_password = secrets.token_urlsafe(12)
        await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(owner_id, owner_password, "en")
    history = demo_history(shop)
    plan = await history.plan(months, seed)
    if await history.count("stock_levels") == 0:
        await history.add_opening_stock(plan)
    if await history.count("customers") == 0:
        await history.add_history(plan, customers, orders, seed)
        await backfill(shop.sessions)  # the history went in as raw rows, past the outbox: the dashboard's rollups
        await _suppliers_forecast_and_scores(shop, history)
    return SeedSummary(
        await history.count("products"),
        await history.count("variants"),
        await history.count("customers"),
        await history.count("orders"),
        owner_password,
    )
