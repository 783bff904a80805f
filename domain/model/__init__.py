"""Plain-Python entities and value objects; persistence is mapped onto them in ``domain.adapters.orm``."""

from domain.model.analytics import AnalyticsEvent, EventName
from domain.model.cart import Cart, CartLine
from domain.model.catalog import Category, Product, ProductStatus, SearchQuery, Variant
from domain.model.coupons import Coupon, CouponKind, CouponRedemption
from domain.model.customers import Channel, ChannelIdentity, ConsentEntry, ConsentPurpose, Customer
from domain.model.inventory import (
    MovementKind,
    Reservation,
    ReservationStatus,
    StockLevel,
    StockMovement,
    Warehouse,
)
from domain.model.money import Money
from domain.model.orders import Order, OrderLine, OrderStatus, Shipment
from domain.model.payments import Payment, PaymentStatus, Refund, RefundStatus
from domain.model.shipping import Address, ShippingMethod

__all__ = [
    "Address",
    "AnalyticsEvent",
    "Cart",
    "CartLine",
    "Category",
    "Channel",
    "ChannelIdentity",
    "ConsentEntry",
    "ConsentPurpose",
    "Coupon",
    "CouponKind",
    "CouponRedemption",
    "Customer",
    "EventName",
    "Money",
    "MovementKind",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Payment",
    "PaymentStatus",
    "Product",
    "ProductStatus",
    "Refund",
    "RefundStatus",
    "Reservation",
    "ReservationStatus",
    "SearchQuery",
    "Shipment",
    "ShippingMethod",
    "StockLevel",
    "StockMovement",
    "Variant",
    "Warehouse",
]
