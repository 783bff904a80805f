"""A checkout plans on an unlocked read of the stock and writes it with one conditional UPDATE: when another
checkout took the planned units in between, it plans again on the locked rows instead of overselling."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain import commands as c
from domain.errors import OutOfStock
from domain.model import StockLevel
from domain.model.customers import Channel
from domain.model.staff import Actor
from domain.service_layer.context import Context
from domain.service_layer.messagebus import MessageBus
from tests.support.clock import FakeClock
from tests.unit.domain.fakes import FakeInventory, FakePaymentProvider, FakeUnitOfWork, Store

ADDRESS = {"name": "Ann", "line1": "1 Main Street", "city": "Springfield", "postal_code": "12345", "country": "US"}


class RacingInventory(FakeInventory):
    """Right after the checkout's unlocked read, another checkout commits: ``race`` changes the shared rows
    (in the store and in the snapshot this unit of work would roll back to, as a commit elsewhere survives)."""

    def __init__(self, uow: RacingUnitOfWork, race: Callable[[list[StockLevel]], None]) -> None:
        super().__init__(uow)
        self.owner = uow
        self.race = race
        self.reads: list[bool] = []

    async def stock_rows(self, variant_ids: list[int], lock: bool) -> list[StockLevel]:
        rows = await super().stock_rows(variant_ids, lock)
        self.reads.append(lock)
        if not lock:
            stores = [self.s] + ([self.owner.snapshot] if self.owner.snapshot is not None else [])
            for store in stores:
                self.race(store.all("levels"))
        return rows


class RacingUnitOfWork(FakeUnitOfWork):
    def __init__(self, holder: list[Store], race: Callable[[list[StockLevel]], None], reads: list[bool]) -> None:
        super().__init__(holder)
        self.inventory = RacingInventory(self, race)
        self.inventory.reads = reads

    @property
    def snapshot(self) -> Store | None:
        return self._snapshot


async def _shop(race: Callable[[list[StockLevel]], None]) -> tuple[MessageBus, list[Store], list[bool]]:
    holder = [Store()]
    reads: list[bool] = []
    racing = {"on": False}

    def uow() -> FakeUnitOfWork:
        return RacingUnitOfWork(holder, race, reads) if racing["on"] else FakeUnitOfWork(holder)

    bus = MessageBus(Context(uow=uow, payments=FakePaymentProvider(), clock=FakeClock()))
    await bus.handle(c.CreateWarehouse("A", "Main", 1, actor=c.SYSTEM))
    await bus.handle(c.CreateWarehouse("B", "Backup", 2, actor=c.SYSTEM))
    await bus.handle(c.UpsertProduct("Lamp", (c.VariantSpec("LAMP-1", 2500),), actor=c.SYSTEM))
    await bus.handle(c.ReceiveStock("LAMP-1", "A", 3, actor=c.SYSTEM))
    await bus.handle(c.ReceiveStock("LAMP-1", "B", 3, actor=c.SYSTEM))
    await bus.handle(c.CreateShippingMethod("std", "Standard", 500, actor=c.SYSTEM))
    customer = int(await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, "ann")))
    await bus.handle(c.AddToCart(customer, "LAMP-1", 3, actor=Actor.shopper(customer)))
    racing["on"] = True
    return bus, holder, reads


def _take_two_from_the_main_warehouse(levels: list[StockLevel]) -> None:
    main = min(levels, key=lambda lv: lv.id or 0)
    main.reserved += 2


async def test_a_checkout_whose_planned_rows_were_taken_meanwhile_plans_again_on_the_locked_rows() -> None:
    bus, holder, reads = await _shop(_take_two_from_the_main_warehouse)
    customer = holder[0].all("customers")[0].id
    await bus.handle(c.PlaceOrder(customer, ADDRESS, "std", "telegram", actor=Actor.shopper(customer)))
    main, backup = sorted(holder[0].all("levels"), key=lambda lv: lv.id or 0)
    # Planned on A (3 there), which the other checkout left with 1; the second plan, locked, takes B.
    assert reads == [False, True]
    assert (main.reserved, backup.reserved) == (2, 3)
    assert [(r.warehouse_id, r.quantity) for r in holder[0].all("reservations")] == [(backup.warehouse_id, 3)]
    assert len(holder[0].all("orders")) == 1


async def test_a_checkout_refused_after_the_race_leaves_nothing_behind() -> None:
    def take_five(levels: list[StockLevel]) -> None:
        for level in levels:
            level.reserved += 2 if level.id == min(lv.id or 0 for lv in levels) else 3

    bus, holder, reads = await _shop(take_five)
    customer = holder[0].all("customers")[0].id
    outbox = list(holder[0].outbox)
    with pytest.raises(OutOfStock, match="Only 1 of LAMP-1 left"):
        await bus.handle(c.PlaceOrder(customer, ADDRESS, "std", "telegram", actor=Actor.shopper(customer)))
    assert reads == [False, True]
    assert holder[0].all("orders") == [] and holder[0].all("reservations") == []
    assert holder[0].outbox == outbox  # the OrderPlaced written before the lock went with the rollback
    assert sum(lv.reserved for lv in holder[0].all("levels")) == 5  # only the other checkout's
