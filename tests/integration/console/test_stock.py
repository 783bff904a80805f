"""The console's stock: levels low first, filters, a SKU's ledger, adjustments with a reason and transfers between
warehouses (two ledger rows in one transaction, never beyond what is available), refused to a viewer."""

from __future__ import annotations

import re

import pytest

from domain import commands as c
from domain import commands_purchasing as p
from domain.commands_console import TransferStock
from domain.errors import ValidationFailed
from domain.model.staff import Actor, Role
from tests.integration.console.conftest import Console, StaffShop
from tests.support.shopdata import SmallShop


async def levels(small: SmallShop, sku: str) -> dict[str, tuple[int, int]]:
    view = await small.shop.views.stock(sku)
    assert view is not None
    return {r.warehouse_code: (r.on_hand, r.available) for r in view.rows}


def skus_in_order(html: str) -> list[str]:
    return re.findall(
        r'<tr(?: class="low")?><td><a href="/admin/stock/[^"]+">([^<]+)</a></td><td>[^<]*</td>\s*<td>(\w+)</td>', html
    )


async def test_the_stock_page_lists_low_stock_first_and_filters_by_warehouse_and_sku(
    console: Console, staffed: StaffShop
) -> None:
    await console.sign_in("viv")
    status, html = await console.get("/stock")
    assert status == 200
    rows = skus_in_order(html)
    assert rows[0] == ("SHOE-BLU-42", "WEST")  # 2 available: the lowest
    assert rows[-1] == ("MUG-WHT", "EAST")  # 50 available: not low at all
    assert 'class="low"' in html
    _, html = await console.get("/stock?warehouse=WEST")
    assert {w for _, w in skus_in_order(html)} == {"WEST"}
    _, html = await console.get("/stock?sku=shoe-red")
    assert {s for s, _ in skus_in_order(html)} == {"SHOE-RED-42"}
    _, html = await console.get("/stock?sku=nothing-like-it")
    assert "No stock matches these filters." in html


async def test_an_operator_adjusts_with_a_reason_and_the_ledger_shows_it_with_filters(
    console: Console, staffed: StaffShop
) -> None:
    small = staffed.small
    await console.sign_in("otto")  # otto reads Chinese
    _, html = await console.get("/stock/SHOE-RED-42")
    assert 'action="/admin/stock/SHOE-RED-42/adjust"' in html
    csrf = await console.csrf("/stock/SHOE-RED-42")
    form = {"csrf": csrf, "warehouse": "EAST", "delta": "-1", "reason": "box crushed <b>"}
    status, _, location = await console.post("/stock/SHOE-RED-42/adjust", form)
    assert (status, location) == (303, "/admin/stock/SHOE-RED-42?done=adjusted")
    assert (await levels(small, "SHOE-RED-42"))["EAST"] == (2, 2)
    _, html = await console.get("/stock/SHOE-RED-42?done=adjusted")
    assert "已完成：已调整" in html
    assert "box crushed &lt;b&gt;" in html and "<b>" not in html.split('id="ledger"')[1]
    _, html = await console.get("/stock/SHOE-RED-42?kind=adjust&warehouse=EAST")
    ledger = html.split('id="ledger"')[1]
    assert ledger.count("<tr><td>") == 1 and "-1" in ledger and "otto" in ledger
    _, html = await console.get("/stock/SHOE-RED-42?kind=receive&since=2099-01-01")
    assert "没有符合条件的流水。" in html
    assert (await console.get("/stock/SHOE-RED-42?kind=nonsense"))[0] == 409
    assert (await console.get("/stock/NO-SUCH-SKU"))[0] == 404


async def test_a_transfer_writes_two_ledger_rows_and_moves_the_units(console: Console, staffed: StaffShop) -> None:
    small = staffed.small
    await console.sign_in("otto")
    csrf = await console.csrf("/stock/SHOE-RED-42")
    form = {"csrf": csrf, "source": "WEST", "destination": "EAST", "quantity": "4", "reason": "rebalance"}
    status, _, location = await console.post("/stock/SHOE-RED-42/transfer", form)
    assert (status, location) == (303, "/admin/stock/SHOE-RED-42?done=transferred")
    assert await levels(small, "SHOE-RED-42") == {"EAST": (7, 7), "WEST": (1, 1)}
    _, html = await console.get("/stock/SHOE-RED-42?kind=transfer")
    ledger = html.split('id="ledger"')[1]
    assert "transfer to EAST: rebalance" in ledger and "transfer from WEST: rebalance" in ledger


async def test_a_transfer_beyond_what_is_available_is_refused_and_nothing_moves(
    console: Console, staffed: StaffShop
) -> None:
    small = staffed.small
    customer = await small.customer("web-hold", "Hal")
    await small.checkout(customer, sku="SHOE-BLU-42", quantity=1)  # holds 1 of the 2 in WEST
    await console.sign_in("otto")
    csrf = await console.csrf("/stock/SHOE-BLU-42")
    form = {"csrf": csrf, "source": "WEST", "destination": "EAST", "quantity": "2", "reason": ""}
    status, html, _ = await console.post("/stock/SHOE-BLU-42/transfer", form)
    assert status == 409
    assert "Only 1 available to transfer; asked for 2." in html
    assert await levels(small, "SHOE-BLU-42") == {"WEST": (2, 1)}
    for bad in ({"quantity": "0"}, {"quantity": "x"}, {"destination": "WEST"}, {"destination": "MOON"}):
        status, _, _ = await console.post("/stock/SHOE-BLU-42/transfer", form | {"quantity": "1"} | bad)
        assert status in (404, 409), bad
    assert await levels(small, "SHOE-BLU-42") == {"WEST": (2, 1)}


