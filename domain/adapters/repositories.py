"""SQLAlchemy implementations of the repository interfaces."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Integer, bindparam, case, delete, func, insert, literal, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.base import manager_of_class

from domain.adapters import orm
from domain.adapters.catalog_projection import VERSION, Catalog, CatalogProjection
from domain.adapters.customer_changes import session_now
from domain.adapters.orm_console_more import order_events
from domain.model import (
    AnalyticsEvent,
    Cart,
    Category,
    ChannelIdentity,
    ConsentEntry,
    Coupon,
    CouponRedemption,
    Customer,
    Order,
    Payment,
    Product,
    Refund,
    Reservation,
    Shipment,
    ShippingMethod,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
)
from domain.model.customers import MIN_ERASABLE, Channel, scrub_payload
from domain.model.inventory import ReservationStatus
from domain.model.orders import OrderStatus
from domain.model.payments import RefundStatus
from domain.model.staff import StaffMember
from domain.model.support import SupportMessage, SupportTicket, TicketStatus

T = TypeVar("T")

#: ``session.info`` key: the catalog's version as a statement of this unit of work read it along the way (the
#: cart read carries it), so the catalog in memory is checked without a statement of its own.
CATALOG_VERSION = "catalog_version"


# What a checkout can sell from: the stock rows of active warehouses. The one definition: checkout plans on
# these rows only (``stock_rows``), and the cart's stock guard and check sum what they have available
# (``_SELLABLE``), so the cart never takes what checkout would then refuse.
_SELLABLE_ROWS = "stock_levels.warehouse_id IN (SELECT warehouses.id FROM warehouses WHERE warehouses.active)"
# Text, not an expression: SQLAlchemy 2.0 never caches the compiled form of an INSERT … ON CONFLICT (its
# dialect Insert has inherit_cache = False), and compiling this one cost more CPU than the rest of AddToCart.
# The same SQL runs on PostgreSQL and SQLite (>= 3.35: upsert with RETURNING).
_SELLABLE = f"""(SELECT coalesce(sum(CASE WHEN on_hand - reserved - allocated > 0
                                      THEN on_hand - reserved - allocated ELSE 0 END), 0)
                 FROM stock_levels WHERE stock_levels.variant_id = :variant_id AND {_SELLABLE_ROWS})"""
_SELLABLE_OF = text(f"SELECT {_SELLABLE}").bindparams(bindparam("variant_id", type_=Integer))
_ADD_TO_CART_LINE = text(
    f"""
    INSERT INTO cart_lines (cart_id, variant_id, quantity)
    SELECT :cart_id, :variant_id, :quantity
    WHERE EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = :cart_id AND variant_id = :variant_id)
       OR (:quantity <= {_SELLABLE} AND :quantity <= :max_quantity
           AND (SELECT count(*) FROM cart_lines WHERE cart_id = :cart_id) < :max_lines)
    ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = cart_lines.quantity + excluded.quantity
    WHERE cart_lines.quantity + excluded.quantity <= :max_quantity
      AND cart_lines.quantity + excluded.quantity <= {_SELLABLE}
    RETURNING quantity
    """
).bindparams(
    *(bindparam(name, type_=Integer) for name in ("cart_id", "variant_id", "quantity", "max_quantity", "max_lines"))
)


class _Repo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _add(self, obj: T) -> T:
        self.session.add(obj)
        await self.session.flush()
        return obj


_VERSION = VERSION.scalar_subquery()
_ORDER_COLUMNS = [c.name for c in orm.orders.columns if c.name != "id"]
_LINE_COLUMNS = [c.name for c in orm.order_lines.columns if c.name != "id"]
_INSERT_ORDER = insert(orm.orders).returning(orm.orders.c.id)
_INSERT_LINES = insert(orm.order_lines).returning(orm.order_lines.c.id, orm.order_lines.c.variant_id)
_CATALOG_CLASSES = (Category, Product, Variant, Warehouse, ShippingMethod)


def _detached(cls: type[T], row: Any) -> T:
    """A copy of a catalog row as a domain object the session does not know (nothing it changes is written):
    built without ``__init__`` (the stored row was validated when it was written), JSON values copied so
    the catalog held in memory stays as read."""
    obj: T = manager_of_class(cls).new_instance()
    for key, value in row._mapping.items():
        setattr(obj, key, copy.deepcopy(value) if isinstance(value, dict | list) else value)
    return obj


class SqlCatalogRepository(_Repo):
    """Pricing reads (a variant and its product, category lineages, shipping methods, warehouses) come from
    the catalog held in memory (``CatalogProjection``) once one read of ``catalog_version`` in this
    transaction says it is current; every other read, and every write, goes to the tables."""

    def __init__(self, session: AsyncSession, projection: CatalogProjection | None = None) -> None:
        super().__init__(session)
        self._projection = projection
        self._checked: Catalog | None = None

    async def _rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[Any]:
        return list((await self.session.execute(stmt, params)).all())

    async def _catalog(self) -> Catalog | None:
        """The catalog in memory, checked once per unit of work; None (read the tables) without a projection
        or when this unit of work has catalog rows of its own in hand: it may be changing the catalog, and
        a copy loaded from its uncommitted rows must never be kept for other commands."""
        if self._projection is None:
            return None
        if any(isinstance(obj, _CATALOG_CLASSES) for obj in self.session.identity_map.values()):
            return None
        if self._checked is None:
            self._checked = await self._projection.current(self._rows, self.session.info.get(CATALOG_VERSION))
        return self._checked

    def _projected(self, catalog: Catalog, variant_ids: Sequence[int]) -> dict[int, tuple[Variant, Product]]:
        found: dict[int, tuple[Variant, Product]] = {}
        for variant_id in variant_ids:
            row = catalog.variant.get(variant_id)
            product = None if row is None else catalog.product.get(row.product_id)
            if row is not None and product is not None:
                found[variant_id] = (_detached(Variant, row), _detached(Product, product))
        return found

    async def shipping_method(self, code: str) -> ShippingMethod | None:
        catalog = await self._catalog()
        if catalog is None:
            stmt = select(ShippingMethod).filter_by(code=code)
            return (await self.session.execute(stmt)).scalar_one_or_none()
        row = next((m for m in catalog.shipping_methods if m.code == code), None)
        return None if row is None else _detached(ShippingMethod, row)

    async def warehouses(self) -> list[Warehouse]:
        catalog = await self._catalog()
        if catalog is None:
            return list((await self.session.execute(select(Warehouse).order_by(orm.warehouses.c.id))).scalars())
        return [_detached(Warehouse, row) for row in catalog.warehouses]

    async def add_category(self, category: Category) -> Category:
        return await self._add(category)

    async def category_by_slug(self, slug: str) -> Category | None:
        return (await self.session.execute(select(Category).filter_by(slug=slug))).scalar_one_or_none()

    async def category_lineage(self, category_id: int) -> list[Category]:
        lineage: list[Category] = []
        current: int | None = category_id
        while current is not None and len(lineage) < 20:
            category = await self.session.get(Category, current)
            if category is None:
                break
            lineage.append(category)
            current = category.parent_id
        return list(reversed(lineage))

    async def add_product(self, product: Product) -> Product:
        return await self._add(product)

    async def product(self, product_id: int) -> Product | None:
        return await self.session.get(Product, product_id)

    async def product_by_slug(self, slug: str) -> Product | None:
        return (await self.session.execute(select(Product).filter_by(slug=slug))).scalar_one_or_none()

    async def variant_by_sku(self, sku: str) -> Variant | None:
        return (await self.session.execute(select(Variant).filter_by(sku=sku.strip().upper()))).scalar_one_or_none()

    async def variant_with_product_by_sku(self, sku: str) -> tuple[Variant, Product] | None:
        catalog = await self._catalog()
        if catalog is not None:
            row = catalog.by_sku.get(sku.strip().upper())
            return None if row is None else self._projected(catalog, [row.id]).get(row.id)
        stmt = (
            select(Variant, Product)
            .join(Product, orm.products.c.id == orm.variants.c.product_id)
            .where(orm.variants.c.sku == sku.strip().upper())
            .options(lazyload(getattr(Product, "variants")))  # noqa: B009 (mapped imperatively, unknown to mypy)
        )
        row = (await self.session.execute(stmt)).tuples().one_or_none()
        return None if row is None else (row[0], row[1])

    async def variants(self, variant_ids: list[int]) -> dict[int, Variant]:
        if not variant_ids:
            return {}
        rows = await self.session.execute(select(Variant).where(orm.variants.c.id.in_(variant_ids)))
        return {v.id: v for v in rows.scalars() if v.id is not None}

    async def products(self, product_ids: list[int]) -> dict[int, Product]:
        if not product_ids:
            return {}
        rows = await self.session.execute(select(Product).where(orm.products.c.id.in_(product_ids)))
        return {p.id: p for p in rows.scalars() if p.id is not None}

    async def variants_with_products(self, variant_ids: list[int]) -> dict[int, tuple[Variant, Product]]:
        if not variant_ids:
            return {}
        catalog = await self._catalog()
        if catalog is not None:
            return self._projected(catalog, sorted(set(variant_ids)))
        # One join; the product's other variants stay unloaded (a checkout prices the cart's, not the range).
        stmt = (
            select(Variant, Product)
            .join(Product, orm.products.c.id == orm.variants.c.product_id)
            .where(orm.variants.c.id.in_(sorted(set(variant_ids))))
            .options(lazyload(getattr(Product, "variants")))  # noqa: B009 (mapped imperatively, unknown to mypy)
        )
        return {v.id: (v, p) for v, p in (await self.session.execute(stmt)).tuples() if v.id is not None}

    async def category_lineages(self, category_ids: list[int]) -> dict[int, frozenset[int]]:
        if not category_ids:
            return {}
        catalog = await self._catalog()
        if catalog is not None:
            lineages = {i: frozenset(c.id for c in catalog.lineage(i)) for i in set(category_ids)}
            return {i: ids for i, ids in lineages.items() if ids}
        t = orm.categories.c
        # One recursive query instead of a get per ancestor; depth-capped as the walk it replaces.
        walk = (
            select(t.id.label("start"), t.id.label("id"), t.parent_id.label("parent_id"), literal(1).label("depth"))
            .where(t.id.in_(sorted(set(category_ids))))
            .cte("lineage", recursive=True)
        )
        walk = walk.union_all(
            select(walk.c.start, t.id, t.parent_id, walk.c.depth + 1)
            .join(walk, t.id == walk.c.parent_id)
            .where(walk.c.depth < 20)
        )
        found: dict[int, set[int]] = {}
        for start, category_id in (await self.session.execute(select(walk.c.start, walk.c.id))).tuples():
            found.setdefault(start, set()).add(category_id)
        return {start: frozenset(ids) for start, ids in found.items()}

    async def products_in_categories(self, category_ids: list[int]) -> list[Product]:
        if not category_ids:
            return []
        t = orm.categories.c
        below = (
            select(t.id.label("id"), literal(1).label("depth"))
            .where(t.id.in_(sorted(set(category_ids))))
            .cte("below", recursive=True)
        )
        below = below.union_all(
            select(t.id, below.c.depth + 1).join(below, t.parent_id == below.c.id).where(below.c.depth < 20)
        )
        stmt = select(Product).where(orm.products.c.category_id.in_(select(below.c.id))).order_by(orm.products.c.id)
        return list((await self.session.execute(stmt)).scalars())


class SqlInventoryRepository(_Repo):
    async def add_warehouse(self, warehouse: Warehouse) -> Warehouse:
        return await self._add(warehouse)

    async def warehouse_by_code(self, code: str) -> Warehouse | None:
        stmt = select(Warehouse).filter_by(code=code.strip().upper())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def warehouses(self) -> list[Warehouse]:
        return list((await self.session.execute(select(Warehouse).order_by(orm.warehouses.c.id))).scalars())

    async def lock_levels(self, variant_ids: list[int]) -> list[StockLevel]:
        # Locks taken in primary-key order in every transaction, so two checkouts can't deadlock.
        if not variant_ids:
            return []
        stmt = (
            select(StockLevel)
            .where(orm.stock_levels.c.variant_id.in_(sorted(set(variant_ids))))
            .order_by(orm.stock_levels.c.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def levels(self, variant_ids: list[int]) -> list[StockLevel]:
        if not variant_ids:
            return []
        stmt = select(StockLevel).where(orm.stock_levels.c.variant_id.in_(sorted(set(variant_ids))))
        return list((await self.session.execute(stmt.order_by(orm.stock_levels.c.id))).scalars())

    async def stock_rows(self, variant_ids: list[int], lock: bool) -> list[StockLevel]:
        # Core rows turned into objects the session does not know: the checkout plans on them and writes its
        # changes in one statement (take_reserved), so nothing is flushed from them.
        if not variant_ids:
            return []
        t = orm.stock_levels
        stmt = select(t.c.id, t.c.variant_id, t.c.warehouse_id, t.c.on_hand, t.c.reserved, t.c.allocated)
        stmt = stmt.where(t.c.variant_id.in_(sorted(set(variant_ids))), text(_SELLABLE_ROWS)).order_by(t.c.id)
        if lock:
            stmt = stmt.with_for_update()
        rows = []
        for level_id, variant_id, warehouse_id, on_hand, reserved, allocated in await self.session.execute(stmt):
            level = StockLevel(variant_id, warehouse_id)
            level.id, level.on_hand, level.reserved, level.allocated = level_id, on_hand, reserved, allocated
            rows.append(level)
        return rows

    async def sellable(self, variant_id: int) -> int:
        return int((await self.session.execute(_SELLABLE_OF, {"variant_id": variant_id})).scalar_one())

    async def take_reserved(self, quantities: dict[int, int]) -> dict[int, int]:
        # One statement that locks, checks and writes, like a bare conditional UPDATE; the CTE takes the row
        # locks in id order (as every other stock writer does), so multi-line carts cannot deadlock.
        if not quantities:
            return {}
        t = orm.stock_levels
        ids = sorted(quantities)
        locked = select(t.c.id).where(t.c.id.in_(ids)).order_by(t.c.id).with_for_update().cte("locked")
        wanted = case({level_id: quantities[level_id] for level_id in ids}, value=t.c.id)
        available = t.c.on_hand - t.c.reserved - t.c.allocated
        stmt = (
            update(t)
            .where(t.c.id == locked.c.id)
            .where(available >= wanted)
            .values(reserved=t.c.reserved + wanted)
            .returning(t.c.id, available)
        )
        return {level_id: left for level_id, left in (await self.session.execute(stmt)).tuples()}

    async def lock_level(self, variant_id: int, warehouse_id: int) -> StockLevel:
        stmt = (
            select(StockLevel)
            .filter_by(variant_id=variant_id, warehouse_id=warehouse_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        level = (await self.session.execute(stmt)).scalar_one_or_none()
        if level is None:
            level = StockLevel(variant_id, warehouse_id)
            self.session.add(level)
            await self.session.flush()
        return level

    async def add_movement(self, movement: StockMovement) -> None:
        self.session.add(movement)

    async def add_reservation(self, reservation: Reservation) -> None:
        self.session.add(reservation)

    async def add_movements_and_reservations(
        self, movements: list[StockMovement], reservations: list[Reservation]
    ) -> None:
        # Core executemany, one statement per table, sent at once: these rows are written under the stock
        # lock, and the ORM would insert them one by one to read back ids nobody needs here.
        for table, objects in ((orm.stock_movements, movements), (orm.reservations, reservations)):
            if objects:
                columns = [col.name for col in table.columns if col.name != "id"]
                rows = [{name: getattr(obj, name) for name in columns} for obj in objects]
                await self.session.execute(insert(table), rows)

    async def reservations_of(self, order_id: int) -> list[Reservation]:
        stmt = select(Reservation).filter_by(order_id=order_id).order_by(orm.reservations.c.id)
        return list((await self.session.execute(stmt)).scalars())

    async def orders_with_expired_reservations(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(orm.orders.c.id)
            .where(orm.orders.c.status == OrderStatus.PENDING_PAYMENT.value)
            .where(orm.orders.c.reservation_expires_at <= now)
            .order_by(orm.orders.c.reservation_expires_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())


class SqlCustomerRepository(_Repo):
    async def add(self, customer: Customer) -> Customer:
        return await self._add(customer)

    async def get(self, customer_id: int) -> Customer | None:
        return await self.session.get(Customer, customer_id)

    async def identity(self, channel: Channel, external_id: str) -> ChannelIdentity | None:
        stmt = select(ChannelIdentity).filter_by(channel=channel, external_id=external_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_identity(self, channel: Channel, external_id: str) -> Customer | None:
        identity = await self.identity(channel, external_id)
        return None if identity is None else await self.get(identity.customer_id)

    async def add_identity(self, identity: ChannelIdentity) -> None:
        await self._add(identity)

    async def identities_of(self, customer_id: int) -> list[ChannelIdentity]:
        stmt = select(ChannelIdentity).filter_by(customer_id=customer_id).order_by(orm.channel_identities.c.id)
        return list((await self.session.execute(stmt)).scalars())

    async def reassign(self, source_id: int, target_id: int) -> None:
        await self.session.flush()
        for table in (orm.channel_identities, orm.orders, orm.consent_entries, orm.coupon_redemptions):
            await self.session.execute(
                update(table).where(table.c.customer_id == source_id).values(customer_id=target_id)
            )
        await self.session.execute(
            update(orm.analytics_events)
            .where(orm.analytics_events.c.customer_id == source_id)
            .values(customer_id=target_id)
        )
        # Both customers changed: the target gained identities and orders, the source lost them.
        changed = update(orm.customers).where(orm.customers.c.id.in_((source_id, target_id)))
        await self.session.execute(changed.values(updated_at=session_now(self.session.sync_session)))
        # Objects already loaded in this session must see the new owner.
        for obj in list(self.session.identity_map.values()):
            if isinstance(obj, ChannelIdentity | Order | ConsentEntry | CouponRedemption):
                await self.session.refresh(obj)

    async def scrub_personal_data(self, customer_id: int, known: frozenset[str] = frozenset()) -> None:
        await self.session.flush()
        await self.session.execute(
            delete(orm.channel_identities).where(orm.channel_identities.c.customer_id == customer_id)
        )
        rows = await self.session.execute(select(Order).filter_by(customer_id=customer_id))
        order_ids, values = [], set(known)
        for order in rows.scalars():
            values |= {str(v).strip() for k, v in order.shipping_address.items() if k != "country" and v}
            order.shipping_address = {"country": order.shipping_address.get("country", "")}
            if order.id is not None:
                order_ids.append(order.id)
        if not order_ids:
            return
        # The timeline keeps each event's payload (OrderPlaced with its address, a reason typed by the shopper):
        # rewritten row by row, only where scrubbing changed something.
        E = order_events.c
        found = await self.session.execute(select(E.id, E.payload).where(E.order_id.in_(order_ids)))
        erase = frozenset(v for v in values if len(v) >= MIN_ERASABLE)
        for event_id, payload in found.all():
            clean = scrub_payload(payload, erase)
            if clean != payload:
                await self.session.execute(update(order_events).where(E.id == event_id).values(payload=clean))

    async def add_consent(self, entry: ConsentEntry) -> None:
        self.session.add(entry)

    async def consents_of(self, customer_id: int) -> list[ConsentEntry]:
        stmt = select(ConsentEntry).filter_by(customer_id=customer_id).order_by(orm.consent_entries.c.id)
        return list((await self.session.execute(stmt)).scalars())

    async def add_staff(self, member: StaffMember) -> StaffMember:
        return await self._add(member)

    async def staff_by_slack_user(self, slack_user_id: str) -> StaffMember | None:
        stmt = select(StaffMember).filter_by(slack_user_id=slack_user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def staff_member(self, staff_id: int) -> StaffMember | None:
        return await self.session.get(StaffMember, staff_id)


class SqlSalesRepository(_Repo):
    async def cart_of(self, customer_id: int) -> Cart | None:
        # The lines joined in (one statement, not the mapping's selectin second one): every cart command reads them.
        # The catalog's version rides along (a scalar subquery), so a command pricing the cart checks the catalog
        # in memory without a statement of its own (SqlCatalogRepository._catalog).
        stmt = (
            select(Cart, _VERSION.label("catalog_version"))
            .filter_by(customer_id=customer_id)
            .options(joinedload(getattr(Cart, "lines")))  # noqa: B009
        )
        row = (await self.session.execute(stmt)).unique().one_or_none()
        if row is None:
            return None
        cart, version = row
        self.session.info[CATALOG_VERSION] = int(version or 0)
        return cart  # type: ignore[no-any-return]

    async def add_cart(self, cart: Cart) -> Cart:
        return await self._add(cart)

    async def add_to_cart_line(
        self, cart_id: int, variant_id: int, quantity: int, max_quantity: int, max_lines: int
    ) -> int | None:
        # One statement, added in the database: two adds at once (two devices, two processes) both count,
        # and the stock guard is evaluated against the line as it is when the row is written.
        params = {
            "cart_id": cart_id,
            "variant_id": variant_id,
            "quantity": quantity,
            "max_quantity": max_quantity,
            "max_lines": max_lines,
        }
        return (await self.session.execute(_ADD_TO_CART_LINE, params)).scalar_one_or_none()

    async def coupon_by_code(self, code: str, lock: bool = False) -> Coupon | None:
        stmt = select(Coupon).filter_by(code=code.strip().upper())
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_coupon(self, coupon: Coupon) -> Coupon:
        return await self._add(coupon)

    async def add_coupons(self, coupons: list[Coupon]) -> None:
        # Core inserts in chunks: a campaign to tens of thousands of people must not build as many ORM objects.
        columns = [c.name for c in orm.coupons.columns if c.name != "id"]
        rows = [{name: getattr(coupon, name) for name in columns} for coupon in coupons]
        for start in range(0, len(rows), 500):
            await self.session.execute(insert(orm.coupons), rows[start : start + 500])

    async def redemptions_by(self, coupon_id: int, customer_id: int) -> int:
        t = orm.coupon_redemptions.c
        stmt = select(func.count()).where(t.coupon_id == coupon_id, t.customer_id == customer_id, t.voided.is_(False))
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_redemption(self, redemption: CouponRedemption, use_number: int | None = None) -> None:
        # use_number is mapped from the table (not part of the model): the unique index is the guard.
        setattr(redemption, "use_number", use_number)  # noqa: B010
        self.session.add(redemption)

    async def redemption_numbers(self, coupon_id: int, customer_id: int) -> list[int | None]:
        t = orm.coupon_redemptions.c
        stmt = select(t.use_number).where(t.coupon_id == coupon_id, t.customer_id == customer_id, t.voided.is_(False))
        return list((await self.session.execute(stmt.order_by(t.id))).scalars())

    async def use_coupon(self, coupon_id: int) -> bool:
        t = orm.coupons.c
        stmt = (
            update(orm.coupons)
            .where(t.id == coupon_id, or_(t.usage_limit.is_(None), t.times_used < t.usage_limit))
            .values(times_used=t.times_used + 1)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def redemptions_of_order(self, order_id: int) -> list[CouponRedemption]:
        stmt = select(CouponRedemption).filter_by(order_id=order_id)
        return list((await self.session.execute(stmt)).scalars())

    async def shipping_method(self, code: str) -> ShippingMethod | None:
        stmt = select(ShippingMethod).filter_by(code=code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_shipping_method(self, method: ShippingMethod) -> ShippingMethod:
        return await self._add(method)

    async def add_order(self, order: Order) -> Order:
        return await self._add(order)

    async def insert_order(self, order: Order) -> Order:
        # Core, two statements whatever the number of lines (the ORM inserts lines one by one on SQLite to
        # read back each id): the order with RETURNING, then its lines in one multi-row INSERT … RETURNING.
        # The ids are set on the objects; the session does not track them (nothing is flushed from them later,
        # and the identity map is left alone).
        values = {name: getattr(order, name) for name in _ORDER_COLUMNS}
        order.id = (await self.session.execute(_INSERT_ORDER, values)).scalar_one()
        for line in order.lines:
            line.order_id = order.id
        rows = [{name: getattr(line, name) for name in _LINE_COLUMNS} for line in order.lines]
        by_variant = {line.variant_id: line for line in order.lines}
        if len(by_variant) == len(order.lines):
            # Each line has its own variant (a cart's do): the ids are matched by it, so the rows need not come
            # back in their order (SQLite cannot promise that, and SQLAlchemy would send one INSERT per row).
            for line_id, variant_id in (await self.session.execute(_INSERT_LINES, rows)).tuples():
                by_variant[variant_id].id = line_id
        else:
            stmt = insert(orm.order_lines).returning(orm.order_lines.c.id, sort_by_parameter_order=True)
            for line, line_id in zip(order.lines, (await self.session.execute(stmt, rows)).scalars(), strict=True):
                line.id = line_id
        return order

    async def order(self, order_id: int, lock: bool = False) -> Order | None:
        stmt = select(Order).filter_by(id=order_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def order_by_idempotency_key(self, key: str) -> Order | None:
        stmt = select(Order).filter_by(idempotency_key=key)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def order_by_external_id(self, channel: str, external_id: str) -> Order | None:
        stmt = select(Order).filter_by(channel=channel, external_id=external_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def paid_orders_of(self, customer_id: int) -> int:
        t = orm.orders.c
        stmt = select(func.count()).where(t.customer_id == customer_id, t.paid_at.is_not(None))
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_shipment(self, shipment: Shipment) -> None:
        self.session.add(shipment)

    async def add_payment(self, payment: Payment) -> Payment:
        return await self._add(payment)

    async def payment(self, payment_id: int) -> Payment | None:
        return await self.session.get(Payment, payment_id)

    async def payment_by_session(self, provider: str, session_id: str, lock: bool = False) -> Payment | None:
        stmt = select(Payment).filter_by(provider=provider, session_id=session_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def payments_of(self, order_id: int) -> list[Payment]:
        stmt = select(Payment).filter_by(order_id=order_id).order_by(orm.payments.c.id)
        return list((await self.session.execute(stmt)).scalars())

    async def add_refund(self, refund: Refund) -> Refund:
        return await self._add(refund)

    async def refund(self, refund_id: int, lock: bool = False) -> Refund | None:
        stmt = select(Refund).filter_by(id=refund_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def refund_by_key(self, key: str) -> Refund | None:
        return (await self.session.execute(select(Refund).filter_by(request_key=key))).scalar_one_or_none()

    async def refunds_of(self, order_id: int) -> list[Refund]:
        stmt = select(Refund).filter_by(order_id=order_id).order_by(orm.refunds.c.id)
        return list((await self.session.execute(stmt)).scalars())

    async def pending_refund_total(self, order_id: int) -> int:
        t = orm.refunds.c
        open_states = (RefundStatus.PENDING.value, RefundStatus.NEEDS_ACTION.value)
        stmt = select(func.coalesce(func.sum(t.amount), 0)).where(t.order_id == order_id, t.status.in_(open_states))
        return int((await self.session.execute(stmt)).scalar_one())

    async def stale_pending_refunds(self, older_than: datetime) -> list[int]:
        t = orm.refunds.c
        stmt = select(t.id).where(t.status == RefundStatus.PENDING.value, t.created_at <= older_than).order_by(t.id)
        return list((await self.session.execute(stmt)).scalars())

    async def add_analytics(self, event: AnalyticsEvent) -> None:
        self.session.add(event)

    async def add_analytics_rows(self, events: Sequence[AnalyticsEvent]) -> None:
        if not events:
            return
        columns = ("name", "occurred_at", "customer_id", "channel", "product_id", "order_id", "value", "properties")
        rows = [{k: getattr(e, k) for k in columns} for e in events]
        await self.session.execute(insert(orm.analytics_events), rows)  # one executemany, no RETURNING

    async def payment_by_provider_payment_id(
        self, provider: str, provider_payment_id: str, lock: bool = False
    ) -> Payment | None:
        stmt = (
            select(Payment)
            .filter_by(provider=provider, provider_payment_id=provider_payment_id)
            .order_by(orm.payments.c.id.desc())
            .limit(1)
        )
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalars().first()

    async def refund_by_provider_id(self, provider_refund_id: str) -> Refund | None:
        stmt = select(Refund).filter_by(provider_refund_id=provider_refund_id).limit(1)
        return (await self.session.execute(stmt)).scalars().first()


class SqlSupportRepository(_Repo):
    async def add_ticket(self, ticket: SupportTicket) -> SupportTicket:
        return await self._add(ticket)

    async def ticket(self, ticket_id: int, lock: bool = False) -> SupportTicket | None:
        stmt = select(SupportTicket).filter_by(id=ticket_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def open_ticket_for_chat(self, channel: str, chat_id: str) -> SupportTicket | None:
        stmt = select(SupportTicket).filter_by(channel=channel, chat_id=chat_id, status=TicketStatus.OPEN)
        return (
            await self.session.execute(stmt.order_by(orm.support_tickets.c.id.desc()).limit(1))
        ).scalar_one_or_none()

    async def add_message(self, message: SupportMessage) -> None:
        self.session.add(message)


__all__ = [
    "ReservationStatus",
    "SqlCatalogRepository",
    "SqlCustomerRepository",
    "SqlInventoryRepository",
    "SqlSalesRepository",
    "SqlSupportRepository",
]
