"""The schema in one import: the shared ``metadata`` with every table on it, and ``start_mappers``.

The tables live in one module per area (``orm_catalog``, ``orm_customers``, ``orm_orders``, ``orm_payments``,
``orm_support``, ``orm_analytics``, ``orm_infra``, and the feature modules ``orm_campaigns``, ``orm_api``,
``orm_automation``, ``orm_console``, ``orm_webchat``, ``orm_webhooks``); their shared types are in ``orm_base``
and the mapping of the model in ``orm_mapping``. This module imports them all, so importing it puts every
table on ``metadata`` (Alembic and the schema check rely on that), and re-exports the names callers use
(``orm.orders``, ``orm.UTCDateTime``…). New table modules import ``orm_base``, never this module.
"""

from __future__ import annotations

from domain.adapters import (  # noqa: F401  (imported for their tables on ``metadata``)
    orm_api,
    orm_automation,
    orm_campaigns,
    orm_console,
    orm_console_more,
    orm_forecasting,
    orm_purchasing,
    orm_rollups,
    orm_scores,
    orm_webchat,
    orm_webhooks,
)
from domain.adapters.orm_analytics import analytics_events
from domain.adapters.orm_base import (
    NAMING,
    JSONType,
    RoleType,
    UTCDateTime,
    _enum,
    _fk,
    _pk,
    mapper_registry,
    metadata,
)
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
from domain.adapters.orm_infra import job_runs, outbox, processed_messages
from domain.adapters.orm_mapping import start_mappers
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
from domain.adapters.orm_payments import payments, refunds, sandbox_refunds, sandbox_sessions
from domain.adapters.orm_support import support_messages, support_tickets
from domain.model.staff import Role

__all__ = [
    "NAMING",
    "JSONType",
    "Role",
    "RoleType",
    "UTCDateTime",
    "_enum",
    "_fk",
    "_pk",
    "analytics_events",
    "cart_lines",
    "carts",
    "categories",
    "channel_identities",
    "consent_entries",
    "coupon_redemptions",
    "coupons",
    "customers",
    "job_runs",
    "mapper_registry",
    "metadata",
    "order_lines",
    "orders",
    "outbox",
    "payments",
    "processed_messages",
    "products",
    "refunds",
    "reservations",
    "sandbox_refunds",
    "sandbox_sessions",
    "shipments",
    "shipping_methods",
    "staff_members",
    "start_mappers",
    "stock_levels",
    "stock_movements",
    "support_messages",
    "support_tickets",
    "variants",
    "warehouses",
]