async def test_a_viewer_sees_no_stock_forms_and_a_forced_post_is_refused(console: Console, staffed: StaffShop) -> None:
    small = staffed.small
    await console.sign_in("viv")
    _, html = await console.get("/stock/SHOE-RED-42")
    assert "/stock/SHOE-RED-42/adjust" not in html and "/stock/SHOE-RED-42/transfer" not in html
    assert "You may look at stock but not change it." in html
    csrf = await console.csrf("/stock/SHOE-RED-42")
    form = {"csrf": csrf, "warehouse": "EAST", "delta": "5", "reason": "found"}
    status, html, _ = await console.post("/stock/SHOE-RED-42/adjust", form)
    assert status == 403 and "A viewer may not adjust stock" in html
    form = {"csrf": csrf, "source": "WEST", "destination": "EAST", "quantity": "1"}
    assert (await console.post("/stock/SHOE-RED-42/transfer", form))[0] == 403
    assert (await console.post("/stock/SHOE-RED-42/adjust", {"warehouse": "EAST", "delta": "5", "reason": "x"}))[
        0
    ] == 403
    assert await levels(small, "SHOE-RED-42") == {"EAST": (3, 3), "WEST": (5, 5)}


async def test_transfer_stock_moves_units_in_one_transaction(small: SmallShop) -> None:
    """The command itself, as any caller uses it."""
    bob = Actor.staff("bob", Role.OPERATOR)
    on_hand = await small.shop.bus.handle(TransferStock("shoe-red-42", "east", "west", 3, actor=bob))
    assert on_hand == 0
    assert await levels(small, "SHOE-RED-42") == {"EAST": (0, 0), "WEST": (8, 8)}
    with pytest.raises(ValidationFailed):
        await small.shop.bus.handle(TransferStock("SHOE-RED-42", "EAST", "WEST", 1, actor=bob))
    with pytest.raises(ValidationFailed):
        await small.shop.bus.handle(TransferStock("SHOE-RED-42", "WEST", "EAST", -1, actor=bob))
    assert await levels(small, "SHOE-RED-42") == {"EAST": (0, 0), "WEST": (8, 8)}
    assert not [m for m in await small.shop.views.ledger_mismatches()]


def low_rows(html: str) -> set[tuple[str, str]]:
    return set(
        re.findall(
            r'<tr class="low"><td><a href="/admin/stock/[^"]+">([^<]+)</a></td><td>[^<]*</td>\s*<td>(\w+)</td>', html
        )
    )


async def test_the_board_flags_low_by_the_low_stock_alerts_rule_on_the_total_of_all_warehouses(
    console: Console, staffed: StaffShop
) -> None:
    shop = staffed.small.shop
    alerts: list[object] = []

    async def collect(event_id: str, event: object) -> None:
        alerts.append(event)

    shop.outbox.subscribe("board-alerts", collect, {"LowStock"})
    await console.sign_in("viv")
    # Red shoes: 3 in EAST and 5 in WEST, threshold 5. Each warehouse alone is at or below it, the total (8) is
    # not: no alert, and the board does not call either row low. Blue shoes (2 in total) are low.
    _, html = await console.get("/stock")
    assert low_rows(html) == {("SHOE-BLU-42", "WEST")}
    await shop.bus.handle(c.AdjustStock("SHOE-RED-42", "WEST", -4, "damaged", actor=c.SYSTEM))  # total 8 -> 4
    await shop.outbox.drain()
    assert [getattr(a, "sku", None) for a in alerts] == ["SHOE-RED-42"]
    _, html = await console.get("/stock")
    # The alert fired on the total; the board now flags both of its rows, WEST's 1 as much as EAST's 3.
    assert low_rows(html) == {("SHOE-BLU-42", "WEST"), ("SHOE-RED-42", "EAST"), ("SHOE-RED-42", "WEST")}
    assert "4 available in all warehouses" in html


async def test_the_board_shows_each_rows_bin_and_sorts_and_filters_by_it(console: Console, staffed: StaffShop) -> None:
    bus, buyer = staffed.small.shop.bus, Actor.staff("abe", Role.APPROVER)
    await bus.handle(p.SetBinLocation("MUG-WHT", "EAST", "B-01-1", actor=buyer))
    await bus.handle(p.SetBinLocation("SHOE-RED-42", "WEST", "A-03-2", actor=buyer))
    await bus.handle(p.SetBinLocation("SHOE-RED-42", "EAST", "A-01-1", actor=buyer))
    await console.sign_in("viv")
    status, html = await console.get("/stock?sort=bin")
    assert status == 200
    assert skus_in_order(html) == [
        ("SHOE-RED-42", "EAST"),  # A-01-1
        ("SHOE-RED-42", "WEST"),  # A-03-2
        ("MUG-WHT", "EAST"),  # B-01-1
        ("SHOE-BLU-42", "WEST"),  # no bin: last
    ]
    assert "<td>A-03-2</td>" in html and '<option value="bin" selected>' in html
    _, html = await console.get("/stock?bin=a-0")
    assert skus_in_order(html) == [("SHOE-RED-42", "EAST"), ("SHOE-RED-42", "WEST")]
    _, html = await console.get("/stock?sort=sku")
    assert [s for s, _ in skus_in_order(html)] == ["MUG-WHT", "SHOE-BLU-42", "SHOE-RED-42", "SHOE-RED-42"]
    status, _ = await console.get("/stock?sort=price")
    assert status == 409  # not a sort the board knows: refused, not ignored
