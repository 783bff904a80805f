"""The imperative mapping of the plain-Python model onto the tables (the model never imports SQLAlchemy)."""

from __future__ import annotations

from sqlalchemy.orm import relationship

from domain.adapters.orm_analytics import analytics_events
from domain.adapters.orm_base import mapper_registry
from domain.adapters.orm_catalog import (
    categories,
    products,
    shipping_methods,
    stock_levels,
    stock_movements,
    variants,
    warehouses,
)
from domain.adapters.orm_customers import channel_identities, consent_entries, customers, staff_members
from domain.adapters.orm_orders import (
    cart_lines,
    carts,
    coupon_redemptions,
    coupons,
    order_lines,
    orders,
    reservations,
    shipments,
)
from domain.adapters.orm_payments import payments, refunds
from domain.adapters.orm_support import support_messages, support_tickets
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
    OrderLine,
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
from domain.model.staff import StaffMember
from domain.model.support import SupportMessage, SupportTicket

_mapped = False


def start_mappers() -> None:
    """Map the model classes onto the tables, once per process."""
    global _mapped
    if _mapped:
        return
    _mapped = True
    m = mapper_registry.map_imperatively
    m(Category, categories)
    m(Variant, variants)
    m(
        Product,
        products,
        properties={
            "variants": relationship(Variant, lazy="selectin", order_by=variants.c.id, cascade="all, delete-orphan"),
        },
    )
    m(Warehouse, warehouses)
    m(StockLevel, stock_levels)
    m(StockMovement, stock_movements)
    m(Reservation, reservations)
    m(Customer, customers)
    m(ChannelIdentity, channel_identities)
    m(ConsentEntry, consent_entries)
    m(StaffMember, staff_members)
    m(CartLine, cart_lines)
    m(
        Cart,
        carts,
        properties={
            "lines": relationship(CartLine, lazy="selectin", order_by=cart_lines.c.id, cascade="all, delete-orphan"),
        },
    )
    m(Coupon, coupons)
    m(CouponRedemption, coupon_redemptions)
    m(ShippingMethod, shipping_methods)
    m(OrderLine, order_lines)
    m(
        Order,
        orders,
        properties={
            "lines": relationship(OrderLine, lazy="selectin", order_by=order_lines.c.id, cascade="all, delete-orphan"),
        },
    )
    m(Shipment, shipments)
    m(Payment, payments)
    m(Refund, refunds)
    m(AnalyticsEvent, analytics_events)
    m(SupportTicket, support_tickets)
    m(SupportMessage, support_messages)
