"""Every operation × a key without its scope (403 naming it) and a key with only its scope (let through)."""

from __future__ import annotations

from admin_api.rest.routes import API
from domain.model.staff import SCOPES
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.shopdata import SmallShop

BODIES: dict[str, object] = {
    "create_order": {
        "channel": "pos",
        "external_id": "M-1",
        "customer": {"email": "a@example.com"},
        "lines": [{"sku": "MUG-WHT", "quantity": 1}],
        "shipping_address": {
            "name": "Ann Lee",
            "line1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
        },
        "shipping_method": "standard",
    },
    "reject_order": {"reason": "fraud"},
    "cancel_order": {},
    "advance_order": {"to": "picking"},
    "ship_order": {"carrier": "UPS", "tracking_number": "1Z999"},
    "refund_order": {},
    "upsert_product": {"name": "Tea", "variants": [{"sku": "TEA-1", "price": {"amount": 500, "currency": "USD"}}]},
    "bulk_upsert": {
        "products": [{"name": "Cup", "variants": [{"sku": "CUP-1", "price": {"amount": 9, "currency": "USD"}}]}]
    },
    "tag_customer": {"add": ["vip"]},
    "set_consent": {"granted": True, "source": "pos"},
    "receive_stock": {"sku": "MUG-WHT", "warehouse": "EAST", "quantity": 1},
    "adjust_stock": {"sku": "MUG-WHT", "warehouse": "EAST", "delta": -1, "reason": "broken"},
    "count_stock": {"sku": "MUG-WHT", "warehouse": "EAST", "on_hand": 40},
    "create_webhook": {"url": "https://erp.example.com/hooks", "event_types": ["*"]},
    "rotate_webhook_secret": {},
    "create_coupon": {"code": "API10", "kind": "percent", "percent_bp": 1000},
    "update_coupon": {"kind": "fixed", "amount": {"amount": 300, "currency": "USD"}},
    "put_rule": {"rule": {"name": "vip", "when": "OrderPaid", "then": [{"tag_customer": "vip"}]}},
    "create_campaign": {"campaign": {"name": "spring", "channels": ["webchat"], "content": {"en": {"text": "Hi"}}}},
    "replace_campaign": {"campaign": {"channels": ["webchat"], "content": {"en": {"text": "Hello"}}}},
    "create_supplier": {"name": "Acme", "currency": "USD"},
    "create_purchase_order": {
        "supplier_id": 1,
        "lines": [{"sku": "MUG-WHT", "quantity": 2, "unit_cost": {"amount": 300, "currency": "USD"}}],
    },
    "receive_purchase_order": {"warehouse": "EAST", "lines": [{"sku": "MUG-WHT", "quantity": 1}]},
}


async def test_each_operation_needs_its_scope_and_its_scope_is_enough(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer)
    ids = {
        "order_id": order_id,
        "product_id": 1,
        "customer_id": customer,
        "subscription_id": 1,
        "delivery_id": 1,
        "name": "vip",
        "code": "WELCOME10",
        "campaign": "spring",
        "supplier_id": 1,
        "po_id": 1,
    }
    assert len(API.operations) >= 18
    for op in API.operations:
        path = op.path.format(**ids)
        body = BODIES.get(op.operation_id, {} if op.body is not None else None)
        without = await make_key(*(s for s in SCOPES if s != op.scope))
        status, problem, _ = await api.call(op.method, path, without, body)
        assert status == 403 and problem["scope"] == op.scope, (op.operation_id, status, problem)
        status, reply, _ = await api.call(op.method, path, await make_key(op.scope), body)
        # Let through: the answer is the operation's (a success, or the domain's word on this order's state).
        assert status not in (401, 403), (op.operation_id, status, reply)
        assert status < 500, (op.operation_id, status, reply)
