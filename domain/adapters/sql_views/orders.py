"""Order views: an order, its money (payments and refunds), a customer's orders, packing lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.adapters import orm
from domain.adapters.sql_views.base import OL, Ord, P, SqlViewsBase, V, W
from domain.model.catalog import catalog_locale, localized, variant_label
from domain.model.inventory import ReservationStatus
from domain.model.orders import tracking_url
from domain.model.payments import PaymentStatus
from domain.views.models import (
    OrderLineView,
    OrderMoney,
    OrderSummary,
    OrderView,
    PackingLine,
    PackingList,
    PaymentView,
    RefundView,
)

Pay, Ref = orm.payments.c, orm.refunds.c


def _money_columns() -> Any:
    """A payment's columns and its refund's (prefixed ``r_``), for one statement over both tables."""
    return select(
        Pay.id,
        Pay.order_id,
        Pay.provider,
        Pay.amount,
        Pay.currency,
        Pay.status,
        Pay.session_id,
        Pay.provider_payment_id,
        Pay.failure_reason,
        Pay.created_at,
        Pay.completed_at,
        Ref.id.label("r_id"),
        Ref.amount.label("r_amount"),
        Ref.currency.label("r_currency"),
        Ref.status.label("r_status"),
        Ref.reason.label("r_reason"),
        Ref.actor.label("r_actor"),
        Ref.failure_reason.label("r_failure_reason"),
        Ref.provider_refund_id.label("r_provider_refund_id"),
        Ref.created_at.label("r_created_at"),
        Ref.completed_at.label("r_completed_at"),
    )


def _refund_view(r: Any) -> RefundView:
    return RefundView(
        id=r.r_id,
        order_id=r.order_id,
        payment_id=r.id,
        provider=r.provider,
        charge_id=r.provider_payment_id,
        amount=r.r_amount,
        currency=r.r_currency,
        status=str(r.r_status),
        reason=r.r_reason,
        actor=r.r_actor,
        failure_reason=r.r_failure_reason,
        provider_refund_id=r.r_provider_refund_id,
        created_at=r.r_created_at,
        completed_at=r.r_completed_at,
    )


def _line_name(r: Any, locale: str | None) -> str:
    """An order line's name as the shopper reads it: the name kept at checkout ("Trail Runner (red / 42)"),
    or the product's translated name with the variant's label when the shopper's language has one."""
    translated = localized(r.translations, locale, "name", "")
    if not translated:
        return str(r.name)
    label = variant_label(dict(r.options or {}), r.sku)
    return f"{translated} ({label})" if label != r.sku else translated


