"""Cart views: the cart with its coupon preview, and the coupons on offer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, func, select

from domain.adapters import orm
from domain.adapters.catalog_projection import VERSION
from domain.adapters.sql_views.base import S, SqlViewsBase, W
from domain.errors import CouponNotApplicable
from domain.model.catalog import catalog_locale, localized
from domain.model.coupons import PERSONAL_SUFFIX, EligibleLine
from domain.views.models import (
    CartLineView,
    CartView,
    CouponView,
)

K, CL = orm.carts.c, orm.cart_lines.c
_CART_STOCK = (
    select(S.variant_id, func.sum(S.on_hand - S.reserved - S.allocated).label("available"))
    .join(orm.warehouses, W.id == S.warehouse_id)
    .where(
        W.active.is_(True),
        S.variant_id.in_(
            select(CL.variant_id).join(orm.carts, K.id == CL.cart_id).where(K.customer_id == bindparam("customer_id"))
        ),
    )
    .group_by(S.variant_id)
    .subquery()
)
# Built once (its cache key is kept): the customer's cart with one row per line and the line's stock.
_CART = (
    select(
        K.id,
        K.customer_id,
        K.currency,
        K.coupon_code,
        CL.variant_id,
        CL.quantity,
        func.coalesce(_CART_STOCK.c.available, 0).label("available"),
        VERSION.scalar_subquery().label("catalog_version"),
    )
    .outerjoin(orm.cart_lines, CL.cart_id == K.id)
    .outerjoin(_CART_STOCK, _CART_STOCK.c.variant_id == CL.variant_id)
    .where(K.customer_id == bindparam("customer_id"))
    .order_by(CL.id)
)


@dataclass(frozen=True)
class _PricedLine:
    """A cart line with its variant and product rows from the catalog in memory."""

    variant_id: int
    quantity: int
    variant: Any
    product: Any
    available: int

    @property
    def price(self) -> int:
        return int(self.variant.price)

    @property
    def product_id(self) -> int:
        return int(self.product.id)

    @property
    def category_id(self) -> int | None:
        return self.product.category_id  # type: ignore[no-any-return]


class SqlCartViews(SqlViewsBase):
    """A customer's cart (one statement) and the coupons."""

    async def cart(self, customer_id: int, locale: str | None = None) -> CartView:
        """The cart, its lines and their stock in one statement; names and prices from the catalog in memory."""
        where = catalog_locale(locale)
        rows = await self._rows(_CART, {"customer_id": customer_id})
        if not rows:
            return CartView(customer_id, self.currency, (), 0, None, 0, None, False)
        cart = rows[0]
        # The cart's statement carries the catalog's version: the copy held is checked without a statement.
        catalog = self.projection.held
        if catalog is None or catalog.version != int(cart.catalog_version or 0):
            catalog = await self._catalog()
            if catalog.version != int(cart.catalog_version or 0):  # the scope checked an older one
                catalog = await self.projection.current(self._rows)
        priced: list[_PricedLine] = []
        for r in rows:
            v = catalog.variant.get(r.variant_id) if r.variant_id is not None else None
            p = catalog.product.get(v.product_id) if v is not None else None
            if v is None or p is None:
                continue
            priced.append(_PricedLine(r.variant_id, r.quantity, v, p, int(r.available or 0)))
        lines = tuple(
            CartLineView(
                line.variant_id,
                line.variant.sku,
                localized(line.product.translations, where, "name", line.product.name),
                dict(line.variant.options or {}),
                line.price,
                line.quantity,
                line.price * line.quantity,
                max(0, line.available),
                bool(line.variant.active) and line.product.status == "active",
            )
            for line in priced
        )
        subtotal = sum(line.line_total for line in lines)
        discount, problem, free_shipping = 0, None, False
        if cart.coupon_code:
            discount, problem, free_shipping = await self._coupon_preview(cart, priced)
        return CartView(customer_id, cart.currency, lines, subtotal, cart.coupon_code, discount, problem, free_shipping)

    async def _coupon_preview(self, cart: Any, rows: list[_PricedLine]) -> tuple[int, str | None, bool]:
        from domain.model import Coupon
        from domain.model.coupons import CouponKind

        crow = await self._rows(select(orm.coupons).where(orm.coupons.c.code == cart.coupon_code))
        if not crow:
            return 0, "there is no such code.", False
        r = crow[0]
        coupon = Coupon(
            r.code,
            CouponKind(r.kind),
            r.value,
            r.currency,
            r.min_subtotal,
            r.starts_at,
            r.ends_at,
            r.usage_limit,
            r.per_customer_limit,
            list(r.product_ids or []),
            list(r.category_ids or []),
            r.active,
        )
        coupon.times_used = r.times_used
        t = orm.coupon_redemptions.c
        uses = await self._rows(
            select(func.count()).where(t.coupon_id == r.id, t.customer_id == cart.customer_id, t.voided.is_(False))
        )
        lineage: dict[int | None, frozenset[int]] = {}
        cats = {c.id: c.parent_id for c in await self._category_rows()}
        lines = []
        for row in rows:
            if row.category_id not in lineage:
                chain, current = set(), row.category_id
                while current is not None and current not in chain:
                    chain.add(current)
                    current = cats.get(current)
                lineage[row.category_id] = frozenset(chain)
            lines.append(EligibleLine(row.product_id, lineage[row.category_id], row.price * row.quantity))
        try:
            outcome = coupon.evaluate(lines, cart.currency, int(uses[0][0]), self.clock.now())
        except CouponNotApplicable as exc:
            return 0, exc.reason, False
        return outcome.discount.amount, None, outcome.free_shipping

    async def coupons(self) -> list[CouponView]:
        cp = orm.coupons.c
        # A personal code is its template's code, "-" and PERSONAL_SUFFIX characters: count them per template.
        template = func.substr(cp.code, 1, func.length(cp.code) - (PERSONAL_SUFFIX + 1))
        personal = (
            select(
                template.label("template"),
                func.count().label("issued"),
                func.sum(case((cp.times_used > 0, 1), else_=0)).label("used"),
            )
            .where(cp.customer_id.is_not(None))
            .group_by(template)
            .subquery()
        )
        stmt = (
            select(
                cp.code,
                cp.kind,
                cp.value,
                cp.currency,
                cp.min_subtotal,
                cp.starts_at,
                cp.ends_at,
                cp.usage_limit,
                cp.per_customer_limit,
                cp.times_used,
                cp.active,
                cp.description,
                func.coalesce(personal.c.issued, 0),
                func.coalesce(personal.c.used, 0),
            )
            .outerjoin(personal, personal.c.template == cp.code)
            .where(cp.customer_id.is_(None))
            .order_by(cp.code)
        )
        return [
            CouponView(
                str(r[0]),
                str(r[1]),  # CouponKind is a StrEnum
                int(r[2]),
                str(r[3]),
                int(r[4]),
                r[5],
                r[6],
                r[7],
                r[8],
                int(r[9]),
                bool(r[10]),
                str(r[11]),
                int(r[12]),
                int(r[13]),
            )
            for r in await self._rows(stmt)
        ]
