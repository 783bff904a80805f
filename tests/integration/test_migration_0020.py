"""Migration 0020 on a shop that already has data: customers get an ``updated_at`` (their creation time) and
an order from another sales channel gets its id there out of the idempotency key and into ``external_id``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from domain.adapters.migrate import upgrade

ORDER = (
    "INSERT INTO orders (id, customer_id, channel, currency, status, shipping_method, shipping_address, subtotal, "
    "discount, shipping, tax_rate_bp, tax, total, captured, refunded, placed_at, updated_at, approval_reasons, "
    "idempotency_key) VALUES (:id, 1, :channel, 'USD', 'pending_payment', 'standard', '{}', 100, 0, 0, 0, 0, 100, "
    "0, 0, '2026-01-02 00:00:00', '2026-01-02 00:00:00', '[]', :key)"
)


def test_existing_customers_and_external_orders_are_carried_over(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    upgrade(f"sqlite+aiosqlite:///{path}", "0017")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (id, name, locale, timezone, tags, notes, addresses, marketing_opt_in, "
                "unreachable_channels, created_at) "
                "VALUES (1, 'Ann', 'en', 'UTC', '[]', '', '[]', 0, '[]', '2026-01-01 09:00:00')"
            )
        )
        conn.execute(text(ORDER), {"id": 1, "channel": "pos", "key": "external:pos:TILL-7"})
        conn.execute(text(ORDER), {"id": 2, "channel": "webchat", "key": "chat-checkout-1"})
        conn.execute(text(ORDER), {"id": 3, "channel": "amazon", "key": "external:amazon:A:1"})
    upgrade(f"sqlite+aiosqlite:///{path}", "0020")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT updated_at FROM customers")).scalar_one().startswith("2026-01-01 09:00")
        rows = conn.execute(text("SELECT id, external_id, idempotency_key FROM orders ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "TILL-7", None), (2, None, "chat-checkout-1"), (3, "A:1", None)]