class SqlOrderViews(SqlViewsBase):
    """Orders as shoppers and staff read them."""

    async def order(self, order_id: int, locale: str | None = None) -> OrderView | None:
        rows = await self._rows(select(orm.orders).where(Ord.id == order_id))
        if not rows:
            return None
        o = rows[0]
        where = catalog_locale(locale)
        lines = await self._rows(
            select(
                OL.sku,
                OL.name,
                OL.unit_price,
                OL.quantity,
                OL.discount,
                P.name.label("product_name"),
                P.translations,
                V.options,
            )
            .outerjoin(orm.products, P.id == OL.product_id)
            .outerjoin(orm.variants, V.id == OL.variant_id)
            .where(OL.order_id == order_id)
            .order_by(OL.id)
        )
        pay = await self._rows(
            select(orm.payments.c.url)
            .where(orm.payments.c.order_id == order_id, orm.payments.c.status == PaymentStatus.PENDING.value)
            .order_by(orm.payments.c.id.desc())
            .limit(1)
        )
        financial = (
            "unpaid"
            if not o.captured
            else "paid"
            if not o.refunded
            else ("refunded" if o.refunded >= o.captured else "partially_refunded")
        )
        return OrderView(
            id=o.id,
            customer_id=o.customer_id,
            channel=o.channel,
            status=o.status,
            financial_status=financial,
            currency=o.currency,
            subtotal=o.subtotal,
            discount=o.discount,
            shipping=o.shipping,
            tax=o.tax,
            total=o.total,
            captured=o.captured,
            refunded=o.refunded,
            lines=tuple(
                OrderLineView(
                    r.sku,
                    _line_name(r, where),
                    r.unit_price,
                    r.quantity,
                    r.discount,
                    localized(r.translations, where, "name", r.product_name or "") if where else "",
                    dict(r.options or {}),
                )
                for r in lines
            ),
            placed_at=o.placed_at,
            paid_at=o.paid_at,
            shipping_method=o.shipping_method,
            shipping_address=dict(o.shipping_address or {}),
            coupon_code=o.coupon_code,
            carrier=o.carrier,
            tracking_number=o.tracking_number,
            tracking_url=tracking_url(o.carrier, o.tracking_number) if o.carrier and o.tracking_number else None,
            reservation_expires_at=o.reservation_expires_at,
            payment_url=pay[0][0] if pay else None,
            cancel_reason=o.cancel_reason,
            return_reason=o.return_reason,
            approval_reasons=tuple(o.approval_reasons or ()),
        )

    async def order_money(self, order_id: int) -> OrderMoney:
        # One statement: each payment with its refunds (a refund always gives back one payment of its order).
        rows = await self._rows(
            _money_columns()
            .select_from(orm.payments)
            .outerjoin(orm.refunds, Ref.payment_id == Pay.id)
            .where(Pay.order_id == order_id)
            .order_by(Pay.id, Ref.id)
        )
        payments: dict[int, PaymentView] = {}
        refunds: list[RefundView] = []
        for r in rows:
            if r.id not in payments:
                payments[r.id] = PaymentView(
                    id=r.id,
                    provider=r.provider,
                    amount=r.amount,
                    currency=r.currency,
                    status=str(r.status),
                    session_id=r.session_id,
                    provider_payment_id=r.provider_payment_id,
                    failure_reason=r.failure_reason,
                    created_at=r.created_at,
                    completed_at=r.completed_at,
                )
            if r.r_id is not None:
                refunds.append(_refund_view(r))
        # Ids follow the order things were recorded in (timestamps can tie, e.g. in a bulk seed).
        return OrderMoney(order_id, tuple(payments.values()), tuple(sorted(refunds, key=lambda f: f.id)))

    async def refund(self, refund_id: int) -> RefundView | None:
        rows = await self._rows(
            _money_columns()
            .select_from(orm.refunds)
            .join(orm.payments, Pay.id == Ref.payment_id)
            .where(Ref.id == refund_id)
        )
        return _refund_view(rows[0]) if rows else None

    async def orders_of(self, customer_id: int, limit: int = 10) -> list[OrderSummary]:
        mine = select(Ord.id).where(Ord.customer_id == customer_id)  # only their orders' lines are summed
        items = (
            select(OL.order_id, func.sum(OL.quantity).label("n"))
            .where(OL.order_id.in_(mine))
            .group_by(OL.order_id)
            .subquery()
        )
        rows = await self._rows(
            select(Ord.id, Ord.status, Ord.total, Ord.currency, Ord.placed_at, func.coalesce(items.c.n, 0))
            .outerjoin(items, items.c.order_id == Ord.id)
            .where(Ord.customer_id == customer_id)
            .order_by(Ord.placed_at.desc(), Ord.id.desc())
            .limit(limit)
        )
        return [OrderSummary(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]

    async def packing_lists(self, order_id: int) -> list[PackingList]:
        R = orm.reservations.c
        rows = await self._rows(
            select(W.code, W.name, V.sku, P.name.label("product"), V.options, func.sum(R.quantity).label("qty"))
            .select_from(orm.reservations)
            .join(orm.warehouses, W.id == R.warehouse_id)
            .join(orm.variants, V.id == R.variant_id)
            .join(orm.products, P.id == V.product_id)
            .where(
                R.order_id == order_id,
                R.status.in_([ReservationStatus.ALLOCATED.value, ReservationStatus.SHIPPED.value]),
            )
            .group_by(W.code, W.name, V.sku, P.name, V.options)
            .order_by(W.code, V.sku)
        )
        order_rows = await self._rows(select(Ord.shipping_address).where(Ord.id == order_id))
        ship_to = dict(order_rows[0][0] or {}) if order_rows else {}
        lists: dict[str, PackingList] = {}
        for r in rows:
            label = " / ".join(str(v) for _, v in sorted((r.options or {}).items()))
            line = PackingLine(r.sku, f"{r.product} ({label})" if label else r.product, int(r.qty))
            current = lists.get(r.code)
            lines = (*current.lines, line) if current else (line,)
            lists[r.code] = PackingList(order_id, r.code, r.name, lines, ship_to)
        return list(lists.values())
