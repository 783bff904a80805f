"""`chatshop po supplier|create|list|show|receive|cancel` and `chatshop stock bin` through the real CLI, acting as a
named staff member whose role the domain checks (SQLite and PostgreSQL)."""

from __future__ import annotations

from domain import commands as c
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.model.staff import Role
from tests.integration.test_cli_orders import chatshop
from tests.support.shopdata import SmallShop


async def test_a_purchase_order_is_created_sent_received_in_part_and_listed_from_the_terminal(small: SmallShop) -> None:
    shop = small.shop
    await shop.bus.handle(c.AddStaff("olga", Role.OPERATOR, actor=c.SYSTEM))
    await shop.bus.handle(c.AddStaff("vic", Role.VIEWER, actor=c.SYSTEM))
    result = await chatshop(shop, "po", "supplier", "Hearth Ceramics", "--lead-time", "12", "--as", "olga")
    assert result.exit_code == 0, result.output
    result = await chatshop(shop, "po", "create", "1", "MUG-WHT:24:2.50", "shoe-red-42:5:30", "--send", "--as", "olga")
    assert result.exit_code == 0, result.output
    assert "PO-000001 (1) sent" in result.output

    result = await chatshop(shop, "po", "receive", "1", "WEST", "MUG-WHT:10", "--bin", "d-4", "--as", "vic")
    assert result.exit_code == 1 and "A viewer may not manage purchasing" in result.output
    result = await chatshop(shop, "po", "receive", "1", "WEST", "MUG-WHT:10", "--bin", "d-4", "--as", "olga")
    assert result.exit_code == 0, result.output
    assert "PO-000001 partially_received" in result.output
    stock = await shop.views.stock("MUG-WHT")
    assert stock is not None and {r.warehouse_code: r.on_hand for r in stock.rows}["WEST"] == 10

    result = await chatshop(shop, "po", "list", "--state", "partially_received")
    assert result.exit_code == 0 and "PO-000001" in result.output and "Hearth" in result.output
    assert "10/29" in result.output  # received of ordered units
    result = await chatshop(shop, "po", "cancel", "1", "--as", "olga")
    assert result.exit_code == 1 and "partially received and can't be cancelled" in result.output
    result = await chatshop(shop, "po", "create", "1", "MUG-WHT:two:2.50", "--as", "olga")
    assert result.exit_code == 2 and "SKU:QUANTITY:UNIT_COST" in "".join(result.output.replace("│", "").split())

    result = await chatshop(shop, "stock", "bin", "SHOE-RED-42", "east", "a-1-1", "--as", "olga")
    assert result.exit_code == 0 and "SHOE-RED-42 in EAST: bin A-1-1" in result.output
    detail = await SqlPurchasingViews(shop.sessions).purchase_order(1)
    assert detail is not None
    assert [(line.sku, line.received, line.unit_cost) for line in detail.lines] == [
        ("MUG-WHT", 10, 250),
        ("SHOE-RED-42", 0, 3000),
    ]
    assert [(r.warehouse, r.bin, r.actor) for r in detail.receipts] == [("WEST", "D-4", "olga")]
