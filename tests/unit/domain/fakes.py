"""In-memory fakes of our own ports: repositories, unit of work and payment provider.

Handlers run against these in unit tests exactly as against SQL; a rollback restores the state from a
snapshot taken when the unit of work began, so a handler that raises changes nothing here either.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import Conflict
from domain.events import Event
from domain.model import (
    AnalyticsEvent,
    Cart,
    CartLine,
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
from domain.model.customers import Channel
from domain.model.orders import OrderStatus
from domain.model.payments import RefundStatus
from domain.model.staff import StaffMember
from domain.model.support import SupportMessage, SupportTicket, TicketStatus
from domain.ports import PaymentSession, PaymentSessionRequest, RefundRequest, RefundResult
from domain.service_layer.unit_of_work import UnitOfWork


@dataclass
class Store:
    rows: dict[str, dict[int, Any]] = field(default_factory=dict)
    outbox: list[Event] = field(default_factory=list)
    processed: set[tuple[str, str]] = field(default_factory=set)
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def table(self, name: str) -> dict[int, Any]:
        return self.rows.setdefault(name, {})

    def add(self, name: str, obj: Any) -> Any:
        if obj.id is None:
            obj.id = next(self.ids)
        self.table(name)[obj.id] = obj
        return obj

    def all(self, name: str) -> list[Any]:
        return sorted(self.table(name).values(), key=lambda o: o.id)


def sellable_levels(store: Store, variant_ids: Sequence[int]) -> list[StockLevel]:
    """The stock rows a checkout can sell from: those of active warehouses (as the SQL repositories)."""
    active = {w.id for w in store.all("warehouses") if w.active}
    return [lv for lv in store.all("levels") if lv.variant_id in set(variant_ids) and lv.warehouse_id in active]


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def s(self) -> Store:
        return self.uow.store


class FakeCatalog(_Repo):
    async def add_category(self, category: Category) -> Category:
        return self.s.add("categories", category)

    async def category_by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.s.all("categories") if c.slug == slug), None)

    async def category_lineage(self, category_id: int) -> list[Category]:
        chain, current = [], self.s.table("categories").get(category_id)
        while current is not None:
            chain.append(current)
            current = self.s.table("categories").get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))

    async def add_product(self, product: Product) -> Product:
        self.s.add("products", product)
        for v in product.variants:
            v.product_id = product.id
            self.s.add("variants", v)
        return product

    async def product(self, product_id: int) -> Product | None:
        return self.s.table("products").get(product_id)

    async def product_by_slug(self, slug: str) -> Product | None:
        return next((p for p in self.s.all("products") if p.slug == slug), None)

    async def variant_by_sku(self, sku: str) -> Variant | None:
        return next((v for v in self.s.all("variants") if v.sku == sku.strip().upper()), None)

    async def variant_with_product_by_sku(self, sku: str) -> tuple[Variant, Product] | None:
        variant = await self.variant_by_sku(sku)
        product = None if variant is None else self.s.table("products").get(variant.product_id)
        return None if variant is None or product is None else (variant, product)

    async def variants(self, variant_ids: list[int]) -> dict[int, Variant]:
        return {i: self.s.table("variants")[i] for i in variant_ids if i in self.s.table("variants")}

    async def products(self, product_ids: list[int]) -> dict[int, Product]:
        return {i: self.s.table("products")[i] for i in product_ids if i in self.s.table("products")}

    async def variants_with_products(self, variant_ids: list[int]) -> dict[int, tuple[Variant, Product]]:
        found = {}
        for variant in (await self.variants(variant_ids)).values():
            product = self.s.table("products").get(variant.product_id)
            if variant.id is not None and product is not None:
                found[variant.id] = (variant, product)
        return found

    async def category_lineages(self, category_ids: list[int]) -> dict[int, frozenset[int]]:
        return {
            i: frozenset(cat.id for cat in await self.category_lineage(i))
            for i in category_ids
            if i in self.s.table("categories")
        }

    async def products_in_categories(self, category_ids: list[int]) -> list[Product]:
        wanted = set(category_ids)
        return [
            p
            for p in self.s.all("products")
            if p.category_id is not None
            and wanted & set((await self.category_lineages([p.category_id]))[p.category_id])
        ]

    async def shipping_method(self, code: str) -> ShippingMethod | None:
        return next((m for m in self.s.all("shipping") if m.code == code), None)

    async def warehouses(self) -> list[Warehouse]:
        return self.s.all("warehouses")


class FakeInventory(_Repo):
    async def add_warehouse(self, warehouse: Warehouse) -> Warehouse:
        return self.s.add("warehouses", warehouse)

    async def warehouse_by_code(self, code: str) -> Warehouse | None:
        return next((w for w in self.s.all("warehouses") if w.code == code.strip().upper()), None)

    async def warehouses(self) -> list[Warehouse]:
        return self.s.all("warehouses")

    async def lock_levels(self, variant_ids: list[int]) -> list[StockLevel]:
        return [lv for lv in self.s.all("levels") if lv.variant_id in set(variant_ids)]

    levels = lock_levels

    async def stock_rows(self, variant_ids: list[int], lock: bool) -> list[StockLevel]:
        return [copy.copy(lv) for lv in sorted(sellable_levels(self.s, variant_ids), key=lambda lv: lv.id or 0)]

    async def sellable(self, variant_id: int) -> int:
        return sum(max(0, lv.available) for lv in sellable_levels(self.s, [variant_id]))

    async def take_reserved(self, quantities: dict[int, int]) -> dict[int, int]:
        left = {}
        for level in self.s.all("levels"):
            wanted = quantities.get(level.id or 0)
            if wanted is not None and level.available >= wanted:
                level.reserved += wanted
                left[level.id or 0] = level.available
        return left

    async def lock_level(self, variant_id: int, warehouse_id: int) -> StockLevel:
        key = (variant_id, warehouse_id)
        found = next((lv for lv in self.s.all("levels") if (lv.variant_id, lv.warehouse_id) == key), None)
        return found or self.s.add("levels", StockLevel(variant_id, warehouse_id))

    async def add_movement(self, movement: StockMovement) -> None:
        self.s.add("movements", movement)

    async def add_reservation(self, reservation: Reservation) -> None:
        self.s.add("reservations", reservation)

    async def add_movements_and_reservations(
        self, movements: list[StockMovement], reservations: list[Reservation]
    ) -> None:
        for movement in movements:
            self.s.add("movements", movement)
        for reservation in reservations:
            self.s.add("reservations", reservation)

    async def reservations_of(self, order_id: int) -> list[Reservation]:
        return [r for r in self.s.all("reservations") if r.order_id == order_id]

    async def orders_with_expired_reservations(self, now: datetime, limit: int) -> list[int]:
        return [
            o.id
            for o in self.s.all("orders")
            if o.status == OrderStatus.PENDING_PAYMENT and o.reservation_expires_at and o.reservation_expires_at <= now
        ][:limit]


class FakeCustomers(_Repo):
    async def add(self, customer: Customer) -> Customer:
        return self.s.add("customers", customer)

    async def get(self, customer_id: int) -> Customer | None:
        return self.s.table("customers").get(customer_id)

    async def identity(self, channel: Channel, external_id: str) -> ChannelIdentity | None:
        return next((i for i in self.s.all("identities") if (i.channel, i.external_id) == (channel, external_id)), None)

    async def by_identity(self, channel: Channel, external_id: str) -> Customer | None:
        identity = await self.identity(channel, external_id)
        return None if identity is None else await self.get(identity.customer_id)

    async def add_identity(self, identity: ChannelIdentity) -> None:
        if await self.identity(identity.channel, identity.external_id):
            raise Conflict("identity taken")
        self.s.add("identities", identity)

    async def identities_of(self, customer_id: int) -> list[ChannelIdentity]:
        return [i for i in self.s.all("identities") if i.customer_id == customer_id]

    async def reassign(self, source_id: int, target_id: int) -> None:
        for name in ("identities", "orders", "consents", "redemptions"):
            for obj in self.s.all(name):
                if obj.customer_id == source_id:
                    obj.customer_id = target_id

    async def scrub_personal_data(self, customer_id: int, known: frozenset[str] = frozenset()) -> None:
        for identity in await self.identities_of(customer_id):
            del self.s.table("identities")[identity.id]
        for order in self.s.all("orders"):
            if order.customer_id == customer_id:
                order.shipping_address = {"country": order.shipping_address.get("country", "")}

    async def add_consent(self, entry: ConsentEntry) -> None:
        self.s.add("consents", entry)

    async def consents_of(self, customer_id: int) -> list[ConsentEntry]:
        return [c for c in self.s.all("consents") if c.customer_id == customer_id]

    async def add_staff(self, member: StaffMember) -> StaffMember:
        return self.s.add("staff", member)

    async def staff_by_slack_user(self, slack_user_id: str) -> StaffMember | None:
        return next((m for m in self.s.all("staff") if m.slack_user_id == slack_user_id), None)

    async def staff_member(self, staff_id: int) -> StaffMember | None:
        return next((m for m in self.s.all("staff") if m.id == staff_id), None)


class FakeSales(_Repo):
    async def cart_of(self, customer_id: int) -> Cart | None:
        return next((c for c in self.s.all("carts") if c.customer_id == customer_id), None)

    async def add_cart(self, cart: Cart) -> Cart:
        return self.s.add("carts", cart)

    async def add_to_cart_line(
        self, cart_id: int, variant_id: int, quantity: int, max_quantity: int, max_lines: int
    ) -> int | None:
        cart = self.s.table("carts")[cart_id]
        stock = sum(max(0, lv.available) for lv in sellable_levels(self.s, [variant_id]))
        line = cart.line_for(variant_id)
        total = (line.quantity if line else 0) + quantity
        if total > min(max_quantity, stock) or (line is None and len(cart.lines) >= max_lines):
            return None
        if line is None:
            cart.lines.append(CartLine(variant_id, total))
        else:
            line.quantity = total
        return int(total)

    async def coupon_by_code(self, code: str, lock: bool = False) -> Coupon | None:
        return next((c for c in self.s.all("coupons") if c.code == code.strip().upper()), None)

    async def add_coupon(self, coupon: Coupon) -> Coupon:
        return self.s.add("coupons", coupon)

    async def add_coupons(self, coupons: list[Coupon]) -> None:
        for coupon in coupons:
            self.s.add("coupons", coupon)

    async def redemptions_by(self, coupon_id: int, customer_id: int) -> int:
        return sum(
            1
            for r in self.s.all("redemptions")
            if (r.coupon_id, r.customer_id) == (coupon_id, customer_id) and not r.voided
        )

    async def add_redemption(self, redemption: CouponRedemption, use_number: int | None = None) -> None:
        # As the partial unique index does: one live redemption per (coupon, customer, use number).
        key = (redemption.coupon_id, redemption.customer_id, use_number)
        for r in self.s.all("redemptions"):
            if (
                use_number is not None
                and not r.voided
                and (r.coupon_id, r.customer_id, getattr(r, "use_number", None)) == key
            ):
                raise Conflict("That changed at the same time elsewhere; please try again.")
        redemption.use_number = use_number  # type: ignore[attr-defined]
        self.s.add("redemptions", redemption)

    async def redemption_numbers(self, coupon_id: int, customer_id: int) -> list[int | None]:
        return [
            getattr(r, "use_number", None)
            for r in self.s.all("redemptions")
            if (r.coupon_id, r.customer_id) == (coupon_id, customer_id) and not r.voided
        ]

    async def use_coupon(self, coupon_id: int) -> bool:
        coupon = self.s.table("coupons").get(coupon_id)
        if coupon is None or (coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit):
            return False
        coupon.times_used += 1
        return True

    async def redemptions_of_order(self, order_id: int) -> list[CouponRedemption]:
        return [r for r in self.s.all("redemptions") if r.order_id == order_id]

    async def shipping_method(self, code: str) -> ShippingMethod | None:
        return next((m for m in self.s.all("shipping") if m.code == code), None)

    async def add_shipping_method(self, method: ShippingMethod) -> ShippingMethod:
        return self.s.add("shipping", method)

    async def add_order(self, order: Order) -> Order:
        return self.s.add("orders", order)

    insert_order = add_order

    async def order(self, order_id: int, lock: bool = False) -> Order | None:
        return self.s.table("orders").get(order_id)

    async def order_by_idempotency_key(self, key: str) -> Order | None:
        return next((o for o in self.s.all("orders") if o.idempotency_key == key), None)

    async def order_by_external_id(self, channel: str, external_id: str) -> Order | None:
        return next((o for o in self.s.all("orders") if (o.channel, o.external_id) == (channel, external_id)), None)

    async def paid_orders_of(self, customer_id: int) -> int:
        return sum(1 for o in self.s.all("orders") if o.customer_id == customer_id and o.paid_at is not None)

    async def add_shipment(self, shipment: Shipment) -> None:
        self.s.add("shipments", shipment)

    async def add_payment(self, payment: Payment) -> Payment:
        return self.s.add("payments", payment)

    async def payment(self, payment_id: int) -> Payment | None:
        return self.s.table("payments").get(payment_id)

    async def payment_by_session(self, provider: str, session_id: str, lock: bool = False) -> Payment | None:
        return next((p for p in self.s.all("payments") if (p.provider, p.session_id) == (provider, session_id)), None)

    async def payments_of(self, order_id: int) -> list[Payment]:
        return [p for p in self.s.all("payments") if p.order_id == order_id]

    async def add_refund(self, refund: Refund) -> Refund:
        return self.s.add("refunds", refund)

    async def refund(self, refund_id: int, lock: bool = False) -> Refund | None:
        return self.s.table("refunds").get(refund_id)

    async def refund_by_key(self, key: str) -> Refund | None:
        return next((r for r in self.s.all("refunds") if r.request_key == key), None)

    async def refunds_of(self, order_id: int) -> list[Refund]:
        return [r for r in self.s.all("refunds") if r.order_id == order_id]

    async def pending_refund_total(self, order_id: int) -> int:
        return sum(
            r.amount
            for r in self.s.all("refunds")
            if r.order_id == order_id and r.status in (RefundStatus.PENDING, RefundStatus.NEEDS_ACTION)
        )

    async def stale_pending_refunds(self, older_than: datetime) -> list[int]:
        return [r.id for r in self.s.all("refunds") if r.status == RefundStatus.PENDING and r.created_at <= older_than]

    async def add_analytics(self, event: AnalyticsEvent) -> None:
        self.s.add("analytics", event)

    async def add_analytics_rows(self, events: Sequence[AnalyticsEvent]) -> None:
        for event in events:
            self.s.add("analytics", event)


class FakeSupport(_Repo):
    async def add_ticket(self, ticket: SupportTicket) -> SupportTicket:
        return self.s.add("tickets", ticket)

    async def ticket(self, ticket_id: int, lock: bool = False) -> SupportTicket | None:
        return self.s.table("tickets").get(ticket_id)

    async def open_ticket_for_chat(self, channel: str, chat_id: str) -> SupportTicket | None:
        return next(
            (
                t
                for t in self.s.all("tickets")
                if (t.channel, t.chat_id, t.status) == (channel, chat_id, TicketStatus.OPEN)
            ),
            None,
        )

    async def add_message(self, message: SupportMessage) -> None:
        self.s.add("messages", message)


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, holder: list[Store]) -> None:
        self._holder = holder  # shared by every unit of work of one fake shop
        self._snapshot: Store | None = None
        self._pending: list[Event] = []
        self.catalog = FakeCatalog(self)
        self.inventory = FakeInventory(self)
        self.customers = FakeCustomers(self)
        self.sales = FakeSales(self)
        self.support = FakeSupport(self)

    @property
    def store(self) -> Store:
        return self._holder[0]

    async def __aenter__(self) -> FakeUnitOfWork:
        self._snapshot = copy.deepcopy(self.store)
        self._pending = []
        return self

    async def write_events(self) -> None:
        self.store.outbox.extend(self._pending)  # undone by a rollback, as the store is
        self._pending = []

    async def commit(self) -> None:
        await self.write_events()
        self._snapshot = None

    async def rollback(self) -> None:
        if self._snapshot is not None:
            self._holder[0] = self._snapshot
            self._snapshot = None
        self._pending = []

    async def flush(self) -> None:
        for product in self.store.all("products"):  # new variants of existing products get ids, as SQL would
            for variant in product.variants:
                if variant.id is None:
                    variant.product_id = product.id
                    self.store.add("variants", variant)

    def publish(self, *events: Event) -> None:
        self._pending.extend(events)

    def publish_later(self, at: datetime, *events: Event) -> None:
        self._pending.extend(events)  # the fake outbox keeps no delivery times: it holds them like the others

    async def claim_once(self, consumer: str, message_id: str) -> bool:
        if (consumer, message_id) in self.store.processed:
            return False
        self.store.processed.add((consumer, message_id))
        return True


@dataclass
class FakePaymentProvider:
    name: str = "fake"
    sessions: dict[str, PaymentSessionRequest] = field(default_factory=dict)
    refunds: dict[str, RefundRequest] = field(default_factory=dict)
    refuse_refunds: bool = False
    closed: set[str] = field(default_factory=set)

    async def create_session(self, request: PaymentSessionRequest) -> PaymentSession:
        session_id = f"fs_{request.idempotency_key}"
        self.sessions.setdefault(session_id, request)
        return PaymentSession(session_id, f"https://pay.example/{session_id}", request.expires_at)

    async def refund(self, request: RefundRequest) -> RefundResult:
        if self.refuse_refunds:
            return RefundResult("", False, "the card issuer refused the refund")
        self.refunds.setdefault(request.idempotency_key, request)
        return RefundResult(f"fr_{request.idempotency_key}", True)

    async def close_session(self, session_id: str) -> None:
        self.closed.add(session_id)
